//! The queue and the stage: requests, their order, the song on stage from start to its
//! result, and the live controls of the song being sung.

use room_protocol::{
    Control, Ending, MemberId, Performance, PerformanceResult, Preset, RequestId, Role, Singer,
};

use super::{Effect, Room, check_name};

/// How long past its end the song's music may run before the service ends the song itself
/// (ms): the singer's client normally reports the end first.
const MUSIC_END_GRACE_MS: i64 = 3_000;
use crate::room::queue::NewRequest;
use crate::{Error, Result};

impl Room {
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
    /// report from ending the next singer's song. The score is not the client's to say: the
    /// service's referee gives it.
    pub fn finished(
        &mut self,
        actor: MemberId,
        request: Option<RequestId>,
        now: u64,
    ) -> Result<Effect> {
        self.owner_or_singer(actor, "end the song")?;
        self.still_on_stage(request, "end the song")?;
        let effect = self.end_performance(Ending::Finished, now);
        self.changed(now);
        Ok(effect)
    }

    /// A sign of life from the singer's client, about `request` when it names one.
    pub fn heartbeat(
        &mut self,
        actor: MemberId,
        request: Option<RequestId>,
        now: u64,
    ) -> Result<()> {
        self.owner_or_singer(actor, "report on the song")?;
        self.still_on_stage(request, "report on the song")?;
        if let Some(p) = self.performance.as_mut() {
            p.heartbeat_at = now;
        }
        Ok(())
    }

    /// How far the service's referee has judged `request` (nothing if that request is no
    /// longer on stage): its running score is the performance's.
    pub fn record_judgement(&mut self, request: RequestId, progress: scoring::Progress) {
        if let Some(p) = self
            .performance
            .as_mut()
            .filter(|p| p.request.id == request)
        {
            p.score = progress.score().or(p.score);
            self.judged = Some((request, progress));
        }
    }

    /// What the referee had judged of `request` so far, for one that takes it over.
    pub fn judged_so_far(&self, request: RequestId) -> Option<scoring::Progress> {
        self.judged
            .filter(|(judged, _)| *judged == request)
            .map(|(_, progress)| progress)
    }

    /// The singer on stage's timeline, from a sync message of theirs.
    pub fn heard_timeline(&mut self, transport: sync::Transport) {
        if let Some(p) = &self.performance {
            self.timeline = Some((p.request.id, transport));
        }
    }

    /// Ends the song on stage as finished if its music has ended: the singer's timeline, at
    /// room instant `at`, is past the song's end by [`MUSIC_END_GRACE_MS`] (their client
    /// normally says so first). A paused song, or one with no timeline heard, goes on.
    pub fn check_music_end(&mut self, at: sync::HostTime, now: u64) -> Option<Effect> {
        let p = self.performance.as_ref()?;
        let (_, timeline) = self.timeline.filter(|(r, _)| *r == p.request.id)?;
        let end = i64::from(p.request.seconds) * 1_000_000 + MUSIC_END_GRACE_MS * 1_000;
        if !timeline.playing || timeline.position_at(at).as_micros() < end {
            return None;
        }
        let effect = self.end_performance(Ending::Finished, now);
        self.changed(now);
        Some(effect)
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

    /// `member` opened a WebSocket to the room (a singer on stage who comes back is no
    /// longer gone).
    pub fn socket_opened(&mut self, member: MemberId) {
        *self.sockets.entry(member).or_default() += 1;
        if self.is_singer_on_stage(member) {
            self.singer_left = None;
        }
    }

    /// `member` closed a WebSocket at `now`; their last one, if they sing, starts the clock
    /// of [`Room::check_singer_left`].
    pub fn socket_closed(&mut self, member: MemberId, now: u64) {
        let open = self
            .sockets
            .get(&member)
            .copied()
            .unwrap_or(0)
            .saturating_sub(1);
        if open == 0 {
            self.sockets.remove(&member);
        } else {
            self.sockets.insert(member, open);
        }
        if open == 0
            && let Some(p) = &self.performance
            && p.request.singer == Singer::Member(member)
        {
            self.singer_left = Some((p.request.id, now));
        }
    }

    /// Ends the performance as abandoned if its singer closed their last socket more than
    /// `grace` ms ago and has not come back: a page singer who closes the tab ends the song
    /// within seconds, not the heartbeat's quarter of a minute.
    pub fn check_singer_left(&mut self, grace: u64, now: u64) -> Option<Effect> {
        let p = self.performance.as_ref()?;
        let (request, at) = self.singer_left.filter(|(r, _)| *r == p.request.id)?;
        if now.saturating_sub(at) <= grace || request != p.request.id {
            return None;
        }
        let effect = self.end_performance(Ending::Abandoned, now);
        self.changed(now);
        Some(effect)
    }

    fn is_singer_on_stage(&self, member: MemberId) -> bool {
        self.performance
            .as_ref()
            .is_some_and(|p| p.request.singer == Singer::Member(member))
    }

    /// Ends what is on stage (if anything) and puts the next request on.
    pub(super) fn end_performance(&mut self, ending: Ending, now: u64) -> Effect {
        let ended = self.performance.take().map(|p| {
            // The referee's judgement as far as it came (it gives the final one if it can).
            let judged = self.judged_so_far(p.request.id).and_then(|j| j.score());
            let result = PerformanceResult {
                song_id: p.request.song_id.clone(),
                singer: self.singer_name(&p.request.singer),
                score: judged.or(p.score),
                ending,
                started_at: p.started_at,
                ended_at: now,
            };
            (p.request.id, result)
        });
        self.judged = None;
        self.timeline = None;
        self.singer_left = None;
        let (_, next) = self.queue.advance();
        self.performance = next.cloned().map(|request| Performance {
            request,
            started_at: now,
            heartbeat_at: now,
            score: None,
        });
        match ended {
            Some((request, result)) => Effect::Ended(request, result),
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
