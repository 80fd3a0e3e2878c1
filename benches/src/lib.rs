//! Criterion benchmarks of ktv, and the inputs they measure.
//!
//! Each subject has one file in `benches/benches/` (today: `lyrics.rs`; decoding, the process
//! callback, pitch detection, rendering and sync fan-out arrive with their crates). Every figure
//! is reported as a ratio to a baseline measured in the same run, because the machines that run
//! them are noisy. The README's test command runs each bench once in test mode, so a bench that
//! panics fails; `cargo bench -p ktv-benches` measures.
//!
//! This library holds the generators of bench inputs, deterministic so runs compare.

pub mod audio_input;
pub mod lyrics_input;
