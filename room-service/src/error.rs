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
    /// A fault of the service itself (a poisoned lock, a task that panicked).
    #[error("internal error: {0}")]
    Internal(String),
    /// The database refused or failed a query.
    #[error("storage: {0}")]
    Storage(#[from] sqlx::Error),
    /// The database's schema could not be brought up to date.
    #[error("storage: migrating the schema: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The database's folder could not be created.
    #[error("storage: cannot create {path}: {source}")]
    StorageFolder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A room could not be written as JSON for storage.
    #[error("storage: encoding a room: {0}")]
    Encoding(#[from] serde_json::Error),
    /// The TLS certificate or key could not be read, made or used.
    #[error("TLS: {path}: {reason}")]
    Tls {
        /// The certificate (or key) file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A song's audio could not be rendered at a key or tempo.
    #[error("rendering {path} shifted: {reason}")]
    Render {
        /// The song's file.
        path: PathBuf,
        /// What the engine said.
        reason: String,
    },
    /// The HTTP server failed while serving.
    #[error("the HTTP server failed: {0}")]
    Serve(#[source] std::io::Error),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<room_protocol::OutOfRange> for Error {
    fn from(e: room_protocol::OutOfRange) -> Self {
        Error::BadRequest(e.0)
    }
}
