//! Live pitch detection and karaoke scoring.
//!
//! This crate hears the singer and scores them against the reference melody
//! (`lyrics::ReferenceNote`), live. It builds on `lyrics` and on nothing else of ktv's.
//!
//! What it will hold (see `ARCHITECTURE.md`):
//! - a streaming pitch detector built on the `aubio` crate: mono blocks of any size in, pitch
//!   frames (time, Hz, MIDI note with cents, voicing) out at a fixed hop, without allocating per
//!   block;
//! - the judge: per-frame credit in cents, octave-folded, per-note, per-line and per-song scores
//!   and grades, with every rule and number documented here;
//! - `LiveEvent` (serde): the one wire form of pitch, note and line results, which the service
//!   relays without looking inside;
//! - mic latency calibration from a recorded loopback of a test signal.
//!
//! Nothing is implemented yet: the scoring issue delivers it.

#![warn(clippy::unwrap_used)] // input data must never panic the process
