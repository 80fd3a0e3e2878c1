//! Clock synchronisation with the room: NTP's four timestamps per ping, turned into the room
//! clock's offset and drift relative to this host's clock.
//!
//! Each sample gives the one-way "up" interval (room receive − local send = offset + uplink
//! delay) and "down" interval (local receive − room send = downlink delay − offset). The
//! estimator takes, over a window, the smallest up and the smallest down separately (after
//! removing the drift), and puts the offset halfway: with jitter the fastest packet each way
//! is close to the path's floor, and many samples find it far better than the single
//! minimum-round-trip sample (which needs *both* directions fast at once). Like any two-way
//! sync it cannot see a difference between the two directions' floors: an asymmetric route
//! shifts the offset by half the asymmetry.
//!
//! Drift is the slope of the offsets given by the floors of successive stretches of time.
//! A clock that jumps shows up as samples below the floor in one direction; two in a row
//! and the history is dropped. Everything lives in fixed arrays: no allocation per sample.

use crate::time::{HostTime, TimeDelta};

/// Samples kept (at a ping a second, four minutes).
pub const HISTORY: usize = 256;

/// How the estimator filters.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClockConfig {
    /// The window the floors are taken over once the drift is known.
    pub window: TimeDelta,
    /// The window before that (short, as unknown drift tilts the floors).
    pub short_window: TimeDelta,
    /// The history must span this long before the drift is estimated.
    pub drift_span: TimeDelta,
    /// Samples needed before an estimate is given.
    pub min_samples: usize,
    /// Use only the newest this many samples (1: no filtering at all, for comparison).
    pub max_samples: usize,
    /// A sample this far under a floor (twice in a row) means the clock jumped.
    pub jump: TimeDelta,
}

impl Default for ClockConfig {
    fn default() -> Self {
        ClockConfig {
            window: TimeDelta::from_millis(120_000),
            short_window: TimeDelta::from_millis(12_000),
            drift_span: TimeDelta::from_millis(30_000),
            min_samples: 12,
            max_samples: HISTORY,
            jump: TimeDelta::from_millis(15),
        }
    }
}

/// One ping's four timestamps: t1 and t4 on this host's clock, t2 and t3 on the room's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSample {
    /// t1: the ping left here.
    pub sent: HostTime,
    /// t2: the room received it.
    pub remote_received: HostTime,
    /// t3: the room answered.
    pub remote_sent: HostTime,
    /// t4: the answer arrived here.
    pub received: HostTime,
}

impl ClockSample {
    /// The round trip minus the room's own time.
    pub fn delay(&self) -> TimeDelta {
        (self.received - self.sent) - (self.remote_sent - self.remote_received)
    }

    /// NTP's offset for this sample alone: room clock − local clock.
    pub fn offset(&self) -> TimeDelta {
        TimeDelta::from_micros(
            ((self.remote_received - self.sent) + (self.remote_sent - self.received)).as_micros()
                / 2,
        )
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Stored {
    /// t4, microseconds.
    at: i64,
    /// t2 − t1.
    up: i64,
    /// t4 − t3.
    down: i64,
}

/// The room clock as seen from this host: `room = local + offset + drift · (local − at)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockEstimate {
    /// The offset at `at`.
    pub offset: TimeDelta,
    /// The local instant the offset is for.
    pub at: HostTime,
    /// How much faster the room's clock runs (room seconds per local second − 1).
    pub drift: f64,
}

impl ClockEstimate {
    /// The offset at local instant `local`.
    pub fn offset_at(&self, local: HostTime) -> TimeDelta {
        self.offset + (local - self.at).scaled(self.drift)
    }

    /// A local instant on the room's clock.
    pub fn to_room(&self, local: HostTime) -> HostTime {
        local + self.offset_at(local)
    }

