//! Judging the singer against the reference melody, frame by frame, note by note, line by
//! line. The rules and every number are in the crate documentation.

use lyrics::{Lyrics, NoteKind, ReferenceNote, SongTime, Voice};

use crate::error::{Result, ScoringError};
use crate::event::{Grade, LiveEvent};
use crate::pitch::PitchFrame;

/// How strict the pitch judgement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// Full credit within 50 cents, none from 250.
    Easy,
    /// Full credit within 20 cents, none from 150.
    #[default]
    Normal,
    /// Full credit within 10 cents, none from 100.
    Hard,
}

impl Difficulty {
    /// (full-credit error, zero-credit error) in cents.
    pub fn curve(self) -> (f32, f32) {
        match self {
            Difficulty::Easy => (50.0, 250.0),
            Difficulty::Normal => (20.0, 150.0),
            Difficulty::Hard => (10.0, 100.0),
        }
    }

    /// Credit 0..=1 for a pitch error in cents (already folded to ±600).
    pub fn credit(self, error_cents: f32) -> f32 {
        let (full, zero) = self.curve();
        (1.0 - (error_cents.abs() - full) / (zero - full)).clamp(0.0, 1.0)
    }

    /// The difficulty named `name` (easy, normal, hard).
    pub fn from_name(name: &str) -> Option<Difficulty> {
        match name.to_ascii_lowercase().as_str() {
            "easy" => Some(Difficulty::Easy),
            "normal" => Some(Difficulty::Normal),
            "hard" => Some(Difficulty::Hard),
            _ => None,
        }
    }
}

/// How the judge judges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JudgeSettings {
    /// The pitch curve.
    pub difficulty: Difficulty,
    /// The microphone path's delay: frames are judged as if sung this much earlier.
    pub mic_delay: SongTime,
    /// A frame may match any note within this much of its time (onsets, glides, timing).
    pub timing_tolerance: SongTime,
    /// Unvoiced frames this close to a note's start or end are not counted (breath, attack).
    pub edge_grace: SongTime,
}

impl Default for JudgeSettings {
    fn default() -> Self {
        JudgeSettings {
            difficulty: Difficulty::Normal,
            mic_delay: SongTime::ZERO,
            timing_tolerance: SongTime::from_millis(80),
            edge_grace: SongTime::from_millis(60),
        }
    }
}

/// Frames either side of the judged one whose median pitch is judged (±90 ms at 10 ms hops:
/// one vibrato cycle, so vibrato is not punished).
const HALF: usize = 9;
/// Pitch events are sent for one frame in this many (20 a second at 10 ms hops).
const PITCH_EVENT_EVERY: u32 = 5;

#[derive(Debug, Clone, Copy)]
struct Heard {
    time: SongTime,
    midi: f32,
    voiced: bool,
    active: bool,
    level_db: f32,
}

/// How far above the room's level without singing a voiced frame must be to count as the
/// singer (dB): the accompaniment bleeding from the speakers alone is periodic too.
const ABOVE_ROOM_DB: f32 = 6.0;

/// What a voice's performance came to.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SongResult {
    /// The voice judged.
    pub voice: Voice,
    /// Score 0–100.
    pub score: f32,
    /// Points on the 10,000 scale.
    pub points: u32,
    /// Each line.
    pub lines: Vec<LineResult>,
}

/// One line's result.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineResult {
    /// Its index among the voice's lines.
    pub index: usize,
    /// Its text.
    pub text: String,
    /// When it starts.
    pub start: SongTime,
    /// Score 0–100.
    pub score: f32,
    /// Grade.
    pub grade: Grade,
}

struct LineRef {
    start: SongTime,
    text: String,
    /// Notes of this line: a range of indices.
    notes: std::ops::Range<usize>,
}

/// How far a judgement of a song has come: enough for another judge to take it over.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    /// Notes closed, from the voice's first.
    pub notes: usize,
    /// Lines closed, from the first.
    pub lines: usize,
    /// The closed notes' weight (seconds; golden notes double).
    pub weight: f32,
    /// Their credit, weighted the same.
    pub credit: f32,
    /// Lines scored.
    pub lines_judged: usize,
    /// Of those, the ones graded great or better (the points' bonus).
    pub great_lines: usize,
}

