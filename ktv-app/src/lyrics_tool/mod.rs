//! `ktv lyrics`: the lyrics tool for the people who prepare songs.
//!
//! - [`check`]: validates files and folders of lyrics in parallel (format and encoding
//!   detected, warnings and errors with line numbers, a summary table).
//! - [`convert`]: reads any format and writes LRC, enhanced LRC or UltraStar, optionally
//!   adding the reference melody from a pitch file.
//! - [`show`]: prints the timeline state at a song time.
//!
//! Each takes its output as a writer so tests read what a user would see.

mod check;
mod convert;
mod show;

pub use check::{CheckReport, FileReport, check};
pub use convert::convert;
pub use show::show;
