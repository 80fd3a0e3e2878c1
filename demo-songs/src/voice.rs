//! A singing voice: a harmonic source shaped by vowel formants, with what makes a voice sound
//! sung rather than played: vibrato (5–6 Hz, 36–52 cents peak to peak), slow pitch drift,
//! cycle-to-cycle jitter and shimmer, breath noise, soft consonant onsets, and glides between
//! legato notes.
//!
//! Source and filter are applied in the frequency domain of the harmonics: each harmonic's
//! amplitude is the glottal spectral tilt times the vowel's formant envelope at its frequency,
//! so the formants stay put while the pitch moves, as in a real voice. Breath noise goes
//! through time-domain resonators at the same formants.

use std::f64::consts::TAU;

use crate::rng::Rng;
use crate::score::{SungNote, Vowel};

/// Formant frequencies (Hz) and bandwidths of each vowel for an adult male voice
/// (Peterson & Barney 1952 averages, rounded).
fn formants(vowel: Vowel) -> [(f64, f64); 4] {
    match vowel {
        Vowel::A => [
            (730.0, 90.0),
            (1090.0, 110.0),
            (2440.0, 170.0),
            (3400.0, 250.0),
        ],
        Vowel::E => [
            (530.0, 80.0),
            (1840.0, 110.0),
            (2480.0, 170.0),
            (3400.0, 250.0),
        ],
        Vowel::I => [
            (270.0, 70.0),
            (2290.0, 110.0),
            (3010.0, 170.0),
            (3500.0, 250.0),
        ],
        Vowel::O => [
            (570.0, 80.0),
            (840.0, 100.0),
            (2410.0, 170.0),
            (3400.0, 250.0),
        ],
        Vowel::U => [
            (300.0, 70.0),
            (870.0, 100.0),
            (2240.0, 170.0),
            (3400.0, 250.0),
        ],
    }
}

/// The formants of `vowel` for a voice whose vocal tract is `scale` times shorter than the
/// reference male one (about 1.17 for an adult female voice).
pub fn scaled_formants(vowel: Vowel, scale: f64) -> [(f64, f64); 4] {
    // Trained singers' resonances are sharper than speech's: narrower bandwidths.
    formants(vowel).map(|(f, b)| (f * scale, b * scale * 0.7))
}

/// How a voice sounds.
#[derive(Debug, Clone, Copy)]
pub struct Timbre {
    /// Formant scale: 1 for a male voice, about 1.17 for a female one.
    pub formant_scale: f64,
    /// Breath noise level relative to the harmonic part.
    pub breath: f64,
    /// Spectral tilt: above 1, brighter.
    pub brightness: f64,
    /// Vibrato peak deviation range in cents (each note draws from it).
    pub vibrato_cents: (f64, f64),
    /// A constant offset of every pitch, in cents (for singing out of tune on purpose).
    pub detune_cents: f64,
}

impl Timbre {
    /// A male voice.
    pub const MALE: Timbre = Timbre {
        formant_scale: 1.0,
        breath: 0.10,
        brightness: 1.0,
        // 18–26 cents peak deviation: 36–52 cents peak to peak.
        vibrato_cents: (18.0, 26.0),
        detune_cents: 0.0,
    };
    /// A female voice.
    pub const FEMALE: Timbre = Timbre {
        formant_scale: 1.17,
        breath: 0.10,
        brightness: 1.05,
        vibrato_cents: (18.0, 26.0),
        detune_cents: 0.0,
    };
}

/// Magnitude of a cascade of two-pole resonators at frequency `f` (1 at DC).
fn envelope(f: f64, formants: &[(f64, f64); 4]) -> f64 {
    formants
        .iter()
        .map(|&(fc, bw)| {
            let num = fc * fc;
            ((fc * fc - f * f).powi(2) + (bw * f).powi(2))
                .sqrt()
                .recip()
                * num
        })
        .product()
}

/// Sings `notes` (one voice's) into a mono buffer of `length` samples at `rate`.
pub fn sing(
    notes: &[SungNote],
    timbre: Timbre,
    rate: u32,
    length: usize,
    rng: &mut Rng,
) -> Vec<f32> {
    render(notes, timbre, rate, length, rng, None)
}