impl Progress {
    /// The score of what was judged so far (0–100), if anything was.
    pub fn score(&self) -> Option<f32> {
        (self.weight > 0.0).then(|| 100.0 * self.credit / self.weight)
    }
}

/// Judges one voice of a song from pitch frames, as they come.
pub struct Judge {
    voice: Voice,
    settings: JudgeSettings,
    notes: Vec<ReferenceNote>,
    lines: Vec<LineRef>,
    credit: Vec<f32>,
    counted: Vec<u32>,
    ring: [Heard; 2 * HALF + 1],
    ring_len: usize,
    next_note: usize,
    next_line: usize,
    /// (line index, score) of the lines closed here.
    line_scores: Vec<(usize, f32)>,
    /// What an earlier judge of the song had judged (nothing unless resumed).
    resumed: Progress,
    /// Notes before this one were judged by that earlier judge.
    first_note: usize,
    /// Notes that ended before this (the time between the earlier judge and this one,
    /// when nobody heard the singer) are not judged at all.
    heard_from: Option<SongTime>,
    frames: u32,
    /// The level (dBFS) of the room without singing, learned outside the notes.
    room_db: f32,
    /// Spans where any voice sings.
    busy: Vec<(SongTime, SongTime)>,
}

impl Judge {
    /// A judge of `voice` in `lyrics` (its notes are the reference melody).
    pub fn new(lyrics: &Lyrics, voice: Voice, settings: JudgeSettings) -> Result<Judge> {
        let mut notes: Vec<ReferenceNote> = lyrics
            .notes
            .iter()
            .filter(|n| n.voice == voice && n.kind != NoteKind::Freestyle)
            .copied()
            .collect();
        notes.sort_by_key(|n| n.start);
        if notes.is_empty() {
            return Err(ScoringError::NoNotes(voice));
        }
        let slack = SongTime::from_millis(50);
        let mut lines: Vec<LineRef> = Vec::new();
        for line in lyrics.lines.iter().filter(|l| l.voice.includes(voice)) {
            let from = notes.partition_point(|n| n.start < line.start - slack);
            let to = notes.partition_point(|n| n.start < line.end + slack);
            if to > from {
                lines.push(LineRef {
                    start: line.start,
                    text: line.text.clone(),
                    notes: from..to,
                });
            }
        }
        // When anyone (any voice) is meant to sing, merged into sorted spans.
        let mut spans: Vec<(SongTime, SongTime)> = lyrics
            .notes
            .iter()
            .map(|n| (n.start - slack, n.end() + slack))
            .collect();
        spans.sort();
        let mut busy: Vec<(SongTime, SongTime)> = Vec::with_capacity(spans.len());
        for (start, end) in spans {
            match busy.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => busy.push((start, end)),
            }
        }
        let count = notes.len();
        let empty = Heard {
            time: SongTime::ZERO,
            midi: 0.0,
            voiced: false,
            active: false,
            level_db: -120.0,
        };
        Ok(Judge {
            voice,
            settings,
            notes,
            lines,
            credit: vec![0.0; count],
            counted: vec![0; count],
            ring: [empty; 2 * HALF + 1],
            ring_len: 0,
            next_note: 0,
            next_line: 0,
            line_scores: Vec::with_capacity(count),
            resumed: Progress::default(),
            first_note: 0,
            heard_from: None,
            frames: 0,
            room_db: f32::NAN,
            busy,
        })
    }

    /// Takes the next pitch frame; calls `out` with the events it leads to.
    pub fn push(&mut self, frame: &PitchFrame, gate_db: f32, out: &mut impl FnMut(LiveEvent)) {
        let heard = Heard {
            time: frame.time - self.settings.mic_delay,
            midi: frame.midi().unwrap_or(0.0),
            voiced: frame.is_voiced(),
            active: frame.level_db >= gate_db,
            level_db: frame.level_db,
        };
        if self.room_db.is_nan() {
            self.room_db = gate_db;
        }
        self.frames = self.frames.wrapping_add(1);
        if self.frames.is_multiple_of(PITCH_EVENT_EVERY) {
            out(LiveEvent::Pitch {
                voice: self.voice,
                time: heard.time,
                midi: frame.midi(),
            });
        }
        if self.ring_len == self.ring.len() {
            self.ring.rotate_left(1);
            self.ring_len -= 1;
        }
        self.ring[self.ring_len] = heard;
        self.ring_len += 1;
        if self.ring_len > HALF {
            let judged = self.ring_len - 1 - HALF;
            self.judge(judged);
            let judged_to = self.ring[judged].time;
            self.close_until(judged_to, out);
        }
    }

    /// Ends the song: judges the frames still held and closes every note and line.
    pub fn finish(mut self, out: &mut impl FnMut(LiveEvent)) -> SongResult {
        let held = self.ring_len;
        for i in held.saturating_sub(HALF)..held {
            self.judge(i);
        }
        self.close_until(SongTime::MAX, out);
        let (score, points) = self.totals();
        out(LiveEvent::Song {
            voice: self.voice,
            score,
            points,
        });
        SongResult {
            voice: self.voice,
            score,
            points,
            lines: self
                .lines
                .iter()
                .enumerate()
                .filter_map(|(index, line)| {
                    let &(_, score) = self.line_scores.iter().find(|(i, _)| *i == index)?;
                    Some(LineResult {
                        index,
                        text: line.text.clone(),
                        start: line.start,
                        score,
                        grade: Grade::of(score),
                    })
                })
                .collect(),
        }
    }

    /// Judges the frame at ring position `i` with the median pitch of its neighbourhood.
    fn judge(&mut self, i: usize) {
        let heard = self.ring[i];
        let from = i.saturating_sub(HALF);
        let to = (i + HALF + 1).min(self.ring_len);
        let mut voiced = [0.0f32; 2 * HALF + 1];
        let mut n = 0;
        for h in &self.ring[from..to] {
            if h.voiced {
                voiced[n] = h.midi;
                n += 1;
            }
        }
        // An isolated unvoiced frame among voiced ones is a detector's slip, not silence; and
        // what is not clearly louder than the room without singing is not the singer.
        let above_room = heard.level_db >= self.room_db + ABOVE_ROOM_DB;
        let sung = (heard.voiced || n * 3 >= (to - from) * 2) && above_room;
        let midi = if n > 0 {
            let values = &mut voiced[..n];
            values.sort_by(f32::total_cmp);
            values[n / 2]
        } else {
            0.0
        };
        let t = heard.time;
        let tolerance = self.settings.timing_tolerance;
        // The note the frame is accounted to: the one sounding at `t`.
        let owner = self.notes.partition_point(|note| note.start <= t);
        let Some(owner) = owner.checked_sub(1).filter(|&k| t < self.notes[k].end()) else {
            // Where nobody sings (intro, rests; not the other voice's lines) the microphone
            // hears the room: learn its level slowly (1 s), so bleed is not taken for singing.
            let sung_by_anyone = self
                .busy
                .get(self.busy.partition_point(|&(_, end)| end <= t))
                .is_some_and(|&(start, _)| start <= t);
            if t > SongTime::ZERO && !sung_by_anyone {
                self.room_db += 0.01 * (heard.level_db.max(-120.0) - self.room_db);
            }
            return;
        };
        if owner < self.first_note {
            // Judged before this judge resumed.
            return;
        }
        let note = self.notes[owner];
        if !sung
            && (t - note.start < self.settings.edge_grace
                || note.end() - t <= self.settings.edge_grace)
        {
            return;
        }
        let mut credit = 0.0f32;
        if sung || heard.active {
            // Any note within the tolerance may be the one meant.
            let lo = self.notes.partition_point(|n| n.end() < t - tolerance);
            let hi = self.notes.partition_point(|n| n.start <= t + tolerance);
            for candidate in &self.notes[lo..hi] {
                let c = match candidate.kind {
                    // Rap: voice activity, not pitch.
                    NoteKind::Rap | NoteKind::GoldenRap if heard.active && above_room => 1.0,
                    NoteKind::Rap | NoteKind::GoldenRap => 0.0,
                    _ if sung && n > 0 => {
                        let error = (midi - candidate.pitch.midi()) * 100.0;
                        // Octave-folded to ±600 cents: singing an octave off is not punished.
                        let folded = (error + 600.0).rem_euclid(1200.0) - 600.0;
                        self.settings.difficulty.credit(folded)
                    }
                    _ => 0.0,
                };
                credit = credit.max(c);
            }
        }
        self.credit[owner] += credit;
        self.counted[owner] += 1;
    }

    /// Closes notes and lines that ended (with the tolerance) before `judged_to`.
    fn close_until(&mut self, judged_to: SongTime, out: &mut impl FnMut(LiveEvent)) {
        let tolerance = self.settings.timing_tolerance;
        while let Some(note) = self.notes.get(self.next_note) {
            if judged_to < note.end() + tolerance {
                break;
            }
            out(LiveEvent::Note {
                voice: self.voice,
                index: self.next_note,
                start: note.start,
                credit: self.note_credit(self.next_note),
            });
            self.next_note += 1;
        }
        while let Some(line) = self.lines.get(self.next_line) {
            if line.notes.end > self.next_note {
                break;
            }
            if !line.notes.clone().any(|k| self.judged_here(k)) {
                // Judged before, or never heard: not this judge's line.
                self.next_line += 1;
                continue;
            }
            let score = self.line_score(self.next_line);
            self.line_scores.push((self.next_line, score));
            out(LiveEvent::Line {
                voice: self.voice,
                index: self.next_line,
                score,
                grade: Grade::of(score),
            });
            self.next_line += 1;
        }
    }

    fn note_credit(&self, k: usize) -> f32 {
        if self.counted[k] == 0 {
            0.0
        } else {
            self.credit[k] / self.counted[k] as f32
        }
    }

    /// A note's weight: its duration, doubled for golden notes.
    fn weight(&self, k: usize) -> f32 {
        let note = &self.notes[k];
        let golden = matches!(note.kind, NoteKind::Golden | NoteKind::GoldenRap);
        note.duration.as_secs_f64() as f32 * if golden { 2.0 } else { 1.0 }
    }

    /// Whether note `k` counts in this judge's totals: not judged before it resumed, and not
    /// over before it heard the singer again.
    fn judged_here(&self, k: usize) -> bool {
        k >= self.first_note
            && self
                .heard_from
                .is_none_or(|from| self.notes[k].end() >= from)
    }

    fn line_score(&self, line: usize) -> f32 {
        let range = self.lines[line]
            .notes
            .clone()
            .filter(|&k| self.judged_here(k));
        let total: f32 = range.clone().map(|k| self.weight(k)).sum();
        let got: f32 = range.map(|k| self.weight(k) * self.note_credit(k)).sum();
        if total > 0.0 {
            100.0 * got / total
        } else {
            0.0
        }
    }

    /// (weight, weighted credit) of the notes `notes` counted here.
    fn weighed(&self, notes: std::ops::Range<usize>) -> (f32, f32) {
        notes
            .filter(|&k| self.judged_here(k))
            .fold((0.0, 0.0), |(total, got), k| {
                let weight = self.weight(k);
                (total + weight, got + weight * self.note_credit(k))
            })
    }

    /// How far the judgement has come, with what it resumed: what a judge that takes it
    /// over needs (see [`Judge::resume`]).
    pub fn progress(&self) -> Progress {
        let (weight, credit) = self.weighed(self.first_note..self.next_note);
        let great = self
            .line_scores
            .iter()
            .filter(|(_, s)| Grade::of(*s) >= Grade::Great)
            .count();
        Progress {
            notes: self.next_note,
            lines: self.next_line,
            weight: self.resumed.weight + weight,
            credit: self.resumed.credit + credit,
            lines_judged: self.resumed.lines_judged + self.line_scores.len(),
            great_lines: self.resumed.great_lines + great,
        }
    }

    /// Takes over a judgement another judge of the same song and voice had come to (a
    /// service that restarted mid-song): the notes and lines it judged stay as it judged
    /// them, and those that ended before `heard_from` (the first frame this judge is given)
    /// are not judged at all: nobody heard them. Call before the first frame.
    pub fn resume(&mut self, progress: Progress, heard_from: SongTime) {
        self.first_note = progress.notes.min(self.notes.len());
        self.next_note = self.first_note;
        self.next_line = progress.lines.min(self.lines.len());
        self.heard_from = Some(heard_from);
        self.resumed = progress;
    }

    fn totals(&self) -> (f32, u32) {
        let progress = self.progress();
        let (total, got) = {
            let (total, got) = self.weighed(self.next_note..self.notes.len());
            (progress.weight + total, progress.credit + got)
        };
        let score = if total > 0.0 {
            100.0 * got / total
        } else {
            0.0
        };
        let bonus = if progress.lines_judged == 0 {
            0.0
        } else {
            progress.great_lines as f32 / progress.lines_judged as f32
        };
        let points = (9_000.0 * score / 100.0 + 1_000.0 * bonus).round() as u32;
        (score, points)
    }
}

