//! Keeping every listener's player aligned with the singer.
//!
//! The singer's side broadcasts sync messages (song start, position beats, pause, resume, seek,
//! stop) and each listener's player follows through delay, jitter, loss and clock drift. The
//! room service is each room's time reference and answers clock pings. This crate depends on
//! none of ktv's other crates and has its own wire time types (e.g. `MediaTime`).
//!
//! What it will hold (see `ARCHITECTURE.md`):
//! - the messages, a versioned binary envelope and a JSON form for the web page;
//! - a sans-IO core in the style of quinn-proto and str0m: messages and `now` in; messages,
//!   player steering (rate changes within ±0.2%, seeks beyond a threshold) and the next deadline
//!   out, so a seeded network simulator can drive it deterministically;
//! - NTP-style clock synchronisation, and thin UDP and WebSocket adapters behind a feature.
//!
//! Nothing is implemented yet: the sync issue delivers it.

#![warn(clippy::unwrap_used)] // input data must never panic the process
