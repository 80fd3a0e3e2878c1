//! Judging what a listener played, from its two recorded stems (the music, the singer's
//! voice), never from the stamps it played them by: in windows, the voice stem is located in
//! the singer's dry voice and the music stem in the song's accompaniment, each by
//! cross-correlation; where both are found, the two offsets must agree (voice and music heard
//! together as the singer sang them). The voice stem from the song's start is also scored
//! against the song. Shared by the native listeners' test and the web page's.

use std::collections::HashMap;

use crate::analysis::locate;

/// A listener's stems and what to find them in, all mono at `rate`.
pub struct Stems<'a> {
    /// The listener's music.
    pub music: &'a [f32],
    /// The listener's voice.
    pub voice: &'a [f32],
    /// The song's accompaniment.
    pub accompaniment: &'a [f32],
    /// The singer's dry voice, in song time (the guide vocal they sang as their microphone).
    pub dry: &'a [f32],
    /// Their sample rate.
    pub rate: u32,
}

/// What the stems showed.
#[derive(Debug, Clone)]
pub struct Judged {
    /// Voice against music (ms), window by window where both were found.
    pub differences: Vec<f64>,
    /// Windows where the music was found.
    pub music_windows: usize,
    /// The signed median of `differences`.
    pub median: f64,
    /// |differences| at p50 and p99.
    pub p50: f64,
    /// See `p50`.
    pub p99: f64,
    /// The voice stem, from where the song starts in it, scored against the song.
    pub score: f64,
}

impl Stems<'_> {
    /// Offsets (stem time − song time, in samples) of `stem`'s windows found in `reference`,
    /// by window start: 1 s windows every 0.5 s from `from`, searched ±500 ms around where
    /// `song_start` puts them: wide enough for the listener's changes of how far behind the
    /// singer it plays.
    fn offsets(
        &self,
        stem: &[f32],
        reference: &[f32],
        song_start: i64,
        from: usize,
    ) -> Vec<(usize, i64)> {
        let window = self.rate as usize;
        let search = window / 2;
        let mut found = Vec::new();
        let mut start = from;
        while start + window <= stem.len() {
            let piece = &stem[start..start + window];
            let energy = piece.iter().map(|x| x * x).sum::<f32>() / window as f32;
            if energy > 1e-6
                && let Some(at) = locate(
                    piece,
                    reference,
                    start as i64 - song_start,
                    search,
                    self.rate,
                )
            {
                found.push((start, start as i64 - at));
            }
            start += window / 2;
        }
        found
    }

    /// Where the song starts in the music stem (a stem sample; negative if the recording began
    /// after it): the first window found in the accompaniment near the stem's first sound,
    /// searched widely (±1.5 s: a page that joins while the song loads starts a little into
    /// it). `None` if the stem holds no music found in the song.
    pub fn song_start(&self) -> Option<i64> {
        let (music, accompaniment) = (self.music, self.accompaniment);
        let first_sound = music.iter().position(|x| x.abs() > 0.01)?;
        let lead = accompaniment
            .iter()
            .position(|x| x.abs() > 0.01)
            .unwrap_or(0);
        let window = self.rate as usize;
        let search = window * 3 / 2;
        let guess = first_sound as i64 - lead as i64;
        (first_sound..music.len().saturating_sub(window))
            .step_by(window / 2)
            .take(40)
            .find_map(|start| {
                let expected = (start as i64 - guess).max(search as i64);
                locate(
                    &music[start..start + window],
                    accompaniment,
                    expected,
                    search,
                    self.rate,
                )
                .map(|at| start as i64 - at)
            })
    }

    /// Voice against music (ms), window by window where both were found, from stem sample
    /// `from`, with the song starting at stem sample `start`; and the music's offsets by window.
    pub fn voice_against_music(&self, start: i64, from: usize) -> (Vec<f64>, HashMap<usize, i64>) {
        let music_at: HashMap<usize, i64> = self
            .offsets(self.music, self.accompaniment, start, from)
            .into_iter()
            .collect();
        let differences = self
            .offsets(self.voice, self.dry, start, from)
            .iter()
            .filter_map(|(window, v)| {
                music_at
                    .get(window)
                    .map(|m| (v - m) as f64 * 1000.0 / f64::from(self.rate))
            })
            .collect();
        (differences, music_at)
    }

    /// Judges the stems; `lyrics` is the song's, for the score. `None` if no music of the song
    /// is in the music stem.
    pub fn judge(&self, lyrics: &lyrics::Lyrics) -> Option<Judged> {
        let start = self.song_start()?;
        let (differences, music_at) = self.voice_against_music(start, start.max(0) as usize);
        let mut sorted = differences.clone();
        sorted.sort_by(f64::total_cmp);
        let median = percentile(&sorted, 0.5);
        let mut magnitudes: Vec<f64> = differences.iter().map(|d| d.abs()).collect();
        magnitudes.sort_by(f64::total_cmp);
        // The voice stem from the song's start (where most windows found it: the listener moves
        // back once its voice path's delay is known), scored against the song; a recording
        // that began after the song's start is padded with silence before it.
        let mut song_offsets: Vec<i64> = music_at.values().copied().collect();
        song_offsets.sort_unstable();
        let cut = song_offsets
            .get(song_offsets.len() / 2)
            .copied()
            .unwrap_or(start);
        let sung: Vec<f32> = if cut >= 0 {
            self.voice[(cut as usize).min(self.voice.len())..].to_vec()
        } else {
            std::iter::repeat_n(0.0, cut.unsigned_abs() as usize)
                .chain(self.voice.iter().copied())
                .collect()
        };
        let score = scoring::score_recording(
            lyrics,
            lyrics::Voice::P1,
            &sung,
            self.rate,
            scoring::PitchSettings::default(),
            scoring::JudgeSettings::default(),
        )
        .map_or(0.0, |(result, _)| f64::from(result.score));
        Some(Judged {
            music_windows: music_at.len(),
            median,
            p50: percentile(&magnitudes, 0.5),
            p99: percentile(&magnitudes, 0.99),
            differences,
            score,
        })
    }
}

/// The `q` quantile of `sorted` (nearest rank); NaN when empty.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}