    /// A room instant on the local clock.
    pub fn to_local(&self, room: HostTime) -> HostTime {
        // room = local + offset + drift · (local − at), solved for local.
        self.at + (room - self.offset - self.at).scaled(1.0 / (1.0 + self.drift))
    }
}

/// Turns samples into an estimate of the room's clock.
#[derive(Debug, Clone)]
pub struct ClockEstimator {
    config: ClockConfig,
    samples: [Stored; HISTORY],
    /// Index of the oldest sample.
    head: usize,
    len: usize,
    estimate: Option<ClockEstimate>,
    /// A sample under a floor, held until the next one confirms a jump or not.
    suspect: Option<Stored>,
    /// Whether the estimate's drift was measured (else it is 0 and the window short).
    drift_known: bool,
    /// Times the history was dropped for a jump.
    jumps: u32,
}

impl ClockEstimator {
    /// An estimator with no samples.
    pub fn new(config: ClockConfig) -> Self {
        ClockEstimator {
            config,
            samples: [Stored::default(); HISTORY],
            head: 0,
            len: 0,
            estimate: None,
            suspect: None,
            drift_known: false,
            jumps: 0,
        }
    }

    /// The current estimate, once enough samples came.
    pub fn estimate(&self) -> Option<ClockEstimate> {
        self.estimate
    }

    /// Samples held.
    pub fn samples(&self) -> usize {
        self.len
    }

    /// How many times a clock jump reset the history.
    pub fn jumps(&self) -> u32 {
        self.jumps
    }

    fn stored(&self) -> impl Iterator<Item = &Stored> + '_ {
        let skip = self.len.saturating_sub(self.config.max_samples.max(1));
        (skip..self.len).map(move |i| &self.samples[(self.head + i) % HISTORY])
    }

    fn push(&mut self, sample: Stored) {
        if self.len == HISTORY {
            self.samples[self.head] = sample;
            self.head = (self.head + 1) % HISTORY;
        } else {
            self.samples[(self.head + self.len) % HISTORY] = sample;
            self.len += 1;
        }
    }

    fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
        self.estimate = None;
        self.drift_known = false;
    }

    /// Adds a sample. Samples with a negative or absurd (> 5 s) delay are ignored.
    pub fn add(&mut self, sample: ClockSample) {
        let delay = sample.delay();
        if delay < TimeDelta::ZERO || delay > TimeDelta::from_millis(5_000) {
            return;
        }
        let stored = Stored {
            at: sample.received.as_micros(),
            up: (sample.remote_received - sample.sent).as_micros(),
            down: (sample.received - sample.remote_sent).as_micros(),
        };
        if let Some(estimate) = self.estimate {
            // Below the floor in either direction by more than jitter can explain: the
            // clock stepped. Two in a row (one could be a floor not yet found).
            let drift = self.drift_known.then_some(estimate.drift);
            let (up_floor, down_floor) = self.floors(drift, estimate.at.as_micros());
            let shift = (estimate.drift * (stored.at - estimate.at.as_micros()) as f64) as i64;
            let jump = self.config.jump.as_micros();
            if stored.up - shift < up_floor - jump || stored.down + shift < down_floor - jump {
                match self.suspect.take() {
                    Some(first) => {
                        self.clear();
                        self.jumps += 1;
                        self.push(first);
                    }
                    None => {
                        // Held aside until the next sample says whether the clock jumped.
                        self.suspect = Some(stored);
                        return;
                    }
                }
            } else {
                self.suspect = None;
            }
        }
        self.push(stored);
        self.update();
    }

    /// The floors of up and down with the drift `drift` taken out, relative to instant
    /// `reference` (µs), over the window before the newest sample (the long one once a drift
    /// is known).
    fn floors(&self, drift: Option<f64>, reference: i64) -> (i64, i64) {
        let newest = self.stored().last().map_or(reference, |s| s.at);
        let start = newest - self.window(drift).as_micros();
        let drift = drift.unwrap_or(0.0);
        let (mut up, mut down) = (i64::MAX / 2, i64::MAX / 2);
        for s in self.stored().filter(|s| s.at >= start) {
            let shift = (drift * (s.at - reference) as f64) as i64;
            up = up.min(s.up - shift);
            down = down.min(s.down + shift);
        }
        (up, down)
    }

    fn update(&mut self) {
        let count = self.stored().count();
        if count < self.config.min_samples.min(self.config.max_samples.max(1)) {
            self.estimate = None;
            return;
        }
        let Some(newest) = self.stored().last().map(|s| s.at) else {
            return;
        };
        let drift = self.drift(newest);
        let (up, down) = self.floors(drift, newest);
        self.estimate = Some(ClockEstimate {
            offset: TimeDelta::from_micros((up - down) / 2),
            at: HostTime::from_micros(newest),
            drift: drift.unwrap_or(0.0),
        });
        self.drift_known = drift.is_some();
    }

    /// The drift: the least-squares slope of per-bin offsets. The history is cut into
    /// `BINS` spans of equal time; in each, the fastest packet each way gives an offset
    /// (up floor − down floor) / 2. Taking the floors per bin keeps the estimate fair where
    /// pings were denser (a burst has lower floors both ways, and they cancel in the
    /// offset). `None` until the history spans `drift_span`.
    fn drift(&self, newest: i64) -> Option<f64> {
        let oldest = self.stored().next().map_or(newest, |s| s.at);
        let span = newest - oldest;
        if span < self.config.drift_span.as_micros() {
            return None;
        }
        let mut bins = [(i64::MAX, i64::MAX, 0i64, 0i64); BINS];
        for s in self.stored() {
            let bin = (((s.at - oldest) as i128 * BINS as i128) / (span as i128 + 1)) as usize;
            let b = &mut bins[bin.min(BINS - 1)];
            b.0 = b.0.min(s.up);
            b.1 = b.1.min(s.down);
            b.2 += s.at - oldest;
            b.3 += 1;
        }
        let points = || {
            bins.iter()
                .filter(|b| b.3 >= 3)
                .map(|b| ((b.2 / b.3) as f64, (b.0 - b.1) as f64 / 2.0))
        };
        let n = points().count() as f64;
        if n < 4.0 {
            return None;
        }
        let (mx, my) = points().fold((0.0, 0.0), |(x, y), p| (x + p.0 / n, y + p.1 / n));
        let (sxx, sxy) = points().fold((0.0, 0.0), |(xx, xy), (x, y)| {
            (xx + (x - mx) * (x - mx), xy + (x - mx) * (y - my))
        });
        if sxx <= 0.0 {
            return None;
        }
        Some((sxy / sxx).clamp(-MAX_DRIFT, MAX_DRIFT))
    }

    /// The window for the floors: short while the drift is unknown (it tilts them), then a
    /// third of the history, up to the long window, as the drift measured over the history
    /// gets better with its length.
    fn window(&self, drift: Option<f64>) -> TimeDelta {
        let span = match (self.stored().next(), self.stored().last()) {
            (Some(first), Some(last)) => TimeDelta::from_micros(last.at - first.at),
            _ => TimeDelta::ZERO,
        };
        if drift.is_some() {
            TimeDelta::from_micros(span.as_micros() / 3)
                .clamp(self.config.short_window, self.config.window)
        } else {
            self.config.short_window
        }
    }
}

/// Clocks that drift more than this are not clocks.
const MAX_DRIFT: f64 = 3e-4;

