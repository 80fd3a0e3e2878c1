//! A room's song queue, as KTV rooms run it: requests (点歌) with a per-request preset,
//! removal, pinning (置顶; the latest pin first), owner reordering, skipping (切歌), the next
//! song on song end, per-member limits by count and by total time, an optional fair rotation
//! (one song per singer per round, a newcomer placed fairly), the next song locked once
//! announced, and walk-up singers the owner adds by name.
//!
//! Pure data and rules: who may do what is the room's business; this module keeps the order.
//! Every change bumps `version`, which clients use to detect a missed update.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A room member's id.
pub type MemberId = u64;

/// A request's id, unique in its room.
pub type RequestId = u64;

/// Who sings a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Singer {
    /// A member of the room.
    Member(MemberId),
    /// Someone without a device, added by the owner by name.
    WalkUp(String),
}

/// Which track a singer plays (and the audience hears).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrackMode {
    /// The music without the lead vocal (伴奏).
    #[default]
    Accompaniment,
    /// The original recording (原唱).
    Original,
    /// The singer hears the original vocal quietly, the audience the accompaniment (导唱).
    Guide,
}

/// How a request is to be sung, applied when the song starts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Preset {
    /// Key shift in semitones, −12..=12.
    pub key: f32,
    /// Tempo, 0.8..=1.2.
    pub tempo: f32,
    /// The track.
    pub mode: TrackMode,
}

impl Default for Preset {
    fn default() -> Self {
        Preset {
            key: 0.0,
            tempo: 1.0,
            mode: TrackMode::Accompaniment,
        }
    }
}

impl Preset {
    /// Checks the ranges the engine accepts.
    pub fn check(&self) -> Result<()> {
        if !(-12.0..=12.0).contains(&self.key) {
            return Err(Error::BadRequest(format!(
                "key {} is outside -12..=12 semitones",
                self.key
            )));
        }
        if !(0.8..=1.2).contains(&self.tempo) {
            return Err(Error::BadRequest(format!(
                "tempo {} is outside 0.8..=1.2",
                self.tempo
            )));
        }
        Ok(())
    }
}

/// One requested song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Request {
    /// Its id.
    pub id: RequestId,
    /// The library's song id.
    pub song_id: String,
    /// The song's length in seconds (for time limits).
    pub seconds: u32,
    /// Who sings it.
    pub singer: Singer,
    /// Who asked for it (the owner, for a walk-up singer).
    pub requested_by: MemberId,
    /// How it is to be sung.
    pub preset: Preset,
    /// When it was asked for (milliseconds, the room's clock).
    pub requested_at: u64,
    /// When it was pinned, if it was.
    pub pinned_at: Option<u64>,
}

/// The queue's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueueRules {
    /// The most songs one member may have waiting (the owner is exempt).
    pub max_songs: Option<u32>,
    /// The most seconds of song one member may have waiting (the owner is exempt).
    pub max_seconds: Option<u32>,
    /// One song per singer per round, newcomers placed fairly.
    pub fair_rotation: bool,
}

impl Default for QueueRules {
    fn default() -> Self {
        QueueRules {
            max_songs: Some(5),
            max_seconds: None,
            fair_rotation: false,
        }
    }
}

