//! The headless clients: `ktv sing`, a singer whose engine plays their song while it is scored
//! live and whose sync leader tells the room where the song is, and `ktv listen`, a listener
//! whose sync follower steers its own engine to play the song in step with the singer. Both
//! speak to the room service over its HTTP API and one member WebSocket, and carry on through
//! dropped connections and service restarts: the sync machines and the engine live on while
//! the socket reconnects.
//!
//! # Layout
//! - [`api`]: the service's HTTP API (join, seat, request, song details, reports, media).
//! - [`socket`]: the member WebSocket, reconnected with backoff, as a stream of typed events.
//! - [`songs`]: songs fetched from the service (media and lyrics), cached on disk.
//! - [`player`]: the engine as the sync crate's player, and the audio device it plays on.
//! - [`mic`]: a recording fed to the engine as the singer's microphone, sung along.
//! - [`live_score`]: the scoring thread: the engine's dry-voice tap, pitch, the judge.
//! - [`frames`]: the lyric video the client would show, written as PNG frames.
//! - [`position_log`]: the engine's position clock sampled against the wall clock.
//! - [`voice`]: the singer's voice to the audience (Opus frames stamped with song positions).
//! - [`time`]: the conversions between engine frames, song time and sync's media time.
//! - [`udp`]: the listener's end of the room's UDP path for that audio.
//! - [`sing`], [`listen`]: the two clients.
//! - [`error`]: this crate's error type.
//!
//! What they say to the service is the `room-protocol` crate's.

#![warn(clippy::unwrap_used)] // input data must never panic the process

pub mod api;
pub mod error;
pub mod frames;
pub mod listen;
pub mod live_score;
pub mod mic;
pub mod player;
pub mod position_log;
pub mod sing;
pub mod socket;
pub mod songs;
pub mod time;
pub mod udp;
pub mod voice;

pub use error::{Error, Result};

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sync::net::Machine;
use sync::{Output, Steer};

use room_protocol::{Credentials, MemberId};

use crate::api::Api;
use crate::player::EnginePlayer;
use crate::socket::RoomSocket;

/// Who a client is in the room.
#[derive(Debug, Clone)]
pub enum JoinAs {
    /// A member already (coming back): their id and secret.
    Member {
        /// The member.
        member: MemberId,
        /// Their secret.
        secret: String,
    },
    /// Someone with the room's join link: its token, a name, the room's password if it has
    /// one.
    Token {
        /// The join link's token.
        token: String,
        /// The name others see.
        name: String,
        /// The room's password.
        password: Option<String>,
    },
    /// A watcher with the room's join link: no name, no member record; hears the room but
    /// cannot act in it (the audience at scale).
    Watch {
        /// The join link's token.
        token: String,
        /// The room's password.
        password: Option<String>,
    },
}

/// Joins `room` as `who` says, and calls as that member from then on; a watcher has no
/// member id.
pub async fn join(api: &mut Api, room: &str, who: &JoinAs) -> Result<Option<MemberId>> {
    let credentials = match who {
        JoinAs::Watch { token, password } => {
            api.as_watcher(room, token, password.as_deref());
            return Ok(None);
        }
        JoinAs::Member { member, secret } => Credentials {
            room: room.to_owned(),
            join_token: String::new(),
            member: *member,
            secret: secret.clone(),
        },
        JoinAs::Token {
            token,
            name,
            password,
        } => api.join(room, token, name, password.as_deref()).await?,
    };
    let member = credentials.member;
    api.as_member(credentials);
    // A wrong member or secret is said now, not as a socket that never connects.
    api.room().await?;
    Ok(Some(member))
}

/// What a client writes beside playing: the position log and the lyric video, as asked.
pub struct Outputs {
    /// The lyric video's writer, to show the song and the scoring events on.
    pub frames: Option<frames::FrameWriter>,
    _log: Option<position_log::PositionLog>,
}

