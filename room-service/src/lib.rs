//! The ktv room service: what `ktv serve` runs.
//!
//! Rooms with their members, roles, mic seats and song queue; the song library; the HTTP API
//! and each member's WebSocket (room state, live controls, the sync relay and the singer's
//! audio, also over UDP); storage in SQLite; and the web page, embedded. What the service and
//! its clients say to each other is the `room-protocol` crate; the service is the source of
//! truth for everything members see.
//!
//! # Layout
//! - [`http`]: the HTTP service, [`serve`]d on a listener until a shutdown future completes.
//! - [`room`]: rooms, roles, seats and the queue (pure rules), and the live rooms' registry.
//! - [`library`]: finds the songs in a library folder (`song.toml` or UltraStar per song).
//! - [`referee`]: the service's own scoring of every singer, from the voice they send.
//! - [`store`]: where rooms and results are kept (SQLite).
//! - [`lan`]: the address a phone on the same network reaches the service at.
//! - [`tls`]: HTTPS, from the operator's certificate or a self-signed one for a LAN party.
//! - [`error`]: this crate's error type.
//!
//! How the parts fit together: `ARCHITECTURE.md`.

#![warn(clippy::unwrap_used)] // input data must never panic the process

pub mod error;
pub mod http;
pub mod lan;
pub mod library;
pub mod referee;
pub mod room;
pub mod store;
pub mod tls;

pub use error::{Error, Result};
pub use http::{HttpsBeside, ServeConfig, serve};
