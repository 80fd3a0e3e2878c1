//! The protocol's one error: a value outside the range the engine accepts.

/// A field of a request or control outside its range, named with the range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct OutOfRange(pub String);

/// The result type of this crate.
pub type Result<T, E = OutOfRange> = std::result::Result<T, E>;
