//! Live pitch detection and karaoke scores singers trust.
//!
//! This crate hears the singer and scores them against the reference melody
//! (`lyrics::ReferenceNote`), live or offline. It builds on `lyrics` and nothing else of ktv's.
//!
//! # Layout
//! - [`pitch`]: [`PitchTracker`], streaming: mono blocks of any size at any rate in, a
//!   [`PitchFrame`] every 10 ms out (time, Hz, MIDI with cents, voicing, level); aubio for the
//!   period, plus voicing, octave continuity and silence gating of its own.
//! - [`judge`]: [`Judge`], one voice of a song: frames in, [`LiveEvent`]s out, a
//!   [`SongResult`] at the end.
//! - [`event`]: [`LiveEvent`], the one wire form of pitch, note, line and song results.
//! - [`score`]: [`score_recording`], the whole thing offline (`ktv score`).
//! - [`calibrate`]: the microphone delay from a recorded sweep, kept per device.
//!
//! # The rules, with every number
//!
//! **Frames.** Every 10 ms the tracker reports the pitch of a ~43 ms window (2048 samples at
//! 48 kHz). A frame is voiced when its normalized autocorrelation at the pitch period is high
//! (voicing 0 at 0.55, 1 at 0.80; voiced from 0.5) and its level is at least −45 dBFS.
//!
//! **Pitch error.** Each frame is judged on the median pitch of the voiced frames within
//! ±90 ms (one vibrato cycle), so vibrato and single wrong detections cost nothing. The error
//! to the reference note is folded into ±600 cents: singing an octave off is not punished. A
//! frame may match any note starting or ending within ±80 ms of it (onsets, glides, small
//! timing slips); it is accounted to the note sounding at its time. The microphone delay
//! ([`JudgeSettings::mic_delay`]) is taken off every frame's time first.
//!
//! **Credit curve** (cents of error → credit): full credit up to the inner bound, falling
//! linearly to zero at the outer one.
//!
//! | difficulty | full credit | no credit |
//! |---|---|---|
//! | Easy | ≤ 50 | ≥ 250 |
//! | Normal | ≤ 20 | ≥ 150 |
//! | Hard | ≤ 10 | ≥ 100 |
//!
//! **The room.** Where nobody is meant to sing (intro, rests; any voice's notes count) the
//! judge learns the level the microphone hears without singing (a 1 s average, starting at the
//! −45 dBFS gate); within a note a frame counts as sung only if it is at least 6 dB louder, so accompaniment bleeding from the
//! speakers, periodic as it is, earns nothing on its own.
//!
//! **Notes.** A note's credit is the mean of its frames' credits. An unvoiced frame earns
//! nothing, except that an unvoiced frame among mostly voiced neighbours (two thirds of ±90 ms)
//! is a detector's slip and is judged as sung; unvoiced frames within 60 ms of a note's start
//! or end (breath, attack, release) are not counted. Golden notes weigh double. Rap notes
//! score on voice activity (level above the gate), not pitch. Freestyle notes are not scored.
//! Duet voices are judged separately (one [`Judge`] per voice).
//!
//! **Lines.** At the end of a line: 0–100, the duration-weighted mean of its notes' credits,
//! and a grade: Perfect ≥ 90, Great ≥ 75, Good ≥ 55, OK ≥ 30, Miss below.
//!
//! **Song.** 0–100, the duration-weighted mean over all scored notes; and points on the
//! 10,000 scale UltraStar players know: 9,000 × score/100 from the notes plus a 1,000 line
//! bonus shared by the lines graded Great or better.
//!
//! **Live events.** A pitch event 20 times a second; a note event when a note and its
//! tolerance have passed; a line event as soon as its last note is judged; a song event at the
//! end.
//!
//! # Choosing aubio's method
//!
//! Measured on singing from the demo songs' voice generator (a male F3–F4 and a female C4–C5
//! melody of 30 notes; `tests/tests/scoring.rs`) and on the 107 s guide vocal of a demo song
//! (`cargo bench -p ktv-benches --bench scoring`), with this crate's front end, voicing and
//! octave choice around each:
//!
//! | method | raw pitch accuracy, clean (male / female) | with accompaniment at −10 dB | speed, real time × |
//! |---|---|---|---|
//! | YIN | 99.6% / 99.5% | 98.4% / 96.7% | ~36 |
//! | fast YIN (default) | 99.6% / 99.5% | 98.4% / 96.7% | ~310 |
//! | YIN-FFT | 99.6% / 100% | 97.7% / 99.8% | ~410 |
//!
//! Voicing false alarms were 0% for all three. Fast YIN gives YIN's estimates at about 9 times
//! its speed. YIN-FFT is faster still and better with a high voice under accompaniment, but
//! loses low voices: sung an octave below (87–175 Hz) its scores fell by 7 points where fast
//! YIN's did not move, so fast YIN is the default.
//!
//! # Example
//! ```no_run
//! use scoring::{JudgeSettings, PitchSettings, score_recording};
//!
//! # let lyrics = lyrics::Lyrics::default();
//! # let recording: Vec<f32> = Vec::new();
//! let (result, _events) = score_recording(
//!     &lyrics, lyrics::Voice::P1, &recording, 48_000,
//!     PitchSettings::default(), JudgeSettings::default(),
//! )?;
//! println!("{:.1} ({} points)", result.score, result.points);
//! # Ok::<(), scoring::ScoringError>(())
//! ```

#![warn(clippy::unwrap_used)] // input data must never panic the process

pub mod calibrate;
mod error;
pub mod event;
pub mod judge;
pub mod live;
pub mod pitch;
pub mod score;

pub use error::{Result, ScoringError};
pub use event::{Grade, LiveEvent};
pub use judge::{Difficulty, Judge, JudgeSettings, LineResult, Progress, SongResult};
pub use live::LiveJudge;
pub use pitch::{Method, PitchFrame, PitchSettings, PitchTracker};
pub use score::score_recording;
