//! Keeping every listener's player aligned with the singer.
//!
//! The singer's side ([`Leader`]) broadcasts sync messages through the room: a song start,
//! position beats, pause, resume, seek, stop, each stating the whole timeline in the room's
//! clock. Each listener ([`Follower`]) estimates the room's clock (NTP's four timestamps,
//! [`clock`]), computes where the singer is now and steers its local player: a playback-rate
//! change within ±0.2% for small drift, a scheduled seek beyond a threshold (50 ms), with
//! hysteresis. The room answers clock pings ([`ping::answer`]) and relays the rest.
//!
//! The core is sans-IO, in the style of quinn-proto and str0m: messages, player reports and
//! `now` in; messages, player steering and the next deadline out ([`Output`]). It never reads
//! a clock, so a seeded test driver can run a singer and many listeners through an impaired
//! network faster than real time. Messages travel as a versioned binary envelope or as JSON ([`wire`]); the
//! singer's voice travels in the same envelope as frames of its own, stamped with the song
//! position they were sung at ([`voice`]).

#![warn(clippy::unwrap_used)] // input data must never panic the process

pub mod clock;
pub mod error;
pub mod follower;
pub mod leader;
#[cfg(feature = "net")]
pub mod net;
pub mod ping;
pub mod proto;
pub mod rate_limit;
pub mod steer;
pub mod time;
pub mod voice;
pub mod wire;

pub use error::{Result, SyncError};
pub use follower::{Follower, FollowerConfig, FollowerStats};
pub use leader::{Leader, LeaderConfig, SongInfo};
pub use proto::{Message, Ping, Pong, SongStart, TrackMode, Transport};
pub use steer::{Output, PlayerReport, Steer};
pub use time::{HostClock, HostTime, MediaTime, TimeDelta};
