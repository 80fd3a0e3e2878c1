//! The listener's side: from the leader's timeline (beats and control messages, in the room's
//! clock) and the room clock estimate, where the singer is now, and what the local player must
//! do to be there: small drift by a playback-rate change within ±0.2% (inaudible), large
//! drift by a scheduled seek, with hysteresis so it never oscillates or seeks in storms.
//! Pause, resume, seek, a new song and a late join take effect at once.
//!
//! Run loop (str0m's single-mutation rule): after any `handle_*` or setter, call
//! [`Follower::poll_output`] until it returns [`Output::Timeout`]; call
//! [`Follower::handle_timeout`] at that instant. `now` is the host's monotonic clock.

use std::collections::VecDeque;

use crate::ping::{PingConfig, Pinger};
use crate::proto::{Message, Transport};
use crate::rate_limit::RateLimit;
use crate::steer::{Output, PlayerReport, Steer};
use crate::time::{HostTime, MediaTime, TimeDelta};

/// How a follower steers.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FollowerConfig {
    /// Drift beyond this is corrected by a seek (Agora and TRTC use 50 ms).
    pub seek_threshold: TimeDelta,
    /// Reports in a row beyond the threshold before seeking (one outlier never seeks).
    pub seek_confirm: u32,
    /// After a (re)start, no drift seek for this long.
    pub seek_cooldown: TimeDelta,
    /// The most the rate moves from 1 (0.002: ±0.2%).
    pub max_rate_change: f64,
    /// Drift is corrected over about this long (the rate loop's time constant).
    pub correction_time: TimeDelta,
    /// Drift under this is left alone.
    pub deadband: TimeDelta,
    /// The rate is changed at most this often.
    pub rate_interval: TimeDelta,
    /// A (re)start is scheduled this far ahead, for the player to get ready.
    pub start_lead: TimeDelta,
    /// How far behind the singer to play (a listener whose voice path lags).
    pub extra_delay: TimeDelta,
    /// Messages per second at most, and at once.
    pub rate_limit: (f64, u32),
    /// Clock sync.
    pub pings: PingConfig,
}

impl Default for FollowerConfig {
    fn default() -> Self {
        FollowerConfig {
            seek_threshold: TimeDelta::from_millis(50),
            seek_confirm: 3,
            seek_cooldown: TimeDelta::from_millis(1_000),
            max_rate_change: 0.002,
            correction_time: TimeDelta::from_millis(1_000),
            deadband: TimeDelta::from_micros(300),
            rate_interval: TimeDelta::from_millis(100),
            start_lead: TimeDelta::from_millis(100),
            extra_delay: TimeDelta::ZERO,
            rate_limit: (30.0, 10),
            pings: PingConfig::default(),
        }
    }
}

/// What the player was last told.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Plan {
    /// Nothing loaded, or nothing asked yet.
    Idle,
    /// Asked to start at this local instant.
    Starting(HostTime),
    /// Playing, being steered.
    Playing,
    /// Holding a position.
    Paused(MediaTime),
}

/// Counters for reports and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FollowerStats {
    /// (Re)starts: joins, control messages, drift seeks.
    pub starts: u32,
    /// Of those, seeks for drift.
    pub drift_seeks: u32,
    /// Rate changes asked.
    pub rate_changes: u32,
    /// Leader messages dropped as old or duplicate.
    pub stale: u32,
}

/// Above this, a change of the extra delay is jumped to rather than slewed.
const EXTRA_JUMP: TimeDelta = TimeDelta::from_millis(200);

/// A listener's sync state machine.
#[derive(Debug)]
pub struct Follower {
    config: FollowerConfig,
    pinger: Pinger,
    limit: RateLimit,
    /// The leader session and the newest sequence number taken from it.
    leader: Option<(u32, u64)>,
    timeline: Option<Transport>,
    /// The song loaded (the leader's performance number).
    song: Option<u64>,
    plan: Plan,
    /// A (re)start is owed once the clock is known.
    pending: bool,
    rate: f64,
    last_rate_change: HostTime,
    /// Smoothed error, µs (positive: ahead of the singer).
    error: Option<f64>,
    over: u32,
    cooldown_until: HostTime,
    /// The extra delay in effect, slewing towards `config.extra_delay`.
    extra: TimeDelta,
    last_now: HostTime,
    outputs: VecDeque<Output>,
    stats: FollowerStats,
}

impl Follower {
    /// A follower starting at `now` (its first clock ping is due at once).
    pub fn new(config: FollowerConfig, now: HostTime) -> Self {
        Follower {
            config,
            pinger: Pinger::new(config.pings, now),
            limit: RateLimit::new(config.rate_limit.0, config.rate_limit.1, now),
            leader: None,
            timeline: None,
            song: None,
            plan: Plan::Idle,
            pending: false,
            rate: 1.0,
            last_rate_change: now,
            error: None,
            over: 0,
            cooldown_until: now,
            extra: config.extra_delay,
            last_now: now,
            outputs: VecDeque::with_capacity(8),
            stats: FollowerStats::default(),
        }
    }

