//! Judging a voice as it comes, in blocks each stamped with the song time it was sung at: the
//! singer's own dry-voice tap, or the voice frames a room's service receives. The tracker
//! counts samples; the song is what matters. Each block's stamp is an anchor, and every pitch
//! frame's time is read off the anchors around it, so a tempo preset, a pause, a restart or a
//! lost frame all line up. A key shift moves the music, so the singer sings shifted too: the
//! pitch is shifted back before it is judged.

use std::collections::VecDeque;

use lyrics::{Lyrics, SongTime, Voice};

use crate::error::Result;
use crate::event::LiveEvent;
use crate::judge::{Judge, JudgeSettings, Progress, SongResult};
use crate::pitch::{PitchFrame, PitchSettings, PitchTracker};

/// Anchors kept: enough to cover the tracker's window many times over.
const ANCHORS: usize = 64;

/// One voice of one song, judged live.
pub struct LiveJudge {
    tracker: PitchTracker,
    judge: Judge,
    gate_db: f32,
    /// Semitones the music is shifted by.
    key: f32,
    /// Samples fed to the tracker so far.
    fed: u64,
    /// (sample fed, song time in µs) at the start of recent blocks.
    anchors: VecDeque<(u64, f64)>,
    /// Frames the tracker completed in the last push (kept to reuse its buffer).
    frames: Vec<PitchFrame>,
    /// A judgement to take over, from the first block's time (see [`Judge::resume`]).
    resume: Option<Progress>,
}

impl LiveJudge {
    /// Judges `voice` of `lyrics` from mono audio at `rate`.
    pub fn new(
        lyrics: &Lyrics,
        voice: Voice,
        pitch: PitchSettings,
        judge: JudgeSettings,
        rate: u32,
    ) -> Result<LiveJudge> {
        Ok(LiveJudge {
            tracker: PitchTracker::new(pitch, rate)?,
            judge: Judge::new(lyrics, voice, judge)?,
            gate_db: pitch.gate_db,
            key: 0.0,
            fed: 0,
            anchors: VecDeque::with_capacity(ANCHORS),
            frames: Vec::with_capacity(4),
            resume: None,
        })
    }

    /// Takes over the judgement another judge of the song had come to, from the first
    /// block pushed on (see [`Judge::resume`]).
    pub fn resume(&mut self, progress: Progress) {
        self.resume = Some(progress);
    }

    /// How far the judgement has come.
    pub fn progress(&self) -> Progress {
        self.judge.progress()
    }

    /// The music's key shift from now on, in semitones.
    pub fn set_key(&mut self, semitones: f32) {
        self.key = semitones;
    }

    /// Takes `samples` whose first was sung at song time `at`; calls `out` with the events
    /// they lead to.
    pub fn push(&mut self, samples: &[f32], at: SongTime, out: &mut impl FnMut(LiveEvent)) {
        if let Some(progress) = self.resume.take() {
            self.judge.resume(progress, at);
        }
        if self.anchors.len() == ANCHORS {
            self.anchors.pop_front();
        }
        self.anchors.push_back((self.fed, at.as_micros() as f64));
        // In pieces that end where a hop ends, so each frame's time is known.
        let hop = self.tracker.hop() as u64;
        let half_window = (self.tracker.window() / 2) as u64;
        let mut rest = samples;
        while !rest.is_empty() {
            let take = ((hop - self.fed % hop) as usize).min(rest.len());
            let mut frames = std::mem::take(&mut self.frames);
            frames.clear();
            self.tracker.push(&rest[..take], |frame| frames.push(frame));
            self.fed += take as u64;
            rest = &rest[take..];
            for mut frame in frames.drain(..) {
                let Some(time) = self.song_time(self.fed.saturating_sub(half_window)) else {
                    continue;
                };
                frame.time = time;
                if frame.hz > 0.0 && self.key != 0.0 {
                    frame.hz *= 2f32.powf(-self.key / 12.0);
                }
                self.judge.push(&frame, self.gate_db, out);
            }
            self.frames = frames;
        }
    }

    /// Judges what is left and gives the song's result (its final events go to `out`).
    pub fn finish(self, out: &mut impl FnMut(LiveEvent)) -> SongResult {
        self.judge.finish(out)
    }

