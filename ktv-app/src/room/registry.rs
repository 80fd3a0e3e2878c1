//! The service's live rooms: each behind its own short lock (never held across an await),
//! with a broadcast channel that carries every change to the room's members in order. What
//! members see is a [`RoomView`]: the room without its secrets.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::room::queue::{MemberId, Queue};
use crate::room::{Control, Effect, Performance, Role, Room, Seat};
use crate::{Error, Result};

/// Room events buffered per member before a slow one is dropped.
const EVENT_BUFFER: usize = 256;

/// A member as others see them.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MemberView {
    /// Their id.
    pub id: MemberId,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// A room as its members see it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
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
    pub queue: Queue,
    /// The song on stage.
    pub performance: Option<Performance>,
    /// Watchers connected with the join link (the audience at scale, not members).
    #[serde(default)]
    pub watching: usize,
}

impl RoomView {
    /// What `room` shows.
    pub fn of(room: &Room) -> RoomView {
        RoomView {
            id: room.id.clone(),
            name: room.settings.name.clone(),
            version: room.version,
            owner: room.owner,
            members: room
                .members
                .values()
                .map(|m| MemberView {
                    id: m.id,
                    name: m.name.clone(),
                    role: room.role(m.id),
                })
                .collect(),
            seats: room.seats.clone(),
            queue: room.queue.clone(),
            performance: room.performance.clone(),
            watching: 0,
        }
    }
}

/// What a room's broadcast carries, as JSON text.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoomEvent<'a> {
    /// The whole room after a change.
    Room {
        /// The room.
        room: &'a RoomView,
    },
    /// A live control for the singer's engine.
    Control {
        /// The room's version after it.
        version: u64,
        /// The control.
        control: &'a Control,
    },
}

/// One live room.
pub struct LiveRoom {
    room: Mutex<Room>,
    events: broadcast::Sender<Arc<str>>,
    watchers: Arc<AtomicUsize>,
}

/// A watcher counted while this lives.
pub struct Watching(Arc<AtomicUsize>);

impl Drop for Watching {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl LiveRoom {
    fn new(room: Room) -> LiveRoom {
        LiveRoom {
            room: Mutex::new(room),
            events: broadcast::channel(EVENT_BUFFER).0,
            watchers: Arc::default(),
        }
    }

    /// Counts a watcher until the guard is dropped. Watchers come and go without a change
    /// to the room (at thousands a room, broadcasting each would be the room's whole
    /// traffic): the count shows in the next state sent.
    pub fn watch(&self) -> Watching {
        self.watchers.fetch_add(1, Ordering::Relaxed);
        Watching(Arc::clone(&self.watchers))
    }

    /// What members see of `room` now.
    pub fn view(&self, room: &Room) -> RoomView {
        RoomView {
            watching: self.watchers.load(Ordering::Relaxed),
            ..RoomView::of(room)
        }
    }

    /// The room's broadcast, for a member's connection.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.events.subscribe()
    }

    /// Reads the room.
    pub fn read<T>(&self, f: impl FnOnce(&Room) -> T) -> Result<T> {
        let room = self.room.lock().map_err(|_| poisoned())?;
        Ok(f(&room))
    }

    /// Updates the room in a way that is no change to its members (a heartbeat): nothing is
    /// broadcast, copied or stored.
    pub fn write<T>(&self, f: impl FnOnce(&mut Room) -> T) -> Result<T> {
        let mut room = self.room.lock().map_err(|_| poisoned())?;
        Ok(f(&mut room))
    }

    /// Applies a change; on success broadcasts the new state (and a control, if the change
    /// was one) in the lock's order, and returns the result, what it did beyond the state,
    /// and a copy of the room to store.
    pub fn act<T>(
        &self,
        f: impl FnOnce(&mut Room) -> Result<(T, Effect)>,
    ) -> Result<(T, Effect, Room)> {
        let mut room = self.room.lock().map_err(|_| poisoned())?;
        let before = room.version;
        let (value, effect) = f(&mut room)?;
        if room.version != before {
            // One change, one version, however many steps it took (a request that also
            // starts the song): clients see consecutive versions and can tell a gap.
            room.version = before + 1;
        }
        let view = self.view(&room);
        if let Effect::Control(control) = &effect
            && let Ok(text) = serde_json::to_string(&RoomEvent::Control {
                version: room.version,
                control,
            })
        {
            let _ = self.events.send(text.into());
        }
        // Only what changed the room is broadcast (a heartbeat does not).
        if room.version != before
            && let Ok(text) = serde_json::to_string(&RoomEvent::Room { room: &view })
        {
            // Nobody listening is not an error.
            let _ = self.events.send(text.into());
        }
        Ok((value, effect, room.clone()))
    }
}

fn poisoned() -> Error {
    Error::Internal("a room's lock was poisoned by a panic".into())
}

/// Every live room.
#[derive(Default)]
pub struct Registry {
    rooms: Mutex<HashMap<String, Arc<LiveRoom>>>,
}

impl Registry {
    /// Adds a room (a new one, or one loaded from storage).
    pub fn insert(&self, room: Room) -> Result<Arc<LiveRoom>> {
        let id = room.id.clone();
        let live = Arc::new(LiveRoom::new(room));
        self.rooms
            .lock()
            .map_err(|_| poisoned())?
            .insert(id, Arc::clone(&live));
        Ok(live)
    }

    /// The room with `id`.
    pub fn get(&self, id: &str) -> Result<Arc<LiveRoom>> {
        self.rooms
            .lock()
            .map_err(|_| poisoned())?
            .get(id)
            .cloned()
            .ok_or_else(|| Error::NotFound {
                what: "room",
                id: id.into(),
            })
    }

    /// Removes the rooms idle past their expiry at `now`; returns their ids.
    pub fn expire(&self, now: u64) -> Result<Vec<String>> {
        let mut rooms = self.rooms.lock().map_err(|_| poisoned())?;
        let expired: Vec<String> = rooms
            .iter()
            .filter(|(_, live)| live.read(|r| r.expired(now)).unwrap_or(false))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &expired {
            rooms.remove(id);
        }
        Ok(expired)
    }

    /// The ids of the live rooms.
    pub fn ids(&self) -> Result<Vec<String>> {
        Ok(self
            .rooms
            .lock()
            .map_err(|_| poisoned())?
            .keys()
            .cloned()
            .collect())
    }
}
