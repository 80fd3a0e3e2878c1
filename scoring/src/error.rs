//! Errors of the scoring crate.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScoringError {
    /// aubio refused its parameters (sample rate, window).
    #[error("pitch detector: {0}")]
    Detector(String),
    /// A sample rate the tracker cannot work at.
    #[error("sample rate {0} Hz is outside 8000..=192000")]
    SampleRate(u32),
    /// The song has no notes for the voice asked for.
    #[error("the song has no scored notes for {0:?}")]
    NoNotes(lyrics::Voice),
    /// The recording is too short or silent to calibrate from.
    #[error("calibration failed: {0}")]
    Calibration(String),
    /// Reading or writing calibration data.
    #[error("calibration file {path}: {reason}")]
    CalibrationFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
}

/// The result type of this crate.
pub type Result<T, E = ScoringError> = std::result::Result<T, E>;
