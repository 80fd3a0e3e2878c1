//! Rooms: who is in them and in what role, the mic seats, the song queue and what is being
//! sung. A [`Room`] is plain data and rules; every action names the member doing it and is
//! checked against their role here, so no transport (HTTP, WebSocket, tests) can skip a
//! check. The service keeps rooms behind short locks and stores them after each change.
//!
//! Roles, as KTV rooms have them: the **owner** manages the room (seats, queue order, skips,
//! walk-up singers); a member on a **mic seat** is a singer and may request songs; everyone
//! else is **audience** and listens. The singer on stage (and the owner) steer the live
//! controls.

pub mod queue;
pub mod registry;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::room::queue::{
    MemberId, NewRequest, Preset, Queue, QueueRules, Request, RequestId, Singer,
};
use crate::{Error, Result};

/// Mic seats in a room by default (as in Agora's KTV rooms).
pub const DEFAULT_SEATS: usize = 8;

/// How a room is set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomSettings {
    /// Its name.
    pub name: String,
    /// A password members need to join, if any.
    pub password: Option<String>,
    /// Mic seats.
    pub seats: usize,
    /// The room closes after this long without activity (seconds).
    pub idle_expiry_secs: u64,
    /// The queue's rules.
    pub rules: QueueRules,
}

impl Default for RoomSettings {
    fn default() -> Self {
        RoomSettings {
            name: "KTV".into(),
            password: None,
            seats: DEFAULT_SEATS,
            idle_expiry_secs: 4 * 3600,
            rules: QueueRules::default(),
        }
    }
}

/// A member's role, derived from the room's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the room.
    Owner,
    /// On a mic seat.
    Singer,
    /// Listening.
    Audience,
}

/// Someone in the room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Their id in the room.
    pub id: MemberId,
    /// Their display name.
    pub name: String,
    /// The secret their client authenticates with.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub secret: String,
    /// When they joined (ms).
    pub joined_at: u64,
}

/// A mic seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Seat {
    /// Who sits there.
    pub member: Option<MemberId>,
    /// Muted by the owner.
    pub muted: bool,
}

/// A live control, relayed to the singer's engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "control", rename_all = "snake_case")]
pub enum Control {
    /// Pause the song.
    Pause,
    /// Resume it.
    Resume,
    /// Start it again from the top (重唱).
    Restart,
    /// Switch the track.
    Mode {
        /// The track.
        mode: queue::TrackMode,
    },
    /// Shift the key.
    Key {
        /// Semitones, −12..=12.
        semitones: f32,
    },
    /// Music volume (0..=2, 1 = as mixed).
    MusicVolume {
        /// Linear gain.
        gain: f32,
    },
    /// Microphone volume (0..=2).
    MicVolume {
        /// Linear gain.
        gain: f32,
    },
    /// Voice effect preset (none, room, hall, ktv).
    Effect {
        /// The preset's name.
        preset: String,
    },
}

impl Control {
    fn check(&self) -> Result<()> {
        let bad = |what: &str, v: f32, lo: f32, hi: f32| {
            Err(Error::BadRequest(format!(
                "{what} {v} is outside {lo}..={hi}"
            )))
        };
        match self {
            Control::Key { semitones } if !(-12.0..=12.0).contains(semitones) => {
                bad("key", *semitones, -12.0, 12.0)
            }
            Control::MusicVolume { gain } | Control::MicVolume { gain }
                if !(0.0..=2.0).contains(gain) =>
            {
                bad("gain", *gain, 0.0, 2.0)
            }
            Control::Effect { preset }
                if !["none", "room", "hall", "ktv"].contains(&preset.as_str()) =>
            {
                Err(Error::BadRequest(format!(
                    "effect preset {preset:?} is not one of none, room, hall, ktv"
                )))
            }
            _ => Ok(()),
        }
    }
}

/// The song on stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Performance {
    /// The request being sung.
    pub request: Request,
    /// When it started (ms).
    pub started_at: u64,
    /// The last sign of life from the singer's client (ms).
    pub heartbeat_at: u64,
    /// The running score, as the singer's client last reported it.
    pub score: Option<f32>,
}

