//! How one host's clock reads a reference ("true") time: its own origin, a rate error (drift,
//! in ppm) and steps (jumps). `net::NetClock` reads the OS clock through one, so that
//! tests can give each peer on one machine a clock of its own; seeded test drivers give one to
//! every host they step.

use super::{HostTime, TimeDelta};

/// How a host's clock reads true time.
#[derive(Debug, Clone, Default)]
pub struct HostClock {
    /// The clock's reading at true time zero.
    pub offset: TimeDelta,
    /// How much faster than true time it runs (100e-6: 100 ppm fast).
    pub drift: f64,
    /// Steps: at true instant `.0` the clock jumps by `.1`.
    pub jumps: Vec<(HostTime, TimeDelta)>,
}

impl HostClock {
    /// The clock's reading at true instant `t`.
    pub fn local(&self, t: HostTime) -> HostTime {
        let elapsed = t - HostTime::ZERO;
        let mut local = HostTime::ZERO + self.offset + elapsed + elapsed.scaled(self.drift);
        for &(when, by) in &self.jumps {
            if t >= when {
                local += by;
            }
        }
        local
    }

    /// The true instant at which the clock reads `local` (the first, if a jump repeats it).
    pub fn true_time(&self, local: HostTime) -> HostTime {
        // Invert without jumps, then correct for the jumps in effect there; one pass is
        // exact to the microsecond for drift this small.
        let mut guess = HostTime::ZERO
            + (local - HostTime::ZERO - self.offset).scaled(1.0 / (1.0 + self.drift));
        for _ in 0..3 {
            let error = self.local(guess) - local;
            guess -= error.scaled(1.0 / (1.0 + self.drift));
        }
        guess
    }
}
