//! Dynamics for the voice: a noise gate (silences the microphone between phrases, so room
//! noise and speaker bleed do not reach the mix) and a compressor (evens out a singer who
//! moves towards and away from the microphone).
//!
//! Neither looks ahead, so neither adds latency to the monitor path.

use crate::dsp::flush_denormal;

/// Decibels to amplitude.
fn db_to_amp(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Amplitude to decibels (−200 dB for silence).
fn amp_to_db(amp: f32) -> f32 {
    20.0 * amp.max(1e-10).log10()
}

/// A one-pole smoothing coefficient for a time constant.
fn coefficient(seconds: f32, sample_rate: u32) -> f32 {
    (-1.0 / (seconds.max(1e-4) * sample_rate as f32)).exp()
}

/// A noise gate's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateSettings {
    /// The level (dBFS peak) above which the gate opens; it closes 6 dB below.
    pub threshold_db: f32,
    /// How long it stays open after the level falls, in seconds.
    pub hold_seconds: f32,
    /// How long it takes to close, in seconds.
    pub release_seconds: f32,
}

impl Default for GateSettings {
    fn default() -> Self {
        GateSettings {
            threshold_db: -50.0,
            hold_seconds: 0.08,
            release_seconds: 0.15,
        }
    }
}

/// The gate's closing hysteresis, in dB below the threshold.
const GATE_HYSTERESIS_DB: f32 = 6.0;

/// A noise gate with hysteresis and hold; it opens within a millisecond.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    open_level: f32,
    close_level: f32,
    hold_frames: u32,
    envelope_release: f32,
    attack_step: f32,
    release_step: f32,
    envelope: f32,
    held: u32,
    open: bool,
    gain: f32,
}

impl Gate {
    pub(crate) fn new(settings: &GateSettings, sample_rate: u32) -> Self {
        let rate = sample_rate as f32;
        Gate {
            open_level: db_to_amp(settings.threshold_db),
            close_level: db_to_amp(settings.threshold_db - GATE_HYSTERESIS_DB),
            hold_frames: (settings.hold_seconds.max(0.0) * rate) as u32,
            envelope_release: coefficient(0.02, sample_rate),
            attack_step: 1.0 / (0.001 * rate),
            release_step: 1.0 / (settings.release_seconds.max(0.001) * rate),
            envelope: 0.0,
            held: 0,
            open: false,
            gain: 0.0,
        }
    }

    #[inline]
    pub(crate) fn process(&mut self, x: f32) -> f32 {
        self.envelope = flush_denormal(x.abs().max(self.envelope * self.envelope_release));
        if self.envelope >= self.open_level {
            self.open = true;
            self.held = self.hold_frames;
        } else if self.envelope < self.close_level {
            if self.held > 0 {
                self.held -= 1;
            } else {
                self.open = false;
            }
        }
        self.gain = if self.open {
            (self.gain + self.attack_step).min(1.0)
        } else {
            (self.gain - self.release_step).max(0.0)
        };
        x * self.gain
    }
}

/// A compressor's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompressorSettings {
    /// The level (dBFS) above which it compresses.
    pub threshold_db: f32,
    /// Input dB per output dB above the threshold.
    pub ratio: f32,
    /// Attack time constant, in seconds.
    pub attack_seconds: f32,
    /// Release time constant, in seconds.
    pub release_seconds: f32,
    /// Gain added after compression, in dB.
    pub makeup_db: f32,
}

impl Default for CompressorSettings {
    fn default() -> Self {
        CompressorSettings {
            threshold_db: -24.0,
            ratio: 3.0,
            attack_seconds: 0.005,
            release_seconds: 0.12,
            makeup_db: 6.0,
        }
    }
}

/// The width of the compressor's soft knee, in dB.
const KNEE_DB: f32 = 6.0;