impl Outputs {
    /// Starts the position log at `log` (with `behind`: how far behind the singer the client
    /// means to play) and the frame writer into `render` at its frame rate.
    pub fn start(
        player: &mut EnginePlayer,
        clocks: &Clocks,
        log: Option<&std::path::Path>,
        behind: Arc<position_log::Behind>,
        render: Option<(&std::path::Path, f64)>,
    ) -> Result<Outputs> {
        let position = player.engine().position_clock();
        let log = match log {
            Some(path) => Some(position_log::PositionLog::start(
                path,
                Arc::clone(&position),
                clocks.clone(),
                behind,
            )?),
            None => None,
        };
        let frames = match render {
            Some((dir, fps)) => Some(frames::FrameWriter::start(
                dir.to_owned(),
                (1280, 720),
                fps,
                position,
                clocks.clone(),
            )?),
            None => None,
        };
        Ok(Outputs { frames, _log: log })
    }
}

/// The room's WebSocket, as the member or watcher `api` calls as; `options` adds to its query
/// (`&udp=1`).
pub fn open_socket(api: &Api, options: &str) -> Result<RoomSocket> {
    let url = api
        .socket_url()
        .ok_or_else(|| crate::Error::Unauthorized("the client has not joined a room".into()))?;
    Ok(RoomSocket::open(url + options))
}

/// Carries out what a sync machine has to say: messages to the room, steering to the
/// player; returns the machine's next deadline.
pub fn drain<M: Machine>(
    machine: &mut M,
    player: &mut EnginePlayer,
    socket: &RoomSocket,
) -> sync::HostTime {
    loop {
        match machine.poll_output() {
            Output::Send(message) => socket.send_sync(&message),
            Output::Steer(steer) => {
                if !matches!(steer, Steer::Rate(_)) {
                    tracing::debug!(?steer, "steer");
                }
                player.steer(&steer);
            }
            Output::Timeout(at) => return at,
        }
    }
}

/// One process's clocks, from one instant: the engine's host clock (ns), the sync crate's
/// clock (µs) and the wall clock, so each conversion between them happens here and nowhere
/// else.
#[derive(Debug, Clone)]
pub struct Clocks {
    /// The engine's host clock.
    pub engine: engine::HostClock,
    /// The sync machines' clock: the same origin in microseconds.
    pub net: sync::net::NetClock,
    /// Microseconds since the Unix epoch at the origin.
    wall_at_origin: i64,
}

impl Clocks {
    /// The clocks of this process, from now.
    pub fn start() -> Clocks {
        let origin = Instant::now();
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as i64);
        Clocks {
            engine: engine::HostClock::with_epoch(origin),
            net: sync::net::NetClock::new(origin, sync::time::HostClock::default()),
            wall_at_origin: wall - origin.elapsed().as_micros() as i64,
        }
    }

    /// A sync instant on the engine's clock.
    pub fn to_engine(&self, t: sync::HostTime) -> engine::HostTime {
        engine::HostTime::from_nanos(t.as_micros().max(0) as u64 * 1000)
    }

    /// An engine instant on the sync clock.
    pub fn to_sync(&self, t: engine::HostTime) -> sync::HostTime {
        sync::HostTime::from_micros((t.as_nanos() / 1000) as i64)
    }

    /// An engine instant as microseconds since the Unix epoch: comparable between the
    /// processes of one machine (what the end-to-end tests line up).
    pub fn to_wall_micros(&self, t: engine::HostTime) -> i64 {
        self.wall_at_origin + (t.as_nanos() / 1000) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clocks_convert_both_ways_on_one_origin() {
        let clocks = Clocks::start();
        let t = sync::HostTime::from_micros(1_234_567);
        assert_eq!(clocks.to_sync(clocks.to_engine(t)), t);
        assert_eq!(clocks.to_engine(t).as_nanos(), 1_234_567_000);
        let now = clocks.engine.now();
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_micros() as i64;
        assert!((clocks.to_wall_micros(now) - wall).abs() < 5_000);
    }
}
