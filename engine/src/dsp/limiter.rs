//! The limiter at the end of every bus: nothing leaving the engine exceeds the ceiling.
//!
//! It has no look-ahead (the monitor bus cannot afford latency), so the attack is instant: the
//! gain for a frame is computed from that frame's own peak, which makes overshoot impossible.
//! Release is exponential (the gain recovers at 100 ms per time constant) so a loud moment
//! does not leave the mix pumping. Channels are linked: the stereo image never shifts.

/// The ceiling: −1 dBFS, the EBU R128 true-peak limit with a margin for lossy encoding.
pub(crate) const CEILING: f32 = 0.891;

/// The release time constant, in seconds.
const RELEASE_SECONDS: f64 = 0.1;

/// A linked peak limiter for interleaved frames.
#[derive(Debug, Clone)]
pub(crate) struct Limiter {
    /// The peak the gain follows: jumps up instantly, decays with the release.
    envelope: f32,
    release: f32,
}

impl Limiter {
    pub(crate) fn new(sample_rate: u32) -> Self {
        Limiter {
            envelope: 0.0,
            release: (-1.0 / (RELEASE_SECONDS * f64::from(sample_rate))).exp() as f32,
        }
    }

    /// Limits `samples` (interleaved, `channels` per frame) in place.
    pub(crate) fn process(&mut self, samples: &mut [f32], channels: usize) {
        for frame in samples.chunks_exact_mut(channels) {
            let mut peak = 0.0f32;
            for s in frame.iter_mut() {
                // Not-a-number or infinity from a broken input must reach neither a device
                // nor the envelope (which would then hold the bus silent for good).
                if !s.is_finite() {
                    *s = 0.0;
                }
                peak = peak.max(s.abs());
            }
            self.envelope = super::flush_denormal((self.envelope * self.release).max(peak));
            if self.envelope > CEILING {
                let gain = CEILING / self.envelope;
                frame.iter_mut().for_each(|s| *s *= gain);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_passes_the_ceiling_and_quiet_audio_is_untouched() {
        let mut limiter = Limiter::new(48_000);
        let mut quiet: Vec<f32> = (0..4800).map(|i| 0.5 * (i as f32 * 0.05).sin()).collect();
        let before = quiet.clone();
        limiter.process(&mut quiet, 2);
        assert_eq!(quiet, before);

        let mut loud: Vec<f32> = (0..4800).map(|i| 3.0 * (i as f32 * 0.05).sin()).collect();
        limiter.process(&mut loud, 2);
        let peak = loud.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(peak <= CEILING + 1e-6, "peak {peak}");
        assert!(peak > 0.8 * CEILING, "limited, not silenced: {peak}");
    }

    #[test]
    fn gain_recovers_after_a_peak() {
        let mut limiter = Limiter::new(48_000);
        let mut burst = vec![4.0f32; 96];
        limiter.process(&mut burst, 2);
        // One second later (ten time constants) a 0.5 signal passes almost untouched.
        let mut after = vec![0.5f32; 96_000];
        limiter.process(&mut after, 2);
        assert!((after[after.len() - 1] - 0.5).abs() < 1e-3);
    }

    #[test]
    fn not_a_number_becomes_silence() {
        let mut limiter = Limiter::new(48_000);
        let mut samples = [f32::NAN, 0.1, f32::INFINITY, 0.1, 0.2, 0.2];
        limiter.process(&mut samples, 2);
        assert_eq!(samples, [0.0, 0.1, 0.0, 0.1, 0.2, 0.2]);
    }
}
