//! The room: answers clock pings from its own clock, relays the singer's messages to every
//! joined listener and keeps the latest song start and transport message for joiners.

use sync::{Message, ping, wire};

use super::{Party, Sim};

impl Sim {
    /// A packet `bytes` (decoded: `message`) reached the room from `from`.
    pub(super) fn room(&mut self, from: Party, message: Message, bytes: &[u8]) {
        let room_now = self.room_clock.local(self.now);
        match &message {
            Message::Ping(p) => {
                self.pings += 1;
                // The room answers at once: t2 = t3 here, as a busy room would be a little later.
                let pong = ping::answer(p, room_now, room_now);
                if let Ok(bytes) = wire::encode(&Message::Pong(pong)) {
                    self.send(Party::Room, from, bytes);
                }
            }
            Message::Pong(_) => {}
            _ if from == Party::Leader => {
                if matches!(message, Message::SongStart(_)) {
                    self.last_start = Some(bytes.to_vec());
                }
                if matches!(message, Message::Stop(_)) {
                    self.last_start = None;
                }
                self.last_transport = Some(bytes.to_vec());
                for i in 0..self.followers.len() {
                    if self.followers[i].is_some() {
                        self.relayed += 1;
                        self.send(Party::Room, Party::Follower(i), bytes.to_vec());
                    }
                }
            }
            _ => {}
        }
    }
}