/// A feed-forward compressor on a smoothed peak level, with a soft knee.
#[derive(Debug, Clone)]
pub(crate) struct Compressor {
    threshold_db: f32,
    slope: f32,
    attack: f32,
    release: f32,
    makeup: f32,
    /// The gain reduction in dB (≤ 0), smoothed.
    reduction_db: f32,
}

impl Compressor {
    pub(crate) fn new(settings: &CompressorSettings, sample_rate: u32) -> Self {
        Compressor {
            threshold_db: settings.threshold_db,
            slope: 1.0 - 1.0 / settings.ratio.max(1.0),
            attack: coefficient(settings.attack_seconds, sample_rate),
            release: coefficient(settings.release_seconds, sample_rate),
            makeup: db_to_amp(settings.makeup_db),
            reduction_db: 0.0,
        }
    }

    /// The static curve: gain reduction (dB, ≤ 0) for an input level.
    fn target_reduction(&self, level_db: f32) -> f32 {
        let over = level_db - self.threshold_db;
        if over <= -KNEE_DB / 2.0 {
            0.0
        } else if over >= KNEE_DB / 2.0 {
            -self.slope * over
        } else {
            let x = over + KNEE_DB / 2.0;
            -self.slope * x * x / (2.0 * KNEE_DB)
        }
    }

    #[inline]
    pub(crate) fn process(&mut self, x: f32) -> f32 {
        let target = self.target_reduction(amp_to_db(x.abs()));
        // More reduction follows the attack; less follows the release.
        let k = if target < self.reduction_db {
            self.attack
        } else {
            self.release
        };
        self.reduction_db = flush_denormal(target + k * (self.reduction_db - target));
        x * db_to_amp(self.reduction_db) * self.makeup
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amplitude: f32, frames: usize) -> impl Iterator<Item = f32> {
        (0..frames).map(move |n| {
            amplitude * (n as f32 * 2.0 * std::f32::consts::PI * 220.0 / 48_000.0).sin()
        })
    }

    fn peak(samples: impl Iterator<Item = f32>) -> f32 {
        samples.fold(0.0, |m, s| m.max(s.abs()))
    }

    #[test]
    fn the_gate_passes_singing_and_silences_room_noise() {
        let mut gate = Gate::new(&GateSettings::default(), 48_000);
        // Noise at −60 dBFS: below the threshold, shut.
        let noise = peak(tone(0.001, 48_000).map(|x| gate.process(x)).skip(24_000));
        assert_eq!(noise, 0.0);
        // A voice at −12 dBFS: open within a few milliseconds.
        let voice: Vec<f32> = tone(0.25, 4_800).map(|x| gate.process(x)).collect();
        assert!(peak(voice[480..].iter().copied()) > 0.24);
        // Back to noise: it holds, then closes.
        let after: Vec<f32> = tone(0.001, 48_000).map(|x| gate.process(x)).collect();
        assert!(peak(after[..2_000].iter().copied()) > 0.0, "holds");
        assert_eq!(peak(after[24_000..].iter().copied()), 0.0, "then closes");
    }

    #[test]
    fn the_compressor_narrows_the_range_above_the_threshold() {
        let settings = CompressorSettings {
            makeup_db: 0.0,
            ..CompressorSettings::default()
        };
        let mut loud = Compressor::new(&settings, 48_000);
        let mut quiet = Compressor::new(&settings, 48_000);
        // 12 dB apart, both above the threshold (−24 dBFS).
        let a = peak(tone(0.5, 48_000).map(|x| loud.process(x)).skip(24_000));
        let b = peak(tone(0.125, 48_000).map(|x| quiet.process(x)).skip(24_000));
        let out_db = amp_to_db(a) - amp_to_db(b);
        // Ratio 3: about 4 dB apart after compression.
        assert!((3.0..6.0).contains(&out_db), "{out_db}");
        // Far below the threshold it leaves the level alone.
        let mut soft = Compressor::new(&settings, 48_000);
        let c = peak(tone(0.01, 48_000).map(|x| soft.process(x)).skip(24_000));
        assert!((c - 0.01).abs() < 1e-4, "{c}");
    }
}