    /// Counters.
    pub fn stats(&self) -> FollowerStats {
        self.stats
    }

    /// The clock sync (for reports).
    pub fn pinger(&self) -> &Pinger {
        &self.pinger
    }

    /// The settings it follows by (the extra delay as last set).
    pub fn config(&self) -> &FollowerConfig {
        &self.config
    }

    /// The extra delay in effect now (it slews towards the one set).
    pub fn extra_delay(&self) -> TimeDelta {
        self.extra
    }

    /// Where the singer's timeline (less the extra delay) is at local instant `local`, if
    /// the song and the clock are known.
    pub fn target_at(&self, local: HostTime) -> Option<MediaTime> {
        let timeline = self.timeline?;
        let clock = self.pinger.estimate()?;
        Some(timeline.position_at(clock.to_room(local) - self.extra))
    }

    /// Sets how far behind the singer to play; followed smoothly (by rate) unless the
    /// change is over 200 ms.
    pub fn set_extra_delay(&mut self, now: HostTime, delay: TimeDelta) {
        self.advance(now);
        self.config.extra_delay = delay;
        if (delay - self.extra).abs() > EXTRA_JUMP {
            self.extra = delay;
            self.restart(now);
        }
    }

    /// Sets the extra delay and moves to it at once (a restart), however small the change:
    /// for a first estimate, before which the music ran with none. Slewing there would leave
    /// the music short of the delay for many seconds (at half the rate range, 75 ms take 30 s).
    pub fn jump_extra_delay(&mut self, now: HostTime, delay: TimeDelta) {
        self.advance(now);
        self.config.extra_delay = delay;
        if self.extra != delay {
            self.extra = delay;
            self.restart(now);
        }
    }

    fn advance(&mut self, now: HostTime) {
        // A clock that stepped back is taken as it is: nothing slews backwards in time.
        let elapsed = (now - self.last_now).max(TimeDelta::ZERO);
        self.last_now = now;
        // Slew at half the rate range, so the rate loop keeps up with it.
        let step = elapsed.scaled(self.config.max_rate_change * 0.5);
        let gap = self.config.extra_delay - self.extra;
        self.extra += if gap.abs() <= step {
            gap
        } else if gap > TimeDelta::ZERO {
            step
        } else {
            -step
        };
    }

    /// Takes a message from the room.
    pub fn handle_message(&mut self, now: HostTime, message: &Message) {
        self.advance(now);
        match message {
            Message::Pong(pong) => {
                let had_clock = self.pinger.estimate().is_some();
                self.pinger.handle_pong(now, pong);
                if self.pending || !had_clock && self.pinger.estimate().is_some() {
                    self.act(now);
                }
            }
            Message::Ping(_) => {}
            _ => {
                let Some(transport) = message.transport().copied() else {
                    return;
                };
                if !self.accept(&transport) {
                    self.stats.stale += 1;
                    return;
                }
                match message {
                    Message::Stop(_) => {
                        self.timeline = None;
                        if self.song.take().is_some() {
                            self.outputs.push_back(Output::Steer(Steer::Stop));
                        }
                        self.plan = Plan::Idle;
                        self.pending = false;
                    }
                    Message::SongStart(start) if self.song != Some(transport.song) => {
                        self.song = Some(transport.song);
                        self.outputs
                            .push_back(Output::Steer(Steer::Load(start.clone())));
                        self.timeline = Some(transport);
                        self.plan = Plan::Idle;
                        self.act(now);
                    }
                    _ if self.song != Some(transport.song) => {
                        // A song we have not been told how to load; its start comes again.
                    }
                    _ => {
                        let jumped = self
                            .timeline
                            .is_none_or(|old| discontinuous(&old, &transport, self.config));
                        self.timeline = Some(transport);
                        if jumped || self.plan == Plan::Idle {
                            self.act(now);
                        }
                    }
                }
            }
        }
    }

    /// Whether a leader message is newer than what we have (and notes it).
    fn accept(&mut self, transport: &Transport) -> bool {
        match self.leader {
            Some((session, seq)) if session == transport.leader && transport.seq <= seq => false,
            _ => {
                self.leader = Some((transport.leader, transport.seq));
                true
            }
        }
    }

    /// Puts the player where the timeline says, now: a scheduled start or a pause.
    fn act(&mut self, now: HostTime) {
        let (Some(timeline), Some(_)) = (self.timeline, self.pinger.estimate()) else {
            self.pending = self.timeline.is_some();
            return;
        };
        self.pending = false;
        if self.song.is_none() {
            return;
        }
        if !timeline.playing {
            let position = timeline.position;
            if self.plan != Plan::Paused(position) {
                let Some(clock) = self.pinger.estimate() else {
                    return;
                };
                let at = clock.to_local(timeline.at) + self.extra;
                self.outputs
                    .push_back(Output::Steer(Steer::Pause { position, at }));
                self.plan = Plan::Paused(position);
            }
            return;
        }
        self.restart(now);
    }