/// How a performance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// A room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Room {
    /// Its id (in its URLs).
    pub id: String,
    /// The token in its join link (who has the link may join).
    pub join_token: String,
    /// How it is set up.
    pub settings: RoomSettings,
    /// The owner.
    pub owner: MemberId,
    /// Everyone in it.
    pub members: BTreeMap<MemberId, Member>,
    /// The mic seats.
    pub seats: Vec<Seat>,
    /// The songs.
    pub queue: Queue,
    /// The song on stage.
    pub performance: Option<Performance>,
    /// Bumped by every change, so clients detect a missed update and resync.
    pub version: u64,
    /// The last change (ms), for idle expiry.
    pub active_at: u64,
    next_member: MemberId,
}

/// What a change did, for the room's broadcast and for the singer's engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Nothing beyond the new state.
    State,
    /// A live control for the singer's engine.
    Control(Control),
    /// A performance ended (store its result); another may have started.
    Ended(PerformanceResult),
}

impl Room {
    /// A new room owned by a member called `owner_name` whose client holds `secret`.
    pub fn new(
        id: String,
        join_token: String,
        settings: RoomSettings,
        (owner_name, secret): (String, String),
        now: u64,
    ) -> Result<Room> {
        check_name(&owner_name)?;
        let seats = settings.seats.clamp(1, 64);
        let mut room = Room {
            id,
            join_token,
            queue: Queue::new(settings.rules),
            settings,
            owner: 1,
            members: BTreeMap::new(),
            seats: vec![Seat::default(); seats],
            performance: None,
            version: 0,
            active_at: now,
            next_member: 1,
        };
        room.add_member(owner_name, secret, now);
        Ok(room)
    }

    fn add_member(&mut self, name: String, secret: String, now: u64) -> MemberId {
        let id = self.next_member;
        self.next_member += 1;
        self.members.insert(
            id,
            Member {
                id,
                name,
                secret,
                joined_at: now,
            },
        );
        id
    }

    fn changed(&mut self, now: u64) {
        self.version += 1;
        self.active_at = now;
    }

    /// The member whose client holds `secret`.
    pub fn authenticate(&self, member: MemberId, secret: &str) -> Result<&Member> {
        match self.members.get(&member) {
            Some(m)
                if !secret.is_empty()
                    && constant_time_eq(m.secret.as_bytes(), secret.as_bytes()) =>
            {
                Ok(m)
            }
            _ => Err(Error::Unauthorized(format!(
                "member {member} of room {} with that secret",
                self.id
            ))),
        }
    }

    /// A member's role.
    pub fn role(&self, member: MemberId) -> Role {
        if member == self.owner {
            Role::Owner
        } else if self.seat_of(member).is_some() {
            Role::Singer
        } else {
            Role::Audience
        }
    }

    fn seat_of(&self, member: MemberId) -> Option<usize> {
        self.seats.iter().position(|s| s.member == Some(member))
    }

    fn member(&self, member: MemberId) -> Result<&Member> {
        self.members.get(&member).ok_or_else(|| Error::NotFound {
            what: "member",
            id: member.to_string(),
        })
    }

    fn owner_only(&self, actor: MemberId, action: &'static str) -> Result<()> {
        if actor == self.owner {
            Ok(())
        } else {
            Err(Error::Forbidden {
                action,
                reason: format!("only the room's owner may (you are {:?})", self.role(actor)),
            })
        }
    }

    /// The room was loaded from storage at `now` after the service restarted: the time the
    /// service was down is nobody's silence, so the singer on stage gets a fresh heartbeat
    /// window to reconnect in (and the room a fresh idle window).
    pub fn restored(&mut self, now: u64) {
        if let Some(performance) = self.performance.as_mut() {
            performance.heartbeat_at = performance.heartbeat_at.max(now);
        }
        self.active_at = self.active_at.max(now);
    }

    /// Whether the room has been idle past its expiry at `now`.
    pub fn expired(&self, now: u64) -> bool {
        now.saturating_sub(self.active_at) > self.settings.idle_expiry_secs * 1000
    }

