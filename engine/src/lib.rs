//! The real-time audio engine.
//!
//! This crate plays songs and mixes in the singer's microphone with the real-time discipline a
//! live performance needs: the audio callback never allocates, frees, locks, blocks or does I/O.
//! It depends on none of ktv's other crates; it speaks frames at its sample rate plus the host
//! instant they were valid at, and `ktv-app` converts those to song time.
//!
//! What it will hold (see `ARCHITECTURE.md`):
//! - `EngineHandle` (control side: commands in, events out) and `Processor` (audio side),
//!   joined only by lock-free queues and atomics;
//! - sources: symphonia decoding and rubato resampling on a decode thread into a ring, the
//!   accompaniment and original-vocal tracks in lockstep;
//! - the transport and the position clock (frames played plus the host instant they were valid
//!   at, published as one consistent value);
//! - drivers behind one `Driver` seam: an offline driver (deterministic, as fast as it can, or
//!   paced on the host clock) and cpal (ALSA, and JACK through cpal's `jack` feature);
//! - microphone input, monitoring, track modes, voice effects, key shift and recording.
//!
//! Nothing is implemented yet: the two engine issues deliver it.

#![warn(clippy::unwrap_used)] // input data must never panic the process
