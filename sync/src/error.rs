//! The sync crate's errors: what was wrong with a message and where.

use thiserror::Error;

/// Everything that can go wrong reading or writing sync messages.
#[derive(Debug, Error, PartialEq)]
pub enum SyncError {
    /// Fewer bytes than the envelope needs.
    #[error("sync message truncated: {got} bytes, the envelope needs {needed}")]
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes there were.
        got: usize,
    },
    /// A wire version this build cannot read.
    #[error("sync message version {got} is not supported (this build reads version {supported})")]
    Version {
        /// The version on the message.
        got: u8,
        /// The version read here.
        supported: u8,
    },
    /// The envelope's length does not match the bytes that follow it.
    #[error("sync message declares a {declared}-byte body but {got} bytes follow")]
    Length {
        /// The length the envelope states.
        declared: usize,
        /// The bytes that follow.
        got: usize,
    },
    /// Something over its size limit.
    #[error("sync {what} is {len} bytes, over the limit of {max}")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A body that does not read as the message its type names.
    #[error("sync {what} body is malformed: {reason}")]
    Body {
        /// The message type.
        what: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// A number no player could act on.
    #[error("sync message {what} {value} is outside {min}..={max}")]
    OutOfRange {
        /// Which number.
        what: &'static str,
        /// Its value.
        value: f64,
        /// The least allowed.
        min: f64,
        /// The most allowed.
        max: f64,
    },
    /// A message that could not be written.
    #[error("sync message could not be encoded: {0}")]
    Encode(String),
    /// A socket or connection failed (adapters).
    #[error("sync {what}: {reason}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The error.
        reason: String,
    },
}

/// The crate's result type.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;