    /// Someone joins with the room's token (and password, if it has one); returns their id.
    pub fn join(
        &mut self,
        token: &str,
        password: Option<&str>,
        (name, secret): (String, String),
        now: u64,
    ) -> Result<MemberId> {
        self.admit(token, password, "join")?;
        check_name(&name)?;
        if self.members.len() >= MAX_MEMBERS {
            return Err(Error::Refused {
                action: "join",
                reason: format!("the room is full ({MAX_MEMBERS} members)"),
            });
        }
        let id = self.add_member(name, secret, now);
        self.changed(now);
        Ok(id)
    }

    /// Checks what whoever has the join link gives: its token and the room's password.
    /// Watching (the audience at scale: no name, no member record) needs no more.
    pub fn admit(&self, token: &str, password: Option<&str>, action: &'static str) -> Result<()> {
        if !constant_time_eq(token.as_bytes(), self.join_token.as_bytes()) {
            return Err(Error::Forbidden {
                action,
                reason: "the join token is not this room's".into(),
            });
        }
        if let Some(expected) = &self.settings.password
            && !password.is_some_and(|p| constant_time_eq(p.as_bytes(), expected.as_bytes()))
        {
            return Err(Error::Forbidden {
                action,
                reason: "the room's password is wrong".into(),
            });
        }
        Ok(())
    }

    /// A member leaves (or the owner removes them): their seat is freed and the songs they
    /// were to sing leave the queue. The owner cannot leave their own room.
    pub fn leave(&mut self, actor: MemberId, member: MemberId, now: u64) -> Result<Effect> {
        if actor != member {
            self.owner_only(actor, "remove a member")?;
        }
        self.member(member)?;
        if member == self.owner {
            return Err(Error::Refused {
                action: "leave",
                reason: "the owner cannot leave the room they manage".into(),
            });
        }
        for seat in &mut self.seats {
            if seat.member == Some(member) {
                *seat = Seat::default();
            }
        }
        self.queue.remove_member(member);
        self.members.remove(&member);
        let effect = match &self.performance {
            Some(p) if p.request.singer == Singer::Member(member) => {
                self.end_performance(Ending::Abandoned, now)
            }
            _ => Effect::State,
        };
        self.changed(now);
        Ok(effect)
    }

    /// `actor` takes seat `seat` (or the first free one).
    pub fn take_seat(&mut self, actor: MemberId, seat: Option<usize>, now: u64) -> Result<usize> {
        self.member(actor)?;
        if let Some(current) = self.seat_of(actor) {
            return Err(Error::Refused {
                action: "take a seat",
                reason: format!("you are on seat {current} already"),
            });
        }
        let index = match seat {
            Some(i) if i >= self.seats.len() => {
                return Err(Error::NotFound {
                    what: "seat",
                    id: i.to_string(),
                });
            }
            Some(i) if self.seats[i].member.is_some() => {
                return Err(Error::Refused {
                    action: "take a seat",
                    reason: format!("seat {i} is taken"),
                });
            }
            Some(i) => i,
            None => self
                .seats
                .iter()
                .position(|s| s.member.is_none())
                .ok_or(Error::Refused {
                    action: "take a seat",
                    reason: format!("all {} seats are taken", self.seats.len()),
                })?,
        };
        self.seats[index] = Seat {
            member: Some(actor),
            muted: false,
        };
        self.changed(now);
        Ok(index)
    }

    /// `actor` leaves their seat.
    pub fn leave_seat(&mut self, actor: MemberId, now: u64) -> Result<()> {
        let seat = self.seat_of(actor).ok_or(Error::Refused {
            action: "leave a seat",
            reason: "you are not on a seat".into(),
        })?;
        self.seats[seat] = Seat::default();
        self.changed(now);
        Ok(())
    }

    /// The owner mutes or unmutes a seat.
    pub fn mute_seat(&mut self, actor: MemberId, seat: usize, muted: bool, now: u64) -> Result<()> {
        self.owner_only(actor, "mute a seat")?;
        let slot = self.seats.get_mut(seat).ok_or_else(|| Error::NotFound {
            what: "seat",
            id: seat.to_string(),
        })?;
        slot.muted = muted;
        self.changed(now);
        Ok(())
    }

