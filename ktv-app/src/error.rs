//! Errors of the ktv service.

use std::path::PathBuf;

/// What went wrong in the service, with the thing it went wrong on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The song library folder could not be read.
    #[error("cannot read the song library folder {path}: {source}")]
    LibraryUnreadable {
        /// The folder that was scanned.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// A song folder's `song.toml` is missing, unreadable or does not describe its files.
    #[error("{path}: {reason}")]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong, naming the field.
        reason: String,
    },
    /// A song's lyrics file could not be read or parsed.
    #[error("{path}: {reason}")]
    Lyrics {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line where there is one.
        reason: String,
    },
    /// A request that does not make sense (a field out of range, malformed input).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Something named that does not exist.
    #[error("no {what} {id}")]
    NotFound {
        /// What kind of thing.
        what: &'static str,
        /// Its id as given.
        id: String,
    },
    /// The caller could not be identified (no or a wrong member secret).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The caller's role does not allow the action.
    #[error("{action} is not allowed: {reason}")]
    Forbidden {
        /// What was attempted.
        action: &'static str,
        /// Why not, naming the role.
        reason: String,
    },
    /// The action is allowed but the room's state or rules refuse it now (a limit, a
    /// taken seat).
    #[error("{action} refused: {reason}")]
    Refused {
        /// What was attempted.
        action: &'static str,
        /// Why.
        reason: String,
    },
    /// A fault of the service itself (a poisoned lock, a storage failure).
    #[error("internal error: {0}")]
    Internal(String),
    /// The room service answered a client's call with an error.
    #[error("{call}: the service answered {status}: {message}")]
    Remote {
        /// The call, as method and path.
        call: String,
        /// The HTTP status.
        status: u16,
        /// The service's message.
        message: String,
    },
    /// The room service could not be reached, or the connection broke.
    #[error("{call}: {reason}")]
    Unreachable {
        /// What was being done.
        call: String,
        /// Why it failed.
        reason: String,
    },
    /// The audio engine refused a command or could not start.
    #[error("{what}: {error}")]
    Engine {
        /// What was being done.
        what: &'static str,
        /// The engine's error.
        error: engine::EngineError,
    },
    /// Live scoring could not start.
    #[error("live scoring: {0}")]
    Scoring(#[from] scoring::ScoringError),
    /// A client's file (a song cache, a log, a frame) could not be written or read.
    #[error("{path}: {error}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The HTTP server failed while serving.
    #[error("the HTTP server failed: {0}")]
    Serve(#[source] std::io::Error),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
