//! A room's song queue, as KTV rooms run it: requests (点歌) with a per-request preset,
//! removal, pinning (置顶; the latest pin first), owner reordering, skipping (切歌), the next
//! song on song end, per-member limits by count and by total time, an optional fair rotation
//! (one song per singer per round, a newcomer placed fairly), the next song locked once
//! announced, and walk-up singers the owner adds by name.
//!
//! Pure data and rules: who may do what is the room's business; this module keeps the order.
//! Every change bumps `version`, which clients use to detect a missed update.

use std::collections::HashSet;

use room_protocol::{MemberId, Preset, QueueRules, QueueView, Request, RequestId, Singer};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The queue: what members see of it and the next request's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    // Flattened, so a stored room reads as it did when the view was the queue itself.
    #[serde(flatten)]
    view: QueueView,
    next_id: RequestId,
}

// Reading a queue is reading its view; only the rules below change it.
impl std::ops::Deref for Queue {
    type Target = QueueView;

    fn deref(&self) -> &QueueView {
        &self.view
    }
}

/// What a member asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest {
    /// The library's song id.
    pub song_id: String,
    /// The song's length in seconds.
    pub seconds: u32,
    /// Who sings it.
    pub singer: Singer,
    /// How.
    pub preset: Preset,
}

impl Queue {
    /// An empty queue with `rules`.
    pub fn new(rules: QueueRules) -> Queue {
        Queue {
            view: QueueView::new(rules),
            next_id: 1,
        }
    }

    fn changed(&mut self) {
        self.view.version += 1;
    }

    /// Where a request is waiting.
    fn position(&self, id: RequestId) -> Result<usize> {
        self.view
            .waiting
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| Error::NotFound {
                what: "request",
                id: id.to_string(),
            })
    }

    /// What members see of the queue.
    pub fn view(&self) -> &QueueView {
        &self.view
    }

    /// The first index a request may be moved or inserted at (the locked next song stays).
    fn first_free(&self) -> usize {
        usize::from(self.view.next_locked && !self.view.waiting.is_empty())
    }

    /// The index after the pinned songs (and the locked one).
    fn after_pins(&self) -> usize {
        let start = self.first_free();
        start
            + self.view.waiting[start..]
                .iter()
                .take_while(|r| r.pinned_at.is_some())
                .count()
    }

    /// Adds a request by `by`; `exempt` members (the owner) are not limited.
    pub fn request(
        &mut self,
        by: MemberId,
        exempt: bool,
        new: NewRequest,
        now: u64,
    ) -> Result<&Request> {
        new.preset.check()?;
        if !exempt {
            let mine = self.view.waiting.iter().filter(|r| r.requested_by == by);
            let (count, seconds) = mine.fold((0u32, 0u32), |(n, s), r| {
                (n + 1, s.saturating_add(r.seconds))
            });
            if let Some(max) = self.view.rules.max_songs
                && count >= max
            {
                return Err(Error::Refused {
                    action: "request",
                    reason: format!("you already have {count} songs waiting (the limit is {max})"),
                });
            }
            if let Some(max) = self.view.rules.max_seconds
                && seconds.saturating_add(new.seconds) > max
            {
                return Err(Error::Refused {
                    action: "request",
                    reason: format!(
                        "{} s of songs waiting would pass the limit of {max} s",
                        seconds.saturating_add(new.seconds)
                    ),
                });
            }
        }
        let request = Request {
            id: self.next_id,
            song_id: new.song_id,
            seconds: new.seconds,
            singer: new.singer,
            requested_by: by,
            preset: new.preset,
            requested_at: now,
            pinned_at: None,
        };
        self.next_id += 1;
        let at = if self.view.rules.fair_rotation {
            self.fair_place(&request.singer)
        } else {
            self.view.waiting.len()
        };
        self.view.waiting.insert(at, request);
        self.changed();
        Ok(&self.view.waiting[at])
    }

    /// Where a new song by `singer` goes in a fair rotation: at the end of the first round
    /// (after pins and the locked song; the singer on stage counts as having sung in it)
    /// that does not have them yet.
    fn fair_place(&self, singer: &Singer) -> usize {
        let mut seen: HashSet<&Singer> = self.view.playing.iter().map(|r| &r.singer).collect();
        let start = self.after_pins();
        if self.view.next_locked
            && let Some(locked) = self.view.waiting.first()
        {
            seen.insert(&locked.singer);
        }
        for (i, request) in self.view.waiting.iter().enumerate().skip(start) {
            if seen.contains(&request.singer) {
                // A new round starts here.
                if !seen.contains(singer) {
                    return i;
                }
                seen.clear();
            }
            seen.insert(&request.singer);
        }
        self.view.waiting.len()
    }

    /// Removes a waiting request.
    pub fn remove(&mut self, id: RequestId) -> Result<Request> {
        let at = self.position(id)?;
        if at == 0 && self.view.next_locked {
            self.view.next_locked = false;
        }
        let request = self.view.waiting.remove(at);
        self.changed();
        Ok(request)
    }

    /// Pins a waiting request to the top (behind the locked next song; the latest pin first).
    pub fn pin(&mut self, id: RequestId, now: u64) -> Result<()> {
        let at = self.position(id)?;
        if at == 0 && self.view.next_locked {
            return Ok(());
        }
        let mut request = self.view.waiting.remove(at);
        request.pinned_at = Some(now);
        let to = self.first_free();
        self.view.waiting.insert(to, request);
        self.changed();
        Ok(())
    }

    /// Moves a waiting request to `index` (clamped; not ahead of the locked next song).
    pub fn reorder(&mut self, id: RequestId, index: usize) -> Result<()> {
        let at = self.position(id)?;
        if at == 0 && self.view.next_locked {
            return Err(Error::Refused {
                action: "reorder",
                reason: "the next song was announced and stays next".into(),
            });
        }
        let request = self.view.waiting.remove(at);
        let to = index.clamp(self.first_free(), self.view.waiting.len());
        self.view.waiting.insert(to, request);
        self.changed();
        Ok(())
    }

    /// Announces the next song: it stays next whatever is added, pinned or moved.
    pub fn lock_next(&mut self) {
        if !self.view.next_locked && !self.view.waiting.is_empty() {
            self.view.next_locked = true;
            self.changed();
        }
    }

    /// Ends the song being sung (finished, skipped or abandoned) and starts the next one;
    /// returns (the one that ended, the one that starts).
    pub fn advance(&mut self) -> (Option<Request>, Option<&Request>) {
        let ended = self.view.playing.take();
        self.view.next_locked = false;
        if !self.view.waiting.is_empty() {
            self.view.playing = Some(self.view.waiting.remove(0));
        }
        self.changed();
        (ended, self.view.playing.as_ref())
    }

    /// Removes every waiting request a member who left was to sing (walk-ups they added
    /// stay).
    pub fn remove_member(&mut self, member: MemberId) -> Vec<Request> {
        let locked = self
            .next_locked
            .then(|| self.view.waiting.first().map(|r| r.id))
            .flatten();
        let (gone, kept): (Vec<Request>, Vec<Request>) = std::mem::take(&mut self.view.waiting)
            .into_iter()
            .partition(|r| r.singer == Singer::Member(member));
        self.view.next_locked = locked.is_some_and(|id| kept.first().is_some_and(|k| k.id == id));
        self.view.waiting = kept;
        if !gone.is_empty() {
            self.changed();
        }
        gone
    }
}

#[cfg(test)]
mod tests;