/// Like [`sing`], and also returns the truth: the sung fundamental (Hz) at every sample
/// where the voice is fully voiced (past the attack, before the release), -1 during attacks
/// and releases, 0 where no voice sounds (silence, breath, consonants).
pub fn sing_with_truth(
    notes: &[SungNote],
    timbre: Timbre,
    rate: u32,
    length: usize,
    rng: &mut Rng,
) -> (Vec<f32>, Vec<f32>) {
    let mut truth = vec![0.0f32; length];
    let sung = render(notes, timbre, rate, length, rng, Some(&mut truth));
    (sung, truth)
}

fn render(
    notes: &[SungNote],
    timbre: Timbre,
    rate: u32,
    length: usize,
    rng: &mut Rng,
    mut truth: Option<&mut [f32]>,
) -> Vec<f32> {
    let sr = f64::from(rate);
    let mut out = vec![0.0f32; length];
    // Slow drift shared by the whole performance: three slow sinusoids, a few cents.
    let drift: Vec<(f64, f64, f64)> = (0..3)
        .map(|_| {
            (
                rng.range(0.15, 0.7),
                rng.range(0.0, TAU),
                rng.range(1.5, 3.5),
            )
        })
        .collect();
    let mut breath = Breath::new(timbre, rate, rng.next_u64());
    let mut phase = 0.0f64;
    for (i, note) in notes.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &notes[p]);
        let next = notes.get(i + 1);
        let legato_in = prev.filter(|p| (note.start - (p.start + p.duration)).abs() < 0.03);
        let legato_out =
            next.is_some_and(|n| (n.start - (note.start + note.duration)).abs() < 0.03);
        let vibrato_rate = rng.range(5.0, 6.0);
        let vibrato_depth = rng.range(timbre.vibrato_cents.0, timbre.vibrato_cents.1);
        let vibrato_phase = rng.range(0.0, TAU);
        let detune = timbre.detune_cents / 100.0;
        let target = note.midi as f64 + detune;
        let from = legato_in.map_or(target, |p| p.midi as f64 + detune);
        let glide = 0.05;
        let vowel = scaled_formants(note.vowel, timbre.formant_scale);
        let prev_vowel =
            legato_in.map_or(vowel, |p| scaled_formants(p.vowel, timbre.formant_scale));
        // The consonant: a short noise burst just before the vowel.
        let consonant = 0.025;
        let start = ((note.start - consonant) * sr).max(0.0) as usize;
        let end = (((note.start + note.duration) * sr) as usize).min(length);
        let mut jitter = 1.0;
        let mut shimmer = 1.0;
        let mut cycle_phase = 0.0;
        let mut harmonics: Vec<f64> = Vec::new();
        #[allow(clippy::needless_range_loop)] // `n` is also the sample's time
        for n in start..end {
            let t = n as f64 / sr - note.start; // seconds into the note (negative: consonant)
            let remaining = note.duration - t;
            // Amplitude: soft attack, and a dip (legato) or release at the end.
            let attack = (t / 0.035).clamp(0.0, 1.0);
            let release = if legato_out {
                0.55 + 0.45 * (remaining / 0.03).clamp(0.0, 1.0)
            } else {
                (remaining / 0.06).clamp(0.0, 1.0)
            };
            let amplitude = attack * attack * (3.0 - 2.0 * attack) * release;
            // Pitch: glide from the previous note, vibrato after the onset, drift, jitter.
            let glide_amount = if t < glide {
                1.0 - smooth(t / glide)
            } else {
                0.0
            };
            let mut midi = target + (from - target) * glide_amount;
            let vib_in = ((t - 0.2) / 0.25).clamp(0.0, 1.0);
            if note.duration > 0.45 {
                midi +=
                    vib_in * vibrato_depth / 100.0 * (TAU * vibrato_rate * t + vibrato_phase).sin();
            }
            let now = n as f64 / sr;
            midi += drift
                .iter()
                .map(|&(f, p, cents)| cents / 100.0 * (TAU * f * now + p).sin())
                .sum::<f64>();
            let f0 = 440.0 * 2f64.powf((midi - 69.0) / 12.0) * jitter;
            phase += TAU * f0 / sr;
            cycle_phase += f0 / sr;
            if cycle_phase >= 1.0 {
                cycle_phase -= 1.0;
                jitter = 1.0 + 0.0035 * rng.normal();
                shimmer = 1.0 + 0.05 * rng.normal();
            }
            if phase > TAU * 1e6 {
                phase %= TAU;
            }
            // Formants move from the previous vowel over the first 60 ms.
            let blend = smooth((t / 0.06).clamp(0.0, 1.0));
            let formants: [(f64, f64); 4] = std::array::from_fn(|k| {
                let (a, b) = (prev_vowel[k], vowel[k]);
                (a.0 + (b.0 - a.0) * blend, a.1 + (b.1 - a.1) * blend)
            });
            // Harmonic amplitudes, refreshed every 32 samples (the envelope moves slowly).
            if (n - start).is_multiple_of(32) {
                harmonics.clear();
                let mut k = 1.0;
                while k * f0 < 7_500.0 {
                    let tilt = k.powf(-1.25 / timbre.brightness);
                    harmonics.push(tilt * envelope(k * f0, &formants));
                    k += 1.0;
                }
                // A singer keeps their loudness from vowel to vowel and note to note: the
                // voiced part has unit RMS, so the breath noise sits at a steady level below.
                let power: f64 = harmonics.iter().map(|a| a * a / 2.0).sum();
                let norm = power.sqrt().max(1e-9);
                for a in &mut harmonics {
                    *a /= norm;
                }
            }
            let mut voiced = 0.0;
            // sin(kφ) by the Chebyshev recurrence: one sin and one cos per sample.
            let (s1, c1) = phase.sin_cos();
            let (mut s_prev, mut s_cur) = (0.0, s1);
            for (k, &a) in harmonics.iter().enumerate() {
                if k > 0 {
                    let s_next = 2.0 * c1 * s_cur - s_prev;
                    s_prev = s_cur;
                    s_cur = s_next;
                }
                voiced += a * s_cur;
            }
            let noise = breath.sample(&formants);
            let fricative = if t < 0.0 {
                breath.fricative() * (1.0 - (-t / consonant)) * 0.6
            } else {
                0.0
            };
            out[n] += (0.12 * amplitude * shimmer * (voiced + timbre.breath * 6.0 * noise)
                + 0.12 * fricative) as f32;
            if let Some(truth) = truth.as_deref_mut() {
                // Fully voiced: the pitch; attack or release: -1 (neither voiced nor silent).
                if amplitude > 0.9 {
                    truth[n] = f0 as f32;
                } else if amplitude > 0.0 && truth[n] == 0.0 {
                    truth[n] = -1.0;
                }
            }
        }
    }
    out
}

