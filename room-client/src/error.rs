//! Errors of ktv's headless clients.

use std::path::PathBuf;

/// What went wrong in a client, with the thing it went wrong on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The room service answered a call with an error.
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
    /// What the client was asked to do does not make sense (a bad id, a bad address).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Something needed that does not exist (a song's audio, a track).
    #[error("no {what} {id}")]
    NotFound {
        /// What kind of thing.
        what: &'static str,
        /// Its id as given.
        id: String,
    },
    /// The client has no credentials for what it tried.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
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
    /// A fault of the client itself (a thread that did not start, a broken channel).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