/// The queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Queue {
    /// The rules.
    pub rules: QueueRules,
    /// The song being sung.
    pub playing: Option<Request>,
    /// The songs waiting, in the order they will be sung.
    pub waiting: Vec<Request>,
    /// Whether the first waiting song was announced ("up next") and so stays first.
    pub next_locked: bool,
    /// Bumped by every change.
    pub version: u64,
    next_id: RequestId,
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
            rules,
            playing: None,
            waiting: Vec::new(),
            next_locked: false,
            version: 0,
            next_id: 1,
        }
    }

    fn changed(&mut self) {
        self.version += 1;
    }

    /// Where a request is waiting.
    fn position(&self, id: RequestId) -> Result<usize> {
        self.waiting
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| Error::NotFound {
                what: "request",
                id: id.to_string(),
            })
    }

    /// The request with `id`, waiting or playing.
    pub fn get(&self, id: RequestId) -> Option<&Request> {
        self.playing
            .iter()
            .chain(&self.waiting)
            .find(|r| r.id == id)
    }

    /// The first index a request may be moved or inserted at (the locked next song stays).
    fn first_free(&self) -> usize {
        usize::from(self.next_locked && !self.waiting.is_empty())
    }

    /// The index after the pinned songs (and the locked one).
    fn after_pins(&self) -> usize {
        let start = self.first_free();
        start
            + self.waiting[start..]
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
            let mine = self.waiting.iter().filter(|r| r.requested_by == by);
            let (count, seconds) = mine.fold((0u32, 0u32), |(n, s), r| {
                (n + 1, s.saturating_add(r.seconds))
            });
            if let Some(max) = self.rules.max_songs
                && count >= max
            {
                return Err(Error::Refused {
                    action: "request",
                    reason: format!("you already have {count} songs waiting (the limit is {max})"),
                });
            }
            if let Some(max) = self.rules.max_seconds
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
        let at = if self.rules.fair_rotation {
            self.fair_place(&request.singer)
        } else {
            self.waiting.len()
        };
        self.waiting.insert(at, request);
        self.changed();
        Ok(&self.waiting[at])
    }

    /// Where a new song by `singer` goes in a fair rotation: at the end of the first round
    /// (after pins and the locked song; the singer on stage counts as having sung in it)
    /// that does not have them yet.
    fn fair_place(&self, singer: &Singer) -> usize {
        let mut seen: HashSet<&Singer> = self.playing.iter().map(|r| &r.singer).collect();
        let start = self.after_pins();
        if self.next_locked
            && let Some(locked) = self.waiting.first()
        {
            seen.insert(&locked.singer);
        }
        for (i, request) in self.waiting.iter().enumerate().skip(start) {
            if seen.contains(&request.singer) {
                // A new round starts here.
                if !seen.contains(singer) {
                    return i;
                }
                seen.clear();
            }
            seen.insert(&request.singer);
        }
        self.waiting.len()
    }

    /// Removes a waiting request.
    pub fn remove(&mut self, id: RequestId) -> Result<Request> {
        let at = self.position(id)?;
        if at == 0 && self.next_locked {
            self.next_locked = false;
        }
        let request = self.waiting.remove(at);
        self.changed();
        Ok(request)
    }

    /// Pins a waiting request to the top (behind the locked next song; the latest pin first).
    pub fn pin(&mut self, id: RequestId, now: u64) -> Result<()> {
        let at = self.position(id)?;
        if at == 0 && self.next_locked {
            return Ok(());
        }
        let mut request = self.waiting.remove(at);
        request.pinned_at = Some(now);
        let to = self.first_free();
        self.waiting.insert(to, request);
        self.changed();
        Ok(())
    }

    /// Moves a waiting request to `index` (clamped; not ahead of the locked next song).
    pub fn reorder(&mut self, id: RequestId, index: usize) -> Result<()> {
        let at = self.position(id)?;
        if at == 0 && self.next_locked {
            return Err(Error::Refused {
                action: "reorder",
                reason: "the next song was announced and stays next".into(),
            });
        }
        let request = self.waiting.remove(at);
        let to = index.clamp(self.first_free(), self.waiting.len());
        self.waiting.insert(to, request);
        self.changed();
        Ok(())
    }

    /// Announces the next song: it stays next whatever is added, pinned or moved.
    pub fn lock_next(&mut self) {
        if !self.next_locked && !self.waiting.is_empty() {
            self.next_locked = true;
            self.changed();
        }
    }

    /// Ends the song being sung (finished, skipped or abandoned) and starts the next one;
    /// returns (the one that ended, the one that starts).
    pub fn advance(&mut self) -> (Option<Request>, Option<&Request>) {
        let ended = self.playing.take();
        self.next_locked = false;
        if !self.waiting.is_empty() {
            self.playing = Some(self.waiting.remove(0));
        }
        self.changed();
        (ended, self.playing.as_ref())
    }

    /// Removes every waiting request a member who left was to sing (walk-ups they added
    /// stay).
    pub fn remove_member(&mut self, member: MemberId) -> Vec<Request> {
        let locked = self
            .next_locked
            .then(|| self.waiting.first().map(|r| r.id))
            .flatten();
        let (gone, kept): (Vec<Request>, Vec<Request>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|r| r.singer == Singer::Member(member));
        self.next_locked = locked.is_some_and(|id| kept.first().is_some_and(|k| k.id == id));
        self.waiting = kept;
        if !gone.is_empty() {
            self.changed();
        }
        gone
    }
}

#[cfg(test)]
mod tests;