    /// The song time sample `index` was sung at, from the anchors around it.
    fn song_time(&self, index: u64) -> Option<SongTime> {
        let after = self.anchors.partition_point(|&(at, _)| at <= index);
        let (i0, t0) = *self.anchors.get(after.checked_sub(1)?)?;
        // Song time per sample fed: from the next anchor, else the last two.
        let slope = match (self.anchors.get(after), after.checked_sub(2)) {
            (Some(&(i1, t1)), _) if i1 > i0 => (t1 - t0) / (i1 - i0) as f64,
            (_, Some(before)) => {
                let (ib, tb) = self.anchors[before];
                if i0 > ib {
                    (t0 - tb) / (i0 - ib) as f64
                } else {
                    self.micros_per_sample()
                }
            }
            _ => self.micros_per_sample(),
        };
        let micros = t0 + (index - i0) as f64 * slope;
        Some(SongTime::from_micros(micros.round() as i64))
    }

    /// At tempo 1.
    fn micros_per_sample(&self) -> f64 {
        1e6 / f64::from(self.tracker.rate())
    }
}

#[cfg(test)]
mod tests {
    use lyrics::{LineBuilder, NoteKind, Pitch, ReferenceNote, WordTiming};

    use super::*;

    /// One line of one long note, A3 (220 Hz), from 1 s to 3 s.
    fn song() -> Lyrics {
        let note = ReferenceNote {
            start: SongTime::from_millis(1_000),
            duration: SongTime::from_millis(2_000),
            pitch: Pitch::from_midi(57.0),
            kind: NoteKind::Normal,
            voice: Voice::P1,
        };
        let mut line = LineBuilder::new();
        line.push(note.start, note.end(), "la");
        Lyrics {
            lines: vec![line.finish(Voice::P1, WordTiming::Exact, SongTime::ZERO)],
            notes: vec![note],
            ..Lyrics::default()
        }
    }

    /// The note sung at `hz`, as a singer at `tempo` would: silent for the first second of
    /// song, the tone for the next two, silent for one more.
    fn sung(hz: f32, tempo: f64) -> Vec<f32> {
        let rate = 48_000.0;
        let (from, to, len) = (rate / tempo, 3.0 * rate / tempo, 4.0 * rate / tempo);
        (0..len as usize)
            .map(|i| {
                let on = (from..to).contains(&(i as f64));
                let x = (std::f32::consts::TAU * hz * i as f32 / rate as f32).sin();
                if on { 0.3 * x } else { 0.0 }
            })
            .collect()
    }

    /// Judges `samples` fed in 20 ms blocks stamped from `first` on, at `tempo`.
    fn judged(samples: &[f32], first: SongTime, tempo: f64, key: f32) -> f32 {
        let rate = 48_000;
        let mut judge = LiveJudge::new(
            &song(),
            Voice::P1,
            PitchSettings::default(),
            JudgeSettings::default(),
            rate,
        )
        .unwrap();
        judge.set_key(key);
        let block = 960;
        for (i, chunk) in samples.chunks(block).enumerate() {
            let at = first.as_micros() as f64 + (i * block) as f64 * 1e6 / 48_000.0 * tempo;
            judge.push(chunk, SongTime::from_micros(at as i64), &mut |_| {});
        }
        judge.finish(&mut |_| {}).score
    }

    #[test]
    fn a_voice_on_the_note_scores_and_one_a_semitone_off_does_not() {
        let hit = judged(&sung(220.0, 1.0), SongTime::ZERO, 1.0, 0.0);
        let miss = judged(&sung(233.08, 1.0), SongTime::ZERO, 1.0, 0.0);
        assert!(hit >= 90.0, "on the note: {hit}");
        assert!(miss <= 60.0, "a semitone off: {miss}");
    }

    #[test]
    fn the_stamps_place_the_voice_not_the_sample_count() {
        // Sung on time, but the blocks say it all came 2.5 s later (after the note): missed,
        // however on pitch.
        let on = sung(220.0, 1.0);
        let late = judged(&on, SongTime::from_millis(2_500), 1.0, 0.0);
        assert!(late <= 30.0, "stamped late: {late}");
        // At half tempo the 2 s note lasts 4 s of singing; stamps at half speed line it up.
        let half = judged(&sung(220.0, 0.5), SongTime::ZERO, 0.5, 0.0);
        assert!(half >= 90.0, "at half tempo: {half}");
        // The same singing stamped as if at full tempo runs past the note.
        let unstretched = judged(&sung(220.0, 0.5), SongTime::ZERO, 1.0, 0.0);
        assert!(unstretched <= 60.0, "stamped at tempo 1: {unstretched}");
    }

    #[test]
    fn a_key_shift_is_taken_back_before_judging() {
        // The music two semitones up: the singer sings B3 for the A3 written.
        let up = sung(220.0 * 2f32.powf(2.0 / 12.0), 1.0);
        assert!(judged(&up, SongTime::ZERO, 1.0, 2.0) >= 90.0);
        assert!(judged(&up, SongTime::ZERO, 1.0, 0.0) <= 60.0);
    }
}
