//! A song's audio at another key and tempo, for players that cannot shift it themselves (the
//! page: Web Audio has no pitch shifter that keeps time). The file is rendered once through
//! the engine's own key shift and stretcher (the same Signalsmith path `ktv sing` plays, so a
//! page and a native client hear the same music), offline and faster than real time, and kept
//! in a cache folder; requests for one rendering that is under way wait for it, not render it
//! twice. Frame 0 of a rendering is the song's start (the engine primes its stretcher; no
//! latency to take off), and each of its seconds is `tempo` seconds of song time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::{Error, Result};

/// A key and tempo other than the song's own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    /// Semitones, −12..=12.
    pub key: f32,
    /// Song time per second, 0.8..=1.2 (pitch kept).
    pub tempo: f32,
}

impl Shift {
    /// The shift asked for, checked; `None` when it is no shift at all (the file as it is).
    pub fn new(key: f32, tempo: f32) -> Result<Option<Shift>> {
        let keys = engine::MIN_KEY..=engine::MAX_KEY;
        if !key.is_finite() || !keys.contains(&key) {
            return Err(Error::BadRequest(format!(
                "key {key}: a shift is {} to {} semitones",
                keys.start(),
                keys.end()
            )));
        }
        let tempos = engine::MIN_TEMPO..=engine::MAX_TEMPO;
        if !tempo.is_finite() || !tempos.contains(&f64::from(tempo)) {
            return Err(Error::BadRequest(format!(
                "tempo {tempo}: a tempo is {} to {}",
                tempos.start(),
                tempos.end()
            )));
        }
        // The request form moves in steps of a hundredth: finer is the same rendering.
        let key = (key * 100.0).round() / 100.0;
        let tempo = (tempo * 1000.0).round() / 1000.0;
        Ok((key != 0.0 || tempo != 1.0).then_some(Shift { key, tempo }))
    }

    /// The cached file's name for `kind` at this shift.
    fn file_name(&self, kind: &str) -> String {
        format!("{kind}_key{:+.2}_tempo{:.3}.flac", self.key, self.tempo)
    }
}

/// The cache of renderings, and the renderings under way.
#[derive(Debug)]
pub struct ShiftedMedia {
    folder: PathBuf,
    under_way: Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
}

impl ShiftedMedia {
    /// Renderings kept in `folder` (made when first needed).
    pub fn new(folder: PathBuf) -> ShiftedMedia {
        ShiftedMedia {
            folder,
            under_way: Mutex::default(),
        }
    }

    /// The file `source` (song `song`'s `kind`) at `shift`: the kept rendering, or a new one.
    pub async fn get(
        &self,
        song: &str,
        kind: &str,
        source: &Path,
        shift: Shift,
    ) -> Result<PathBuf> {
        // Song ids are the library's folder names: one folder per song keeps them apart.
        let out = self.folder.join(song).join(shift.file_name(kind));
        let lock = {
            let mut under_way = self
                .under_way
                .lock()
                .map_err(|_| Error::Internal("the rendering table's lock was poisoned".into()))?;
            Arc::clone(under_way.entry(out.clone()).or_default())
        };
        let _rendering = lock.lock().await;
        if is_newer(&out, source) {
            return Ok(out);
        }
        let (from, to) = (source.to_owned(), out.clone());
        tokio::task::spawn_blocking(move || render(&from, &to, shift))
            .await
            .map_err(|e| Error::Internal(format!("the rendering task failed: {e}")))??;
        Ok(out)
    }
}

