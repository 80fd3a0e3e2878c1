//! What the core tells a player to do, what a player tells the core, and the core's outputs.

use serde::{Deserialize, Serialize};

use crate::proto::{Message, SongStart};
use crate::time::{HostTime, MediaTime};

/// What a player should do. Instants are on the local host's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "steer", content = "args", rename_all = "snake_case")]
pub enum Steer {
    /// Load a new song (media, track, key, tempo); a `PlayAt` or `Pause` follows.
    Load(SongStart),
    /// Jump to `position` and start playing so that it is heard at `at` (the engine's
    /// `seek_at`); late frames skipped if the player is ready only after `at`.
    PlayAt {
        /// The song position heard at `at`.
        position: MediaTime,
        /// When, on the local clock.
        at: HostTime,
    },
    /// Stop moving at `at` (at once if that has passed) and hold `position`.
    Pause {
        /// Where to hold.
        position: MediaTime,
        /// When, on the local clock.
        at: HostTime,
    },
    /// Play at `rate` times the song's tempo (within ±0.2% of 1: drift correction).
    Rate(f64),
    /// Unload the song.
    Stop,
}

/// What a player reports, once per audio block: `position` is heard at `at` (local clock).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlayerReport {
    /// The song position.
    pub position: MediaTime,
    /// When it is heard.
    pub at: HostTime,
    /// Whether the player is moving.
    pub playing: bool,
}

/// An output of a sans-IO state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    /// Send this to the room.
    Send(Message),
    /// Do this to the local player.
    Steer(Steer),
    /// Nothing more now: call `handle_timeout` at this instant (or on the next input).
    Timeout(HostTime),
}
