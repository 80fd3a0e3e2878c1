//! Criterion benchmarks of ktv.
//!
//! Each subject has one file in `benches/benches/` (lyrics parsing and timeline, decoding,
//! the process callback, pitch detection, rendering, sync fan-out). Every figure is reported as
//! a ratio to a baseline measured in the same run, because the machines that run them are
//! noisy. The README's test command runs each bench once in test mode so a bench that panics
//! fails; `cargo bench -p ktv-benches` measures.
//!
//! No benches exist yet: they arrive with the crates they measure.
