//! The band: bass, chords, drums and a lead instrument, synthesized here.
//!
//! The lead plays only in the instrumental blocks (intro, breaks, outro), so it never doubles
//! the vocal line; while the voice sings, the band accompanies with chords, bass and drums.

use std::f64::consts::TAU;

use crate::rng::Rng;
use crate::score::Timeline;

/// Renders the band to stereo (interleaved) at `rate`, `length` frames.
pub fn play(
    timeline: &Timeline,
    tempo: f64,
    meter: u32,
    rate: u32,
    length: usize,
    rng: &mut Rng,
) -> Vec<f32> {
    let mut out = Stereo {
        left: vec![0.0f64; length],
        right: vec![0.0f64; length],
        sr: f64::from(rate),
    };
    let beat = timeline.beat;
    let slow = tempo < 85.0;
    // Bass: the chord's root on the first beat of each chord, and its fifth halfway.
    for chord in &timeline.chords {
        let root = chord.root - 12;
        let halves = if chord.duration >= 2.0 * beat - 1e-9 {
            2
        } else {
            1
        };
        for h in 0..halves {
            let start = chord.start + h as f64 * chord.duration / halves as f64;
            let note = if h == 0 { root } else { root + 7 };
            bass(&mut out, start, chord.duration / halves as f64, note);
        }
    }
    // Chords: a soft electric piano, on every beat when slow, on the off-beats otherwise.
    for chord in &timeline.chords {
        let third = if chord.minor { 3 } else { 4 };
        let tones = [chord.root + 12, chord.root + 12 + third, chord.root + 19];
        let beats = (chord.duration / beat).round().max(1.0) as usize;
        for b in 0..beats {
            let start = chord.start + b as f64 * beat;
            let offbeat = !slow;
            let at = if offbeat { start + beat / 2.0 } else { start };
            let length = if offbeat { beat / 2.0 } else { beat };
            for (k, &tone) in tones.iter().enumerate() {
                let pan = 0.35 + 0.15 * k as f64;
                piano(&mut out, at, length * 0.95, tone, 0.06, pan);
            }
        }
    }
    // Drums: kick, snare, hi-hat, quieter in slow songs.
    let bars = (timeline.duration / (beat * f64::from(meter))).round() as usize;
    let level = if slow { 0.6 } else { 1.0 };
    for bar in 0..bars.saturating_sub(1) {
        for b in 0..meter {
            let at = (bar as f64 * f64::from(meter) + f64::from(b)) * beat;
            if b % 2 == 0 && (!slow || b == 0) {
                kick(&mut out, at, 0.5 * level);
            }
            if b % 2 == 1 && (!slow || b == 3) {
                snare(&mut out, at, 0.22 * level, rng);
            }
            let hats = if slow { 1 } else { 2 };
            for h in 0..hats {
                hat(&mut out, at + h as f64 * beat / 2.0, 0.05 * level, rng);
            }
        }
    }
    // Lead: a clarinet-like tone with a little vibrato, only where nobody sings.
    for note in &timeline.lead {
        lead(&mut out, note.start, note.duration, note.midi);
    }
    out.left
        .iter()
        .zip(&out.right)
        .flat_map(|(&l, &r)| [l as f32, r as f32])
        .collect()
}

/// The band's two channels as they are mixed, at sample rate `sr`.
struct Stereo {
    left: Vec<f64>,
    right: Vec<f64>,
    sr: f64,
}

fn hz(midi: i32) -> f64 {
    440.0 * 2f64.powf((f64::from(midi) - 69.0) / 12.0)
}

/// Adds `f(t)` (t in seconds from `start`) for `duration` seconds, panned.
fn add(out: &mut Stereo, start: f64, duration: f64, pan: f64, mut f: impl FnMut(f64) -> f64) {
    let sr = out.sr;
    let from = (start * sr).max(0.0) as usize;
    let to = (((start + duration) * sr) as usize).min(out.left.len());
    let (gl, gr) = ((1.0 - pan).sqrt(), pan.sqrt());
    for n in from..to {
        let v = f(n as f64 / sr - start);
        out.left[n] += v * gl;
        out.right[n] += v * gr;
    }
}

fn bass(out: &mut Stereo, start: f64, duration: f64, midi: i32) {
    let f = hz(midi);
    add(out, start, duration, 0.5, |t| {
        let env = (t / 0.01).min(1.0) * (-t * 2.2).exp() * ((duration - t) / 0.03).clamp(0.0, 1.0);
        0.32 * env
            * ((TAU * f * t).sin()
                + 0.35 * (TAU * 2.0 * f * t).sin()
                + 0.12 * (TAU * 3.0 * f * t).sin())
    });
}

fn piano(out: &mut Stereo, start: f64, duration: f64, midi: i32, level: f64, pan: f64) {
    let f = hz(midi);
    add(out, start, duration + 0.15, pan, |t| {
        let env = (t / 0.004).min(1.0)
            * (-t * 3.0).exp()
            * ((duration + 0.15 - t) / 0.15).clamp(0.0, 1.0);
        let partials = (1..=6)
            .map(|k| {
                let k = f64::from(k);
                (TAU * k * f * t).sin() * (-t * k * 1.5).exp() / k
            })
            .sum::<f64>();
        level * env * partials
    });
}

fn kick(out: &mut Stereo, start: f64, level: f64) {
    add(out, start, 0.35, 0.5, |t| {
        let f = 50.0 + 90.0 * (-t * 30.0).exp();
        let phase = TAU * (50.0 * t + 90.0 / 30.0 * (1.0 - (-t * 30.0).exp()));
        let _ = f;
        level * (-t * 9.0).exp() * phase.sin()
    });
}

fn snare(out: &mut Stereo, start: f64, level: f64, rng: &mut Rng) {
    let mut last = 0.0;
    add(out, start, 0.2, 0.55, |t| {
        let white = rng.normal();
        let high = white - last;
        last = white;
        level * (-t * 22.0).exp() * (0.6 * high + 0.5 * (TAU * 185.0 * t).sin())
    });
}

fn hat(out: &mut Stereo, start: f64, level: f64, rng: &mut Rng) {
    let mut last = (0.0, 0.0);
    add(out, start, 0.06, 0.65, |t| {
        let white = rng.normal();
        let d1 = white - last.0;
        let d2 = d1 - last.1;
        last = (white, d1);
        level * (-t * 70.0).exp() * d2 * 0.5
    });
}

fn lead(out: &mut Stereo, start: f64, duration: f64, midi: i32) {
    let f = hz(midi);
    let sr = out.sr;
    let mut phase = 0.0;
    add(out, start, duration, 0.4, move |t| {
        let vibrato = 1.0 + 0.004 * ((TAU * 5.2 * t).sin() * ((t - 0.15) / 0.2).clamp(0.0, 1.0));
        phase += TAU * f * vibrato / sr;
        let env = (t / 0.04).min(1.0) * ((duration - t) / 0.06).clamp(0.0, 1.0);
        // Odd harmonics: a clarinet's hollow tone.
        let tone = phase.sin()
            + 0.3 * (3.0 * phase).sin()
            + 0.12 * (5.0 * phase).sin()
            + 0.05 * (7.0 * phase).sin();
        0.11 * env * tone
    });
}