    /// The owner frees a seat (its singer goes back to the audience).
    pub fn free_seat(&mut self, actor: MemberId, seat: usize, now: u64) -> Result<()> {
        self.owner_only(actor, "free a seat")?;
        let slot = self.seats.get_mut(seat).ok_or_else(|| Error::NotFound {
            what: "seat",
            id: seat.to_string(),
        })?;
        *slot = Seat::default();
        self.changed(now);
        Ok(())
    }

    /// `actor` requests a song: a seated singer for themself, the owner for themself or for
    /// a walk-up singer by name.
    pub fn request(
        &mut self,
        actor: MemberId,
        (song_id, seconds): (String, u32),
        preset: Preset,
        walk_up: Option<String>,
        now: u64,
    ) -> Result<RequestId> {
        let role = self.role(actor);
        let singer = match walk_up {
            Some(name) => {
                self.owner_only(actor, "add a walk-up singer")?;
                check_name(&name)?;
                Singer::WalkUp(name)
            }
            None if role == Role::Audience => {
                return Err(Error::Forbidden {
                    action: "request a song",
                    reason: "take a mic seat first (the audience listens)".into(),
                });
            }
            None => Singer::Member(actor),
        };
        let new = NewRequest {
            song_id,
            seconds,
            singer,
            preset,
        };
        let id = self.queue.request(actor, role == Role::Owner, new, now)?.id;
        self.changed(now);
        Ok(id)
    }

    /// Removes a waiting request: the one who asked for it, its singer, or the owner.
    pub fn remove(&mut self, actor: MemberId, id: RequestId, now: u64) -> Result<()> {
        let request = self.queue.get(id).ok_or_else(|| Error::NotFound {
            what: "request",
            id: id.to_string(),
        })?;
        let own = request.requested_by == actor || request.singer == Singer::Member(actor);
        if !own {
            self.owner_only(actor, "remove another member's song")?;
        }
        self.queue.remove(id)?;
        self.changed(now);
        Ok(())
    }

    /// The owner pins a request to the top (置顶).
    pub fn pin(&mut self, actor: MemberId, id: RequestId, now: u64) -> Result<()> {
        self.owner_only(actor, "pin a song")?;
        self.queue.pin(id, now)?;
        self.changed(now);
        Ok(())
    }

    /// The owner moves a request.
    pub fn reorder(
        &mut self,
        actor: MemberId,
        id: RequestId,
        index: usize,
        now: u64,
    ) -> Result<()> {
        self.owner_only(actor, "reorder the queue")?;
        self.queue.reorder(id, index)?;
        self.changed(now);
        Ok(())
    }

    /// Announces the next song ("up next" is on screen): it stays next.
    pub fn announce_next(&mut self, now: u64) {
        let before = self.queue.version;
        self.queue.lock_next();
        if self.queue.version != before {
            self.changed(now);
        }
    }

    fn current_singer(&self) -> Option<&Singer> {
        self.performance.as_ref().map(|p| &p.request.singer)
    }

    fn owner_or_singer(&self, actor: MemberId, action: &'static str) -> Result<()> {
        if actor == self.owner || self.current_singer() == Some(&Singer::Member(actor)) {
            Ok(())
        } else {
            Err(Error::Forbidden {
                action,
                reason: format!(
                    "only the owner or the singer on stage may (you are {:?})",
                    self.role(actor)
                ),
            })
        }
    }

    /// Skips the song on stage (切歌): the owner or its singer.
    pub fn skip(&mut self, actor: MemberId, now: u64) -> Result<Effect> {
        self.owner_or_singer(actor, "skip the song")?;
        let effect = self.end_performance(Ending::Skipped, now);
        self.changed(now);
        Ok(effect)
    }

    /// Starts the next song if none is on stage (the room's service calls this when the
    /// queue gets its first song or the singer's client is ready).
    pub fn start_next(&mut self, now: u64) -> Effect {
        if self.performance.is_some() {
            return Effect::State;
        }
        let effect = self.end_performance(Ending::Finished, now);
        self.changed(now);
        effect
    }

