//! The pinging side of clock sync: when to ping the room, matching its answers, and the
//! estimator they feed. A burst first (a joiner has a good estimate within a second), then
//! often while the drift is being learnt, then slow and steady.

use crate::clock::{ClockConfig, ClockEstimate, ClockEstimator, ClockSample};
use crate::proto::{Ping, Pong};
use crate::time::{HostTime, TimeDelta};

/// How often to ping.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PingConfig {
    /// Pings sent fast after starting (or after a clock jump).
    pub burst: u32,
    /// The interval between them.
    pub burst_interval: TimeDelta,
    /// The interval after the burst, until `settle` pings have been sent.
    pub learning_interval: TimeDelta,
    /// Pings sent before slowing down to `interval`.
    pub settle: u32,
    /// The interval after that.
    pub interval: TimeDelta,
    /// The estimator's settings.
    pub clock: ClockConfig,
}

impl Default for PingConfig {
    fn default() -> Self {
        PingConfig {
            burst: 30,
            burst_interval: TimeDelta::from_millis(50),
            learning_interval: TimeDelta::from_millis(250),
            settle: 600,
            interval: TimeDelta::from_millis(1_000),
            clock: ClockConfig::default(),
        }
    }
}

/// Pings in flight remembered (older answers are dropped).
const IN_FLIGHT: usize = 16;

/// Pings the room and estimates its clock.
#[derive(Debug, Clone)]
pub struct Pinger {
    config: PingConfig,
    estimator: ClockEstimator,
    next_id: u32,
    sent: u32,
    in_flight: [Option<(u32, HostTime)>; IN_FLIGHT],
    next_ping: HostTime,
    jumps_seen: u32,
}

impl Pinger {
    /// A pinger whose first ping is due at `now`.
    pub fn new(config: PingConfig, now: HostTime) -> Self {
        Pinger {
            config,
            estimator: ClockEstimator::new(config.clock),
            next_id: 1,
            sent: 0,
            in_flight: [None; IN_FLIGHT],
            next_ping: now,
            jumps_seen: 0,
        }
    }

    /// The room's clock, once known.
    pub fn estimate(&self) -> Option<ClockEstimate> {
        self.estimator.estimate()
    }

    /// The estimator (for reports).
    pub fn estimator(&self) -> &ClockEstimator {
        &self.estimator
    }

    /// When the next ping is due.
    pub fn deadline(&self) -> HostTime {
        self.next_ping
    }

    /// The ping to send if one is due at `now`.
    pub fn poll_ping(&mut self, now: HostTime) -> Option<Ping> {
        if now < self.next_ping {
            return None;
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.in_flight[id as usize % IN_FLIGHT] = Some((id, now));
        self.sent += 1;
        let interval = if self.sent < self.config.burst {
            self.config.burst_interval
        } else if self.sent < self.config.settle {
            self.config.learning_interval
        } else {
            self.config.interval
        };
        self.next_ping = now + interval;
        Some(Ping { id, sent: now })
    }

    /// Takes the room's answer, received at `now`. Unknown, duplicate or forged answers
    /// (whose echoed send time is not ours) are ignored.
    pub fn handle_pong(&mut self, now: HostTime, pong: &Pong) {
        let slot = &mut self.in_flight[pong.id as usize % IN_FLIGHT];
        if *slot != Some((pong.id, pong.ping_sent)) {
            return;
        }
        *slot = None;
        self.estimator.add(ClockSample {
            sent: pong.ping_sent,
            remote_received: pong.received,
            remote_sent: pong.sent,
            received: now,
        });
        if self.estimator.jumps() != self.jumps_seen {
            // Start over fast.
            self.jumps_seen = self.estimator.jumps();
            self.sent = 0;
            self.next_ping = now;
        }
    }
}

/// The room's side: answers pings with its clock.
pub fn answer(ping: &Ping, received: HostTime, now: HostTime) -> Pong {
    Pong {
        id: ping.id,
        ping_sent: ping.sent,
        received,
        sent: now,
    }
}
