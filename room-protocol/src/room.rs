//! A room as its members see it: who is in it and in what role, the mic seats, the queue and
//! the song on stage, without the secrets the service keeps.

use serde::{Deserialize, Serialize};

use crate::queue::{MemberId, QueueView, Request};

/// A member's role, derived from the room's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the room.
    Owner,
    /// On a mic seat.
    Singer,
    /// Listening.
    Audience,
}

/// A mic seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Seat {
    /// Who sits there.
    pub member: Option<MemberId>,
    /// Muted by the owner.
    pub muted: bool,
}

/// The song on stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Performance {
    /// The request being sung.
    pub request: Request,
    /// When it started (ms).
    pub started_at: u64,
    /// The last sign of life from the singer's client (ms).
    pub heartbeat_at: u64,
    /// The running score, as the service's referee has judged the singer so far.
    pub score: Option<f32>,
}

/// How a performance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// Sung to the end.
    Finished,
    /// Skipped (切歌) by the owner or the singer.
    Skipped,
    /// The singer's client went silent.
    Abandoned,
}

/// A performance that ended, for history and leaderboards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceResult {
    /// The song.
    pub song_id: String,
    /// Who sang.
    pub singer: String,
    /// The final score, if scored.
    pub score: Option<f32>,
    /// How it ended (incomplete unless finished).
    pub ending: Ending,
    /// When it started and ended (ms).
    pub started_at: u64,
    /// When it ended (ms).
    pub ended_at: u64,
}

/// A member as others see them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    /// Their id.
    pub id: MemberId,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// A room as its members see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomView {
    /// The room's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Bumped by every change.
    pub version: u64,
    /// The owner.
    pub owner: MemberId,
    /// Everyone.
    pub members: Vec<MemberView>,
    /// The mic seats.
    pub seats: Vec<Seat>,
    /// The songs.
    pub queue: QueueView,
    /// The song on stage.
    pub performance: Option<Performance>,
    /// Watchers connected with the join link (the audience at scale, not members).
    #[serde(default)]
    pub watching: usize,
}
