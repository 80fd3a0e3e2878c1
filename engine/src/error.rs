//! Errors of the engine.

use std::path::PathBuf;

/// What went wrong in the engine, with the file or command it went wrong on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not audio in a format the engine decodes, or is corrupt where it was probed.
    #[error("cannot decode {path}: {reason}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },
    /// The file has no audio stream of the kind asked for.
    #[error("{path} has no audio stream {index} (it has {count})")]
    NoSuchStream {
        /// The file.
        path: PathBuf,
        /// The stream asked for.
        index: usize,
        /// How many audio streams it has.
        count: usize,
    },
    /// The command queue to the audio thread is full (the audio thread is not running, or
    /// commands come faster than blocks).
    #[error("the engine's command queue is full")]
    QueueFull,
    /// A playback rate outside the supported range.
    #[error("playback rate {0} is outside {min}..={max}", min = crate::MIN_RATE, max = crate::MAX_RATE)]
    RateOutOfRange(f64),
    /// A key shift outside the supported range.
    #[error("key shift {0} semitones is outside {min}..={max}", min = crate::MIN_KEY, max = crate::MAX_KEY)]
    KeyOutOfRange(f32),
    /// A tempo outside the supported range.
    #[error("tempo {0} is outside {min}..={max}", min = crate::MIN_TEMPO, max = crate::MAX_TEMPO)]
    TempoOutOfRange(f64),
    /// A gain outside 0..=[`crate::MAX_GAIN`].
    #[error("gain {0} is outside 0..={max}", max = crate::MAX_GAIN)]
    GainOutOfRange(f32),
    /// More of something than the engine holds at once.
    #[error("at most {max} {what} at once")]
    TooMany {
        /// What.
        what: &'static str,
        /// How many fit.
        max: usize,
    },
    /// The audio device or driver failed.
    #[error("audio device: {0}")]
    Device(String),
    /// Writing rendered audio failed.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The result type of the engine.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
