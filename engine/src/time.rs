//! The engine's own time types: host time, sample rates and frame counts.
//!
//! The engine speaks frames at its sample rate and the host time those frames are heard at;
//! song time (`lyrics::SongTime`) and sync's wire times are converted at the edge, in
//! `room_client::time` (see `ARCHITECTURE.md`). Wrapping the numbers keeps symphonia's and cpal's types from
//! leaking through the API.

use std::time::{Duration, Instant};

/// A moment on the engine's host clock: nanoseconds since the engine's epoch.
///
/// The driver that calls the processor decides what the clock is: real drivers use the
/// monotonic clock (an [`Instant`] taken when the engine starts, see [`HostClock`]); the
/// offline driver in its deterministic mode counts frames, so its host time is simply the
/// rendered duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct HostTime(u64);

impl HostTime {
    /// The epoch.
    pub const ZERO: HostTime = HostTime(0);

    /// From nanoseconds since the epoch.
    pub const fn from_nanos(nanos: u64) -> Self {
        HostTime(nanos)
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds since the epoch.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 * 1e-9
    }

    /// This time plus `frames` at `sample_rate`.
    pub fn plus_frames(self, frames: u64, sample_rate: u32) -> HostTime {
        let nanos = u128::from(frames) * 1_000_000_000 / u128::from(sample_rate.max(1));
        HostTime(
            self.0
                .saturating_add(nanos.min(u128::from(u64::MAX)) as u64),
        )
    }

    /// Signed nanoseconds from `earlier` to `self`.
    pub fn nanos_since(self, earlier: HostTime) -> i64 {
        (i128::from(self.0) - i128::from(earlier.0)).clamp(i64::MIN.into(), i64::MAX.into()) as i64
    }
}

/// The link between [`HostTime`] and the process's monotonic clock, for drivers and for
/// applications that schedule on `Instant`s.
#[derive(Debug, Clone, Copy)]
pub struct HostClock {
    epoch: Instant,
}

impl HostClock {
    /// A clock whose epoch is now.
    pub fn start() -> Self {
        HostClock {
            epoch: Instant::now(),
        }
    }

    /// A clock with the given epoch (to share one epoch between engines).
    pub fn with_epoch(epoch: Instant) -> Self {
        HostClock { epoch }
    }

    /// The host time of `instant` (zero for instants before the epoch).
    pub fn host_time(&self, instant: Instant) -> HostTime {
        let nanos = instant.saturating_duration_since(self.epoch).as_nanos();
        HostTime(nanos.min(u128::from(u64::MAX)) as u64)
    }

    /// The host time now. Drivers call this; the processor never does.
    pub fn now(&self) -> HostTime {
        self.host_time(Instant::now())
    }

    /// The instant of a host time.
    pub fn instant(&self, time: HostTime) -> Instant {
        self.epoch + Duration::from_nanos(time.as_nanos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_convert_to_host_time_exactly() {
        assert_eq!(
            HostTime::ZERO.plus_frames(48_000, 48_000),
            HostTime::from_nanos(1_000_000_000)
        );
        assert_eq!(
            HostTime::ZERO.plus_frames(441, 44_100).as_nanos(),
            10_000_000
        );
        assert_eq!(
            HostTime::from_nanos(5).nanos_since(HostTime::from_nanos(8)),
            -3
        );
    }

    #[test]
    fn host_clock_round_trips_instants() {
        let clock = HostClock::start();
        let later = clock.instant(HostTime::from_nanos(1_500_000));
        assert_eq!(clock.host_time(later), HostTime::from_nanos(1_500_000));
    }
}
