//! The sync messages: what the singer's side says about its player (song start, position
//! beats, pause, resume, seek, stop) and the clock-sync exchange with the room. How they
//! travel is `wire`'s business.
//!
//! Every message from a leader carries the leader's session id and a sequence number; a
//! follower keeps the newest and drops older ones and duplicates, so loss, reordering and
//! duplication need no retransmission protocol. Each transport message states the whole
//! timeline (position at a room instant, rate, playing), so any one that arrives is enough.

use serde::{Deserialize, Serialize};

use crate::time::{HostTime, MediaTime};

/// Which track a singer's player plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackMode {
    /// The music without the lead vocal (伴奏).
    Accompaniment,
    /// The original recording (原唱).
    Original,
    /// The accompaniment with the vocal quietly under it (导唱).
    Guide,
}

/// Where a leader's timeline stands: `position` is (or will be) heard at `at` on the room's
/// clock, moving at `rate` song seconds per room second while `playing`. A paused timeline
/// with `at` ahead is a scheduled pause: moving until `at`, then holding `position`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transport {
    /// The leader's session (a new one resets sequence numbers).
    pub leader: u32,
    /// The leader's sequence number, one per message.
    pub seq: u64,
    /// The performance this is about (numbered by the leader; a new song, a new number).
    pub song: u64,
    /// The song position heard at `at`.
    pub position: MediaTime,
    /// An instant on the room's clock (possibly in the future: a scheduled start).
    pub at: HostTime,
    /// Song time per room time: the tempo times the player's rate; 1 for normal play.
    pub rate: f64,
    /// Whether the song is moving.
    pub playing: bool,
}

impl Transport {
    /// The leader's position at room instant `t`: extrapolated at `rate` while playing (and
    /// before a scheduled pause), held once paused.
    pub fn position_at(&self, t: HostTime) -> MediaTime {
        if self.playing || t < self.at {
            self.position + (t - self.at).scaled(self.rate)
        } else {
            self.position
        }
    }
}

/// A new song: what to load and how, with the timeline it starts on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SongStart {
    /// The timeline (normally `playing`, starting at a scheduled `at`).
    pub transport: Transport,
    /// The library's id of the song.
    pub song_id: String,
    /// Where the media is fetched from (a URL or a path on the room service).
    pub media: String,
    /// The track the singer plays.
    pub track_mode: TrackMode,
    /// Key shift in semitones.
    pub key: f32,
    /// Tempo (1 = as recorded).
    pub tempo: f32,
}

/// A clock-sync request: `sent` on the pinger's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ping {
    /// Chosen by the pinger to match the answer.
    pub id: u32,
    /// When it was sent, on the pinger's clock (t1).
    pub sent: HostTime,
}

/// The room's answer to a [`Ping`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pong {
    /// The ping's id.
    pub id: u32,
    /// The ping's `sent` (t1), echoed.
    pub ping_sent: HostTime,
    /// When the room received the ping, on its clock (t2).
    pub received: HostTime,
    /// When the room sent this answer, on its clock (t3).
    pub sent: HostTime,
}

/// Every sync message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// A new song starts.
    SongStart(SongStart),
    /// The leader's position, sent periodically.
    Beat(Transport),
    /// The leader paused (at `position`).
    Pause(Transport),
    /// The leader resumes (at `position`, heard at `at`).
    Resume(Transport),
    /// The leader jumped (to `position` at `at`).
    Seek(Transport),
    /// The song stopped.
    Stop(Transport),
    /// A clock-sync request to the room.
    Ping(Ping),
    /// The room's answer.
    Pong(Pong),
}

impl Message {
    /// The timeline a leader's message states, if it is one.
    pub fn transport(&self) -> Option<&Transport> {
        match self {
            Message::SongStart(start) => Some(&start.transport),
            Message::Beat(t)
            | Message::Pause(t)
            | Message::Resume(t)
            | Message::Seek(t)
            | Message::Stop(t) => Some(t),
            Message::Ping(_) | Message::Pong(_) => None,
        }
    }

    /// The message's name on the wire (JSON's `type`).
    pub fn name(&self) -> &'static str {
        match self {
            Message::SongStart(_) => "song_start",
            Message::Beat(_) => "beat",
            Message::Pause(_) => "pause",
            Message::Resume(_) => "resume",
            Message::Seek(_) => "seek",
            Message::Stop(_) => "stop",
            Message::Ping(_) => "ping",
            Message::Pong(_) => "pong",
        }
    }
}
