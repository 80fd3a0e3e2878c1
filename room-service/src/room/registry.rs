//! The service's live rooms: each behind its own short lock (never held across an await),
//! with a broadcast channel that carries every change to the room's members in order. What
//! members see is a [`RoomView`]: the room without its secrets, counting its watchers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use room_protocol::{RoomMessage, RoomView};
use tokio::sync::broadcast;

use crate::room::{Effect, Room};
use crate::{Error, Result};

/// Room events buffered per member before a slow one is dropped.
const EVENT_BUFFER: usize = 256;

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
            ..room.view()
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
            && let Ok(text) = serde_json::to_string(&RoomMessage::Control {
                version: room.version,
                control: control.clone(),
            })
        {
            let _ = self.events.send(text.into());
        }
        // Only what changed the room is broadcast (a heartbeat does not).
        if room.version != before
            && let Ok(text) = serde_json::to_string(&RoomMessage::Room {
                room: Box::new(view),
            })
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