#[cfg(test)]
mod tests {
    use lyrics::{LineBuilder, Pitch, WordTiming};

    use super::*;

    fn note(start_ms: i64, ms: i64, midi: f32, kind: NoteKind, voice: Voice) -> ReferenceNote {
        ReferenceNote {
            start: SongTime::from_millis(start_ms),
            duration: SongTime::from_millis(ms),
            pitch: Pitch::from_midi(midi),
            kind,
            voice,
        }
    }

    fn song(notes: Vec<ReferenceNote>) -> Lyrics {
        let mut builder = LineBuilder::new();
        for n in &notes {
            builder.push(n.start, n.end(), "la ");
        }
        Lyrics {
            lines: vec![builder.finish(Voice::P1, WordTiming::Exact, SongTime::ZERO)],
            notes,
            ..Lyrics::default()
        }
    }

    /// Judges frames every 10 ms from 0 to `until_ms`, each from `sing(t_ms)`.
    fn judge(
        lyrics: &Lyrics,
        voice: Voice,
        until_ms: i64,
        sing: impl Fn(i64) -> (f32, bool, f32),
    ) -> SongResult {
        let mut judge = Judge::new(lyrics, voice, JudgeSettings::default()).unwrap();
        let mut sink = |_e: LiveEvent| {};
        for t in (0..until_ms).step_by(10) {
            let (midi, voiced, level_db) = sing(t);
            let frame = PitchFrame {
                time: SongTime::from_millis(t),
                hz: if voiced {
                    440.0 * 2f32.powf((midi - 69.0) / 12.0)
                } else {
                    0.0
                },
                voicing: if voiced { 1.0 } else { 0.0 },
                level_db,
            };
            judge.push(&frame, -45.0, &mut sink);
        }
        judge.finish(&mut sink)
    }

