//! The alignment measurement, on the players and in true time: a follower's heard position
//! minus the singer's (less the follower's extra delay), never the followers' own estimates;
//! with the clock and drift estimates' errors against the truth.

use sync::{HostClock, HostTime, TimeDelta};

use super::Sim;
use crate::outcome::Sample;

impl Sim {
    /// Samples every joined listener now.
    pub(super) fn sample(&mut self) {
        let now = self.now;
        let leader = self.leader_host.player.position(now);
        let room = self.room_clock.local(now);
        let leader_clock = self
            .leader
            .pinger()
            .estimate()
            .map(|e| e.to_room(self.leader_host.clock.local(now)) - room);
        let true_drift =
            |host: &HostClock| (1.0 + self.room_clock.drift) / (1.0 + host.drift) - 1.0;
        let leader_drift = self
            .leader
            .pinger()
            .estimate()
            .map(|e| (e.drift - true_drift(&self.leader_host.clock)) * 1e6);
        for i in 0..self.followers.len() {
            let Some(follower) = self.followers[i].as_ref() else {
                continue;
            };
            let extra = follower.extra_delay();
            let mine = self.hosts[i].player.position(now);
            let recent = |switches: &[HostTime], within: TimeDelta| {
                switches
                    .last()
                    .is_some_and(|&t| now >= t && now - t <= within)
            };
            let both_paused = matches!((leader, mine), (Some((_, false)), Some((_, false))));
            let switching = recent(&self.hosts[i].player.switches, TimeDelta::from_millis(25))
                || recent(
                    &self.leader_host.player.switches,
                    TimeDelta::from_millis(25),
                )
                || both_paused
                    && recent(
                        &self.leader_host.player.switches,
                        TimeDelta::from_millis(400),
                    );
            // Every moment both have a song, moving or not: transitions count.
            let (error, paused_error) = match (leader, mine) {
                (Some((l, false)), Some((f, false))) => (Some(f - l), Some(f - l)),
                (Some((l, _)), Some((f, _))) => (Some((f - l) + extra), None),
                _ => (None, None),
            };
            let clock = follower
                .pinger()
                .estimate()
                .map(|e| e.to_room(self.hosts[i].clock.local(now)) - room);
            self.runs[i].samples.push(Sample {
                at: now - HostTime::ZERO,
                error,
                paused_error,
                clock_error: (clock, leader_clock),
                drift_error: (
                    follower
                        .pinger()
                        .estimate()
                        .map(|e| (e.drift - true_drift(&self.hosts[i].clock)) * 1e6),
                    leader_drift,
                ),
                switching,
            });
        }
    }
}
