//! Shared harness for ktv's cross-crate and end-to-end tests.
//!
//! The tests themselves live in `tests/tests/`, one file per behaviour. This library holds what
//! several of them need: building and locating the `ktv` binary, and running it as a child
//! process that is killed if a test fails half-way.

pub mod analysis;
pub mod process;
pub mod singing;
pub mod stems;
pub mod voice_frames;
pub mod voice_room;