/// Whether `out` exists and was written after `source` last changed.
fn is_newer(out: &Path, source: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(out), modified(source)) {
        (Some(out), Some(source)) => out >= source,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Renders `source` at `shift` into `out` (through a temporary file, so a reader never sees
/// half of one).
fn render(source: &Path, out: &Path, shift: Shift) -> Result<()> {
    let folder = out.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| Error::StorageFolder {
        path: folder.to_owned(),
        source: e,
    })?;
    let partial = out.with_extension("partial.flac");
    let performance = engine::render::Performance {
        mode: engine::TrackMode::Accompaniment,
        key: shift.key,
        tempo: f64::from(shift.tempo),
        ..engine::render::Performance::default()
    };
    let song = engine::SongSource::accompaniment_only(source);
    let failed = |e: &dyn std::fmt::Display| Error::Render {
        path: source.to_owned(),
        reason: e.to_string(),
    };
    engine::render::render_song(&song, &performance, 48_000, &partial, |_| {})
        .map_err(|e| failed(&e))?;
    std::fs::rename(&partial, out).map_err(|e| failed(&e))?;
    tracing::info!(file = %out.display(), key = shift.key, tempo = shift.tempo, "rendered shifted media");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stereo sine at `hz` for `seconds` at 48 kHz, as WAV.
    fn sine(path: &Path, hz: f64, seconds: f64) {
        let frames = (48_000.0 * seconds) as usize;
        let samples: Vec<f32> = (0..frames)
            .flat_map(|i| {
                let v = (0.3 * (std::f64::consts::TAU * hz * i as f64 / 48_000.0).sin()) as f32;
                [v, v]
            })
            .collect();
        engine::render::write_wav(path, &samples, 2, 48_000).unwrap();
    }

    /// The decoded file's left channel.
    fn left(path: &Path) -> Vec<f32> {
        let mut out = Vec::new();
        engine::source::stream::decode_to_end(
            &engine::SongSource::accompaniment_only(path),
            48_000,
            |frames| out.extend(frames.chunks_exact(4).map(|f| f[0])),
        )
        .unwrap();
        out
    }

    /// The frequency of the middle half of `samples`, from its upward zero crossings.
    fn frequency(samples: &[f32]) -> f64 {
        let middle = &samples[samples.len() / 4..samples.len() * 3 / 4];
        let crossings: Vec<f64> = middle
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
            .map(|(i, w)| i as f64 + f64::from(-w[0] / (w[1] - w[0])))
            .collect();
        let span = crossings[crossings.len() - 1] - crossings[0];
        (crossings.len() - 1) as f64 * 48_000.0 / span
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ktv-shifted-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[tokio::test]
    async fn a_rendering_is_at_the_key_and_tempo_asked_and_made_once() {
        let dir = temp("render");
        let source = dir.join("a440.wav");
        sine(&source, 440.0, 3.0);
        let cache = ShiftedMedia::new(dir.join("cache"));
        let shift = Shift::new(2.0, 1.1).unwrap().unwrap();
        let (first, second) = tokio::join!(
            cache.get("song", "accompaniment", &source, shift),
            cache.get("song", "accompaniment", &source, shift)
        );
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!(first, second);
        let made = std::fs::metadata(&first).unwrap().modified().unwrap();
        let out = left(&first);
        // Two semitones up, 1.1 times as fast: 493.9 Hz for 3 / 1.1 s.
        let hz = frequency(&out);
        let expected = 440.0 * 2f64.powf(2.0 / 12.0);
        assert!((hz - expected).abs() < 1.0, "{hz:.2} Hz, not {expected:.2}");
        let seconds = out.len() as f64 / 48_000.0;
        assert!((seconds - 3.0 / 1.1).abs() < 0.01, "{seconds:.3} s");
        // The level is the song's (0.3 peak), not the engine's idea of a mix.
        let peak = out[out.len() / 4..out.len() * 3 / 4]
            .iter()
            .fold(0f32, |m, v| m.max(v.abs()));
        assert!((peak - 0.3).abs() < 0.03, "peak {peak}");
        // Asked again: the kept file, not a new rendering.
        let again = cache
            .get("song", "accompaniment", &source, shift)
            .await
            .unwrap();
        assert_eq!(std::fs::metadata(&again).unwrap().modified().unwrap(), made);
        // The unshifted check input must fail the pitch bound (the measure can tell).
        assert!((frequency(&left(&source)) - expected).abs() > 1.0);
    }

    #[test]
    fn shifts_out_of_range_are_refused_and_no_shift_is_none() {
        assert!(matches!(Shift::new(13.0, 1.0), Err(Error::BadRequest(_))));
        assert!(matches!(Shift::new(0.0, 2.0), Err(Error::BadRequest(_))));
        assert!(matches!(
            Shift::new(f32::NAN, 1.0),
            Err(Error::BadRequest(_))
        ));
        assert_eq!(Shift::new(0.0, 1.0).unwrap(), None);
        assert_eq!(Shift::new(0.001, 1.0001).unwrap(), None);
    }

    #[tokio::test]
    async fn a_file_that_is_not_audio_is_a_clear_error() {
        let dir = temp("corrupt");
        let source = dir.join("broken.wav");
        std::fs::write(&source, b"RIFF not really").unwrap();
        let cache = ShiftedMedia::new(dir.join("cache"));
        let shift = Shift::new(-3.0, 1.0).unwrap().unwrap();
        let error = cache
            .get("song", "original", &source, shift)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Render { path, .. } if path == &source),
            "{error}"
        );
    }
}