    #[test]
    fn golden_notes_weigh_double_and_freestyle_is_not_scored() {
        let lyrics = song(vec![
            note(0, 1000, 60.0, NoteKind::Golden, Voice::P1),
            note(1000, 1000, 62.0, NoteKind::Normal, Voice::P1),
            note(2000, 1000, 64.0, NoteKind::Freestyle, Voice::P1),
        ]);
        // Right on the golden note, a fifth off on the normal one, silent in the freestyle.
        let result = judge(&lyrics, Voice::P1, 3500, |t| match t {
            0..1000 => (60.0, true, -20.0),
            1000..2000 => (69.0, true, -20.0),
            _ => (0.0, false, -80.0),
        });
        assert!((result.score - 200.0 / 3.0).abs() < 1.5, "{}", result.score);
    }

    #[test]
    fn rap_notes_score_on_voice_activity() {
        let lyrics = song(vec![note(0, 1000, 60.0, NoteKind::Rap, Voice::P1)]);
        // Spoken (unvoiced but loud) throughout.
        let spoken = judge(&lyrics, Voice::P1, 1500, |_| (0.0, false, -20.0));
        assert!(spoken.score > 95.0, "{}", spoken.score);
        let silent = judge(&lyrics, Voice::P1, 1500, |_| (0.0, false, -80.0));
        assert_eq!(silent.score, 0.0);
    }

