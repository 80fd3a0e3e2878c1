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
mod seats;
mod stage;

use std::collections::BTreeMap;

use room_protocol::{
    Control, Ending, MemberId, MemberView, Performance, PerformanceResult, QueueRules, RequestId,
    Role, RoomView, Seat, Singer,
};
use serde::{Deserialize, Serialize};

use crate::room::queue::Queue;
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
    /// How far the service's referee has judged the song on stage (its request's). Stored
    /// on its own (`Store::save_judgement`, after every line) and restored with the room, so
    /// a restarted service takes the judgement over rather than lose it.
    #[serde(skip)]
    pub judged: Option<(RequestId, scoring::Progress)>,
    /// The singer's timeline of the song on stage (its request's), as their last sync
    /// message said: the service ends the song when its music has ended.
    #[serde(skip)]
    pub timeline: Option<(RequestId, sync::Transport)>,
    /// Each member's open WebSockets.
    #[serde(skip)]
    pub sockets: std::collections::HashMap<MemberId, u32>,
    /// When the singer on stage closed their last socket (a closed tab, a phone gone): the
    /// song ends soon after unless they come back.
    #[serde(skip)]
    pub singer_left: Option<(RequestId, u64)>,
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
    /// The performance of a request ended (store its result); another may have started.
    Ended(RequestId, PerformanceResult),
}

/// A change that returns nothing else changed only the room's state.
impl From<()> for Effect {
    fn from((): ()) -> Effect {
        Effect::State
    }
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
            judged: None,
            timeline: None,
            sockets: Default::default(),
            singer_left: None,
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

    /// What members see of the room (without its watchers: the live room counts them).
    pub fn view(&self) -> RoomView {
        RoomView {
            id: self.id.clone(),
            name: self.settings.name.clone(),
            version: self.version,
            owner: self.owner,
            members: self
                .members
                .values()
                .map(|m| MemberView {
                    id: m.id,
                    name: m.name.clone(),
                    role: self.role(m.id),
                })
                .collect(),
            seats: self.seats.clone(),
            queue: self.queue.view().clone(),
            performance: self.performance.clone(),
            watching: 0,
        }
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