    /// The singer's client says the song ended. Naming the request it sang keeps a late
    /// report from ending the next singer's song.
    pub fn finished(
        &mut self,
        actor: MemberId,
        request: Option<RequestId>,
        score: Option<f32>,
        now: u64,
    ) -> Result<Effect> {
        self.owner_or_singer(actor, "end the song")?;
        self.still_on_stage(request, "end the song")?;
        if let Some(p) = self.performance.as_mut() {
            p.score = score.or(p.score);
        }
        let effect = self.end_performance(Ending::Finished, now);
        self.changed(now);
        Ok(effect)
    }

    /// A sign of life (and the running score) from the singer's client, about `request`
    /// when it names one.
    pub fn heartbeat(
        &mut self,
        actor: MemberId,
        request: Option<RequestId>,
        score: Option<f32>,
        now: u64,
    ) -> Result<()> {
        self.owner_or_singer(actor, "report on the song")?;
        self.still_on_stage(request, "report on the song")?;
        if let Some(p) = self.performance.as_mut() {
            p.heartbeat_at = now;
            p.score = score.or(p.score);
        }
        Ok(())
    }

    /// Refuses a report about a request that is no longer the one on stage.
    fn still_on_stage(&self, request: Option<RequestId>, action: &'static str) -> Result<()> {
        let on_stage = self.performance.as_ref().map(|p| p.request.id);
        match request {
            Some(id) if on_stage != Some(id) => Err(Error::Refused {
                action,
                reason: format!("request {id} is no longer on stage"),
            }),
            _ => Ok(()),
        }
    }

    /// Ends the performance if its singer's client has been silent for `timeout` ms: the
    /// result is stored as abandoned and the room moves on.
    pub fn check_heartbeat(&mut self, timeout: u64, now: u64) -> Option<Effect> {
        let silent = self
            .performance
            .as_ref()
            .is_some_and(|p| now.saturating_sub(p.heartbeat_at) > timeout);
        if !silent {
            return None;
        }
        let effect = self.end_performance(Ending::Abandoned, now);
        self.changed(now);
        Some(effect)
    }

    /// Ends what is on stage (if anything) and puts the next request on.
    fn end_performance(&mut self, ending: Ending, now: u64) -> Effect {
        let ended = self.performance.take().map(|p| PerformanceResult {
            song_id: p.request.song_id.clone(),
            singer: self.singer_name(&p.request.singer),
            score: p.score,
            ending,
            started_at: p.started_at,
            ended_at: now,
        });
        let (_, next) = self.queue.advance();
        self.performance = next.cloned().map(|request| Performance {
            request,
            started_at: now,
            heartbeat_at: now,
            score: None,
        });
        match ended {
            Some(result) => Effect::Ended(result),
            None => Effect::State,
        }
    }

    /// A singer's display name.
    pub fn singer_name(&self, singer: &Singer) -> String {
        match singer {
            Singer::Member(id) => self
                .members
                .get(id)
                .map_or_else(|| format!("member {id}"), |m| m.name.clone()),
            Singer::WalkUp(name) => name.clone(),
        }
    }

    /// A live control from `actor`: the owner or the singer on stage.
    pub fn control(&mut self, actor: MemberId, control: Control, now: u64) -> Result<Effect> {
        self.owner_or_singer(actor, "use the live controls")?;
        if self.performance.is_none() {
            return Err(Error::Refused {
                action: "use the live controls",
                reason: "no song is on".into(),
            });
        }
        control.check()?;
        if let (Control::Mode { mode }, Some(p)) = (&control, self.performance.as_mut()) {
            p.request.preset.mode = *mode;
        }
        if let (Control::Key { semitones }, Some(p)) = (&control, self.performance.as_mut()) {
            p.request.preset.key = *semitones;
        }
        self.changed(now);
        Ok(Effect::Control(control))
    }
}

/// Members per room at most.
pub const MAX_MEMBERS: usize = 10_000;

fn check_name(name: &str) -> Result<()> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 40 || trimmed.chars().any(char::is_control) {
        return Err(Error::BadRequest(format!(
            "name {name:?} must be 1 to 40 printable characters"
        )));
    }
    Ok(())
}

/// Compares secrets without leaking where they differ through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests;