    #[test]
    fn duet_voices_are_judged_separately() {
        let lyrics = song(vec![
            note(0, 1000, 60.0, NoteKind::Normal, Voice::P1),
            note(1000, 1000, 67.0, NoteKind::Normal, Voice::P2),
        ]);
        // Only the first voice sings its note.
        let sing = |t: i64| {
            if t < 1000 {
                (60.0, true, -20.0)
            } else {
                (0.0, false, -80.0)
            }
        };
        assert!(judge(&lyrics, Voice::P1, 2500, sing).score > 95.0);
        assert_eq!(judge(&lyrics, Voice::P2, 2500, sing).score, 0.0);
    }

    #[test]
    fn credit_curves_follow_the_documented_numbers() {
        let normal = Difficulty::Normal;
        assert_eq!(normal.credit(20.0), 1.0);
        assert!((normal.credit(85.0) - 0.5).abs() < 1e-6);
        assert_eq!(normal.credit(150.0), 0.0);
        assert_eq!(Difficulty::Easy.credit(50.0), 1.0);
        assert_eq!(Difficulty::Hard.credit(100.0), 0.0);
        assert_eq!(Grade::of(90.0), Grade::Perfect);
        assert_eq!(Grade::of(29.9), Grade::Miss);
    }

    /// Two lines of two 400 ms notes: C4 D4 from 0 s, E4 F4 from 2 s.
    fn two_lines() -> Lyrics {
        let notes: Vec<ReferenceNote> = [(0, 60.0), (500, 62.0), (2_000, 64.0), (2_500, 65.0)]
            .into_iter()
            .map(|(ms, midi)| note(ms, 400, midi, NoteKind::Normal, Voice::P1))
            .collect();
        let lines = notes
            .chunks(2)
            .map(|pair| {
                let mut line = LineBuilder::new();
                for n in pair {
                    line.push(n.start, n.end(), "la ");
                }
                line.finish(Voice::P1, WordTiming::Exact, SongTime::ZERO)
            })
            .collect();
        Lyrics {
            lines,
            notes,
            ..Lyrics::default()
        }
    }

