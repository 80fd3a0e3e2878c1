//! Measuring the microphone path's delay: play a known signal, record it back, and find how
//! late it arrives.
//!
//! The signal is a logarithmic sweep (200 Hz to 8 kHz in 1 s, faded in and out); the delay is
//! the peak of the phase-transform generalized cross-correlation (GCC-PHAT) between what was
//! played and what was recorded, with sub-sample interpolation. Whitening every frequency
//! equally makes the peak sharp through the band limits of a phone speaker, a room's reverb
//! and noise. The result is kept per device in a small JSON file ([`Calibrations`]).

use std::collections::BTreeMap;
use std::path::Path;

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

use crate::error::{Result, ScoringError};

/// The calibration sweep at `rate`: 1 s from 200 Hz to 8 kHz, with 20 ms fades.
pub fn test_signal(rate: u32) -> Vec<f32> {
    let n = rate as usize;
    let (f0, f1) = (200.0f64, 8_000.0f64.min(0.45 * f64::from(rate)));
    let k = (f1 / f0).ln();
    let fade = (0.02 * f64::from(rate)) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / n as f64; // 0..1 over the sweep's second
            let phase = std::f64::consts::TAU * f0 / k * ((k * t).exp() - 1.0);
            let edge = (i.min(n - 1 - i) as f64 / fade as f64).min(1.0);
            (0.5 * edge * phase.sin()) as f32
        })
        .collect()
}

/// The measured delay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delay {
    /// Seconds from playing to recording.
    pub seconds: f64,
    /// How far the correlation peak stands above the rest (peak / second-highest outside
    /// ±2 ms); above about 2 the measurement is trustworthy.
    pub clarity: f64,
}

/// Finds how much later `played` arrives in `recorded` (both at `rate`), up to `max_seconds`.
pub fn find_delay(played: &[f32], recorded: &[f32], rate: u32, max_seconds: f64) -> Result<Delay> {
    if played.is_empty() || recorded.len() < played.len() / 2 {
        return Err(ScoringError::Calibration(
            "the recording is shorter than the test signal".into(),
        ));
    }
    let n = (played.len() + recorded.len()).next_power_of_two();
    let mut planner = FftPlanner::<f64>::new();
    let forward = planner.plan_fft_forward(n);
    let inverse = planner.plan_fft_inverse(n);
    let spectrum = |x: &[f32]| {
        let mut buffer: Vec<Complex<f64>> = (0..n)
            .map(|i| Complex::new(x.get(i).map_or(0.0, |&v| f64::from(v)), 0.0))
            .collect();
        forward.process(&mut buffer);
        buffer
    };
    let a = spectrum(played);
    let b = spectrum(recorded);
    // Cross-power spectrum, whitened: only phase remains.
    let mut cross: Vec<Complex<f64>> = a
        .iter()
        .zip(&b)
        .map(|(x, y)| {
            let c = y * x.conj();
            let magnitude = c.norm();
            if magnitude > 1e-12 {
                c / magnitude
            } else {
                Complex::new(0.0, 0.0)
            }
        })
        .collect();
    inverse.process(&mut cross);
    let max_lag = ((max_seconds * f64::from(rate)) as usize).min(n - 1);
    let values: Vec<f64> = cross[..=max_lag].iter().map(|c| c.re).collect();
    let (peak, &height) = values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .ok_or_else(|| ScoringError::Calibration("no correlation".into()))?;
    if height <= 0.0 {
        return Err(ScoringError::Calibration(
            "the test signal is not in the recording".into(),
        ));
    }
    let guard = (0.002 * f64::from(rate)) as usize;
    let second = values
        .iter()
        .enumerate()
        .filter(|(i, _)| i.abs_diff(peak) > guard)
        .map(|(_, &v)| v)
        .fold(0.0f64, f64::max);
    // Parabolic interpolation for the sub-sample peak.
    let offset = match (peak.checked_sub(1).map(|i| values[i]), values.get(peak + 1)) {
        (Some(l), Some(&r)) => {
            let denominator = l - 2.0 * height + r;
            if denominator.abs() > 1e-12 {
                0.5 * (l - r) / denominator
            } else {
                0.0
            }
        }
        _ => 0.0,
    };
    Ok(Delay {
        seconds: (peak as f64 + offset) / f64::from(rate),
        clarity: height / second.max(1e-12),
    })
}

/// Delays measured per device, kept in a JSON file.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calibrations {
    /// Device name to microphone delay in milliseconds.
    pub devices: BTreeMap<String, f64>,
}

impl Calibrations {
    /// Reads the file; a missing file is an empty set.
    pub fn load(path: &Path) -> Result<Calibrations> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| ScoringError::CalibrationFile {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Calibrations::default()),
            Err(e) => Err(ScoringError::CalibrationFile {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
        }
    }

    /// Writes the file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text =
            serde_json::to_string_pretty(self).map_err(|e| ScoringError::CalibrationFile {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        std::fs::write(path, text).map_err(|e| ScoringError::CalibrationFile {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }
}
