//! The ktv service and command-line clients.
//!
//! `ktv-app` wires ktv's crates together: it is the only crate that depends on all of them,
//! and no crate depends on it. The `ktv` binary (`src/main.rs`) only parses arguments and calls
//! into this library, so everything here can be tested without a process.
//!
//! # Layout
//! - [`library`]: finds the songs in a library folder (`song.toml` per song folder).
//! - [`demo_songs`]: `ktv demo-songs`, the generator of the demo song library in `assets/`.
//! - [`lyrics_tool`]: `ktv lyrics check | convert | show`, the tool for content teams.
//! - [`score_tool`]: `ktv score SONG RECORDING`, offline scoring.
//! - [`http`]: the HTTP service, [`serve`]d on a listener until a shutdown future completes.
//! - [`room`]: rooms, roles, seats and the queue (pure rules), and the live rooms' registry.
//! - [`store`]: where rooms and results are kept (SQLite).
//! - [`client`]: `ktv sing` and `ktv listen`, the headless singer and listener.
//! - [`error`]: this crate's error type.
//!
//! How the parts fit together: `ARCHITECTURE.md`.

#![warn(clippy::unwrap_used)] // input data must never panic the process

pub mod client;
pub mod demo_songs;
pub mod error;
pub mod http;
pub mod lan;
pub mod library;
pub mod lyrics_tool;
pub mod room;
pub mod score_tool;
pub mod shutdown;
pub mod store;
pub mod video_tool;

pub use error::{Error, Result};
pub use http::{ServeConfig, serve};
pub use shutdown::shutdown_signal;