    /// Frames every 10 ms over `from..to` ms: the first line on pitch, the second a whole
    /// tone sharp (no credit).
    fn sing_into(judge: &mut Judge, from: i64, to: i64) {
        let lyrics = two_lines();
        for t in (from..to).step_by(10) {
            let sounding = lyrics.notes.iter().find(|n| {
                let t = SongTime::from_millis(t);
                n.start <= t && t < n.end()
            });
            let hz = sounding.map_or(0.0, |n| {
                let sharp = if n.start >= SongTime::from_millis(2_000) {
                    2.0
                } else {
                    0.0
                };
                440.0 * 2f32.powf((n.pitch.midi() + sharp - 69.0) / 12.0)
            });
            let frame = PitchFrame {
                time: SongTime::from_millis(t),
                hz,
                voicing: if hz > 0.0 { 1.0 } else { 0.0 },
                level_db: if hz > 0.0 { -20.0 } else { -70.0 },
            };
            judge.push(&frame, -45.0, &mut |_| {});
        }
    }

    #[test]
    fn a_resumed_judgement_keeps_what_was_judged_and_skips_what_nobody_heard() {
        let lyrics = two_lines();
        let fresh = || Judge::new(&lyrics, Voice::P1, JudgeSettings::default()).unwrap();
        let mut whole = fresh();
        sing_into(&mut whole, 0, 3_500);
        let whole = whole.finish(&mut |_| {});
        // The first line right, the second not: half the weight earned.
        assert!((whole.score - 50.0).abs() < 2.0, "{whole:?}");

        // Judged up to 1.5 s by one judge, taken over by another from there.
        let mut first = fresh();
        sing_into(&mut first, 0, 1_500);
        let progress = first.progress();
        assert_eq!(
            (progress.notes, progress.lines, progress.lines_judged),
            (2, 1, 1)
        );
        assert!(
            (progress.score().unwrap() - 100.0).abs() < 1.0,
            "{progress:?}"
        );
        let mut second = fresh();
        second.resume(progress, SongTime::from_millis(1_500));
        sing_into(&mut second, 1_500, 3_500);
        let taken_over = second.finish(&mut |_| {});
        assert!(
            (taken_over.score - whole.score).abs() < 0.5,
            "{taken_over:?} against {whole:?}"
        );
        assert_eq!(
            taken_over.lines.iter().map(|l| l.index).collect::<Vec<_>>(),
            [1]
        );

        // Heard again only from 2.45 s: the E4 (2.0–2.4 s) is nobody's to judge, so only the
        // F4 counts beside the first line; a judge that never had the first line scores 0.
        let mut late = fresh();
        late.resume(progress, SongTime::from_millis(2_450));
        sing_into(&mut late, 2_450, 3_500);
        let late = late.finish(&mut |_| {});
        assert!((late.score - 100.0 * 0.8 / 1.2).abs() < 2.0, "{late:?}");
        let mut unresumed = fresh();
        sing_into(&mut unresumed, 2_450, 3_500);
        assert!(unresumed.finish(&mut |_| {}).score < 1.0);
    }
}