/// Time bins the history is cut into for the drift.
const BINS: usize = 8;

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// `n` pairs of one-way delays, 20..60 ms each, uniform.
    fn delays(n: usize, seed: u64) -> Vec<(i64, i64)> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                (
                    rng.random_range(20_000..60_000),
                    rng.random_range(20_000..60_000),
                )
            })
            .collect()
    }

    /// A room clock `offset` ahead of ours and `drift` faster, pinged every `every` with
    /// one-way delays from `delays` (up, down).
    fn run(
        offset: TimeDelta,
        drift: f64,
        every: TimeDelta,
        delays: impl IntoIterator<Item = (i64, i64)>,
    ) -> (ClockEstimator, HostTime) {
        let mut estimator = ClockEstimator::new(ClockConfig::default());
        let room = |local: HostTime| local + offset + (local - HostTime::ZERO).scaled(drift);
        let mut t = HostTime::from_millis(1_000);
        for (up, down) in delays {
            let t2 = room(t + TimeDelta::from_micros(up));
            let t3 = t2 + TimeDelta::from_micros(50);
            let t4 = t + TimeDelta::from_micros(up + 50 + down);
            estimator.add(ClockSample {
                sent: t,
                remote_received: t2,
                remote_sent: t3,
                received: t4,
            });
            t += every;
        }
        (estimator, t)
    }

    #[test]
    fn the_floors_each_way_find_the_offset_through_jitter() {
        // Delays 20..60 ms each way from a fixed sequence (no RNG needed for a unit test).
        let offset = TimeDelta::from_millis(-123_456);
        let (estimator, t) = run(offset, 0.0, TimeDelta::from_millis(250), delays(120, 1));
        let estimate = estimator.estimate().unwrap();
        let error = estimate.offset_at(t) - offset;
        assert!(error.abs() < TimeDelta::from_millis(1), "error {error:?}");
        // One sample alone is off by up to half the jitter.
        let worst = ClockSample {
            sent: HostTime::ZERO,
            remote_received: HostTime::ZERO + offset + TimeDelta::from_millis(60),
            remote_sent: HostTime::ZERO + offset + TimeDelta::from_millis(60),
            received: HostTime::from_millis(80),
        };
        assert_eq!(worst.offset() - offset, TimeDelta::from_millis(20));
    }

    #[test]
    fn drift_is_measured_and_followed() {
        let (estimator, t) = run(
            TimeDelta::from_millis(5),
            100e-6,
            TimeDelta::from_millis(500),
            delays(240, 2),
        );
        let estimate = estimator.estimate().unwrap();
        assert!(
            (estimate.drift - 100e-6).abs() < 20e-6,
            "drift {}",
            estimate.drift
        );
        let truth = TimeDelta::from_millis(5) + (t - HostTime::ZERO).scaled(100e-6);
        let error = estimate.offset_at(t) - truth;
        assert!(error.abs() < TimeDelta::from_millis(1), "error {error:?}");
    }

    #[test]
    fn a_jump_of_the_clock_drops_the_history() {
        let mut estimator = ClockEstimator::new(ClockConfig::default());
        let mut t = HostTime::from_millis(1_000);
        let mut offset = TimeDelta::from_millis(10);
        for (i, (up, down)) in delays(80, 3).into_iter().enumerate() {
            if i == 40 {
                offset += TimeDelta::from_millis(300);
            }
            let t2 = t + offset + TimeDelta::from_micros(up);
            estimator.add(ClockSample {
                sent: t,
                remote_received: t2,
                remote_sent: t2,
                received: t + TimeDelta::from_micros(up + down),
            });
            t += TimeDelta::from_millis(250);
        }
        assert_eq!(estimator.jumps(), 1);
        let error = estimator.estimate().unwrap().offset_at(t) - offset;
        assert!(error.abs() < TimeDelta::from_millis(2), "error {error:?}");
    }

    #[test]
    fn conversions_are_inverse() {
        let estimate = ClockEstimate {
            offset: TimeDelta::from_millis(-500),
            at: HostTime::from_millis(10_000),
            drift: 80e-6,
        };
        for ms in [0, 10_000, 3_600_000] {
            let local = HostTime::from_millis(ms);
            assert_eq!(estimate.to_local(estimate.to_room(local)), local);
        }
    }
}