    fn restart(&mut self, now: HostTime) {
        let Some(timeline) = self.timeline.filter(|t| t.playing) else {
            return;
        };
        let Some(clock) = self.pinger.estimate() else {
            self.pending = true;
            return;
        };
        // Start when the leader does if that is far enough ahead, else as soon as the
        // player can be ready.
        let leader_start = clock.to_local(timeline.at) + self.extra;
        let at = leader_start.max(now + self.config.start_lead);
        let Some(position) = self.target_at(at) else {
            return;
        };
        if self.rate != 1.0 {
            self.rate = 1.0;
            self.outputs.push_back(Output::Steer(Steer::Rate(1.0)));
        }
        self.outputs
            .push_back(Output::Steer(Steer::PlayAt { position, at }));
        self.plan = Plan::Starting(at);
        self.cooldown_until = at + self.config.seek_cooldown;
        self.error = None;
        self.over = 0;
        self.stats.starts += 1;
    }

    /// Takes what the local player reports.
    pub fn handle_player(&mut self, now: HostTime, report: PlayerReport) {
        self.advance(now);
        let Some(timeline) = self.timeline else {
            return;
        };
        match self.plan {
            Plan::Starting(at) if report.playing && report.at >= at => self.plan = Plan::Playing,
            Plan::Playing if !report.playing && timeline.playing => {
                // The player stopped on its own (an underrun, a device change).
                self.restart(now);
                return;
            }
            Plan::Paused(_) if report.playing => {
                self.plan = Plan::Idle;
                self.act(now);
                return;
            }
            _ => {}
        }
        if self.plan != Plan::Playing || !timeline.playing {
            return;
        }
        let Some(target) = self.target_at(report.at) else {
            return;
        };
        let error = (report.position - target).as_micros() as f64;
        if error.abs() > self.config.seek_threshold.as_micros() as f64 {
            self.over += 1;
            if self.over >= self.config.seek_confirm && now >= self.cooldown_until {
                self.stats.drift_seeks += 1;
                self.restart(now);
            }
            return;
        }
        self.over = 0;
        // Reports come once per audio block; smooth over ~50 ms of them.
        let smoothed = match self.error {
            Some(e) => e + 0.1 * (error - e),
            None => error,
        };
        self.error = Some(smoothed);
        if now - self.last_rate_change < self.config.rate_interval {
            return;
        }
        let correction = if smoothed.abs() < self.config.deadband.as_micros() as f64 {
            0.0
        } else {
            (-smoothed / self.config.correction_time.as_micros() as f64)
                .clamp(-self.config.max_rate_change, self.config.max_rate_change)
        };
        let rate = 1.0 + correction;
        if (rate - self.rate).abs() >= 5e-5 || (correction == 0.0 && self.rate != 1.0) {
            self.rate = rate;
            self.last_rate_change = now;
            self.stats.rate_changes += 1;
            self.outputs.push_back(Output::Steer(Steer::Rate(rate)));
        }
    }

    /// Runs what is due at `now` (clock pings, slewing, a start waiting for the clock).
    pub fn handle_timeout(&mut self, now: HostTime) {
        self.advance(now);
        if now >= self.pinger.deadline()
            && self.limit.try_take(now)
            && let Some(ping) = self.pinger.poll_ping(now)
        {
            self.outputs.push_back(Output::Send(Message::Ping(ping)));
        }
    }

    /// The next output; [`Output::Timeout`] when there is nothing more for now.
    pub fn poll_output(&mut self) -> Output {
        if let Some(output) = self.outputs.pop_front() {
            return output;
        }
        let now = self.last_now;
        // A ping is due: not before there is a token for it.
        let mut deadline = self.pinger.deadline().max(self.limit.next_token(now));
        if self.extra != self.config.extra_delay {
            deadline = deadline.min(now + TimeDelta::from_millis(20));
        }
        Output::Timeout(deadline.max(now))
    }
}

/// Whether `new` moves the timeline so far from `old` that the player must jump: a pause or
/// resume, a rate change, or a position more than half the seek threshold away.
fn discontinuous(old: &Transport, new: &Transport, config: FollowerConfig) -> bool {
    old.song != new.song
        || old.playing != new.playing
        // Beats' rates differ by the leader's drift estimate (ppm); a tempo change is >= 1%.
        || (old.rate - new.rate).abs() > 1e-3
        || (old.position_at(new.at) - new.position).abs() > TimeDelta::from_micros(config.seek_threshold.as_micros() / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_extra_delay_is_jumped_to_and_a_small_change_slewed() {
        let start = HostTime::from_micros(1_000_000);
        let delay = TimeDelta::from_millis(75);
        let mut slewed = Follower::new(FollowerConfig::default(), start);
        slewed.set_extra_delay(start, delay);
        assert_eq!(slewed.extra_delay(), TimeDelta::ZERO);
        let mut jumped = Follower::new(FollowerConfig::default(), start);
        jumped.jump_extra_delay(start, delay);
        assert_eq!(jumped.extra_delay(), delay);
    }
}