/// 0..1 -> 0..1 with zero slope at both ends.
fn smooth(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Breath noise through the vowel's formants, and the high hiss of a consonant.
struct Breath {
    rng: Rng,
    rate: f64,
    states: [(f64, f64); 3],
    /// The last two white-noise samples.
    white: (f64, f64),
    hiss: (f64, f64),
    scale: f64,
}

impl Breath {
    fn new(timbre: Timbre, rate: u32, seed: u64) -> Self {
        Breath {
            rng: Rng::new(seed),
            rate: f64::from(rate),
            states: [(0.0, 0.0); 3],
            white: (0.0, 0.0),
            hiss: (0.0, 0.0),
            scale: timbre.formant_scale,
        }
    }

    /// One sample of breath noise shaped by the first three formants.
    fn sample(&mut self, formants: &[(f64, f64); 4]) -> f64 {
        let white = self.rng.normal();
        let older = self.white.1;
        self.white = (white, self.white.0);
        let mut sum = 0.0;
        for (state, &(f, bw)) in self.states.iter_mut().zip(formants.iter()) {
            // Band-pass resonator with zeros at DC and Nyquist (no rumble below the voice),
            // unity gain at its centre.
            let r = (-std::f64::consts::PI * bw * 1.5 / self.rate).exp();
            let c = 2.0 * r * (TAU * f / self.rate).cos();
            let y = 0.5 * (1.0 - r * r) * (white - older) + c * state.0 - r * r * state.1;
            state.1 = state.0;
            state.0 = y;
            sum += y;
        }
        sum
    }

    /// One sample of high-passed noise for a consonant.
    fn fricative(&mut self) -> f64 {
        let white = self.rng.normal();
        // First-difference high-pass, twice.
        let d1 = white - self.hiss.0;
        let d2 = d1 - self.hiss.1;
        self.hiss = (white, d1);
        d2 * 0.5 * self.scale
    }
}
