//! Echo: repeats of the voice, each quieter and duller than the last (a tape-style delay).

use crate::dsp::flush_denormal;

/// An echo's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EchoSettings {
    /// Time between repeats, in seconds (at most [`MAX_ECHO_SECONDS`]).
    pub delay_seconds: f32,
    /// Each repeat's level relative to the one before, 0..1.
    pub feedback: f32,
    /// The first repeat's level relative to the voice.
    pub level: f32,
}

/// The longest echo delay.
pub const MAX_ECHO_SECONDS: f32 = 1.0;

/// The cutoff that dulls each repeat, in Hz.
const DAMPING_HZ: f32 = 4_000.0;

/// A feedback delay line with a low-pass in the loop.
#[derive(Debug, Clone)]
pub(crate) struct Echo {
    line: Vec<f32>,
    write: usize,
    delay: usize,
    feedback: f32,
    level: f32,
    damping: f32,
    lowpass: f32,
}

impl Echo {
    /// Allocates the delay line: control thread only.
    pub(crate) fn new(settings: &EchoSettings, sample_rate: u32) -> Self {
        let rate = sample_rate as f32;
        let delay = (settings.delay_seconds.clamp(0.001, MAX_ECHO_SECONDS) * rate) as usize;
        Echo {
            line: vec![0.0; delay.max(1)],
            write: 0,
            delay: delay.max(1),
            feedback: settings.feedback.clamp(0.0, 0.95),
            level: settings.level.max(0.0),
            damping: (-2.0 * std::f32::consts::PI * DAMPING_HZ / rate).exp(),
            lowpass: 0.0,
        }
    }

    /// The repeats of `x` (not `x` itself).
    #[inline]
    pub(crate) fn process(&mut self, x: f32) -> f32 {
        // The line holds what returns `delay` frames later: the voice plus the fed-back repeats.
        let returned = self.line[self.write];
        self.lowpass = flush_denormal(returned + self.damping * (self.lowpass - returned));
        self.line[self.write] = x + self.feedback * self.lowpass;
        self.write += 1;
        if self.write == self.delay {
            self.write = 0;
        }
        self.level * self.lowpass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_come_at_the_delay_each_quieter() {
        let mut echo = Echo::new(
            &EchoSettings {
                delay_seconds: 0.01,
                feedback: 0.5,
                level: 0.8,
            },
            10_000,
        );
        let mut out = Vec::new();
        for n in 0..1_000 {
            out.push(echo.process(if n == 0 { 1.0 } else { 0.0 }));
        }
        // Peaks near frames 100, 200, 300 (the low-pass spreads each a little).
        let peak_near = |at: usize| out[at..at + 20].iter().fold(0.0f32, |m, s| m.max(*s));
        let (a, b, c) = (peak_near(100), peak_near(200), peak_near(300));
        assert!(
            out[..100].iter().all(|&s| s == 0.0),
            "nothing before the delay"
        );
        assert!(a > b && b > c && c > 0.0, "{a} {b} {c}");
    }
}
