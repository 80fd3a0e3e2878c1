//! The mic seats: members take and leave them, the owner mutes and frees them.

use room_protocol::{MemberId, Seat};

use super::Room;
use crate::{Error, Result};

impl Room {
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
}
