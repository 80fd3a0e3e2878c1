//! A seeded network path in the spirit of netem: a fixed latency plus uniform jitter (netem's
//! default distribution), loss, duplication and extra reordering delay, one direction each.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use sync::TimeDelta;

/// One direction of a path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Path {
    /// The delay every packet takes.
    pub latency: TimeDelta,
    /// Plus uniform jitter in ±this.
    pub jitter: TimeDelta,
    /// The share of packets lost.
    pub loss: f64,
    /// The share of packets delivered twice.
    pub duplicate: f64,
    /// The share of packets held back a further `latency` (reordered past later ones).
    pub reorder: f64,
}

impl Path {
    /// A perfect path with this one-way latency.
    pub fn fixed(latency: TimeDelta) -> Path {
        Path {
            latency,
            jitter: TimeDelta::ZERO,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
        }
    }

    /// The standard conditions: 40 ms ± 20 ms, 5% loss.
    pub fn lossy() -> Path {
        Path {
            latency: TimeDelta::from_millis(40),
            jitter: TimeDelta::from_millis(20),
            loss: 0.05,
            duplicate: 0.01,
            reorder: 0.01,
        }
    }

    /// The delays of the copies of one packet that arrive (none if lost).
    pub fn deliveries(&self, rng: &mut ChaCha8Rng) -> impl Iterator<Item = TimeDelta> {
        let lost = rng.random_bool(self.loss.clamp(0.0, 1.0));
        let copies = if lost {
            0
        } else if rng.random_bool(self.duplicate.clamp(0.0, 1.0)) {
            2
        } else {
            1
        };
        let mut delays = [TimeDelta::ZERO; 2];
        for delay in delays.iter_mut().take(copies) {
            let jitter = self.jitter.as_micros();
            let mut d = self.latency.as_micros()
                + if jitter > 0 {
                    rng.random_range(-jitter..=jitter)
                } else {
                    0
                };
            if rng.random_bool(self.reorder.clamp(0.0, 1.0)) {
                d += self.latency.as_micros();
            }
            *delay = TimeDelta::from_micros(d.max(0));
        }
        delays.into_iter().take(copies)
    }
}
