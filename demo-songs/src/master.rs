//! Mastering: loudness to a target by EBU R128 (the `ebur128` crate, the reference Rust
//! implementation of the standard), and a peak limiter so nothing clips.

/// Integrated loudness in LUFS of interleaved audio.
pub fn loudness(samples: &[f32], channels: u32, rate: u32) -> anyhow::Result<f64> {
    let mut meter = ebur128::EbuR128::new(channels, rate, ebur128::Mode::I)?;
    meter.add_frames_f32(samples)?;
    Ok(meter.loudness_global()?)
}

/// Scales to `target` LUFS, then limits peaks to `ceiling` (linear) with a smooth gain that
/// never lets a sample through above it. Returns the final loudness.
pub fn master(
    samples: &mut [f32],
    channels: u32,
    rate: u32,
    target: f64,
    ceiling: f32,
) -> anyhow::Result<f64> {
    let measured = loudness(samples, channels, rate)?;
    let gain = 10f64.powf((target - measured) / 20.0) as f32;
    for s in samples.iter_mut() {
        *s *= gain;
    }
    limit(samples, channels as usize, rate, ceiling);
    loudness(samples, channels, rate)
}

/// A look-ahead peak limiter: the gain falls ahead of a peak and recovers slowly after it.
fn limit(samples: &mut [f32], channels: usize, rate: u32, ceiling: f32) {
    let frames = samples.len() / channels;
    let mut needed = vec![1.0f32; frames];
    for (f, slot) in needed.iter_mut().enumerate() {
        let peak = samples[f * channels..(f + 1) * channels]
            .iter()
            .fold(0.0f32, |m, s| m.max(s.abs()));
        if peak > ceiling {
            *slot = ceiling / peak;
        }
    }
    // Spread each reduction 5 ms ahead and 50 ms behind, taking the minimum.
    let ahead = (rate as usize) / 200;
    let release = (rate as usize) / 20;
    let mut gain = vec![1.0f32; frames];
    for (f, &need) in needed.iter().enumerate() {
        if need < 1.0 {
            let from = f.saturating_sub(ahead);
            let to = (f + release).min(frames);
            for (g, k) in gain[from..to].iter_mut().zip(from..to) {
                let distance = if k < f {
                    (f - k) as f32 / ahead as f32
                } else {
                    (k - f) as f32 / release as f32
                };
                let value = need + (1.0 - need) * distance.clamp(0.0, 1.0);
                *g = g.min(value);
            }
        }
    }
    for (f, g) in gain.iter().enumerate() {
        for s in &mut samples[f * channels..(f + 1) * channels] {
            *s = (*s * g).clamp(-ceiling, ceiling);
        }
    }
}
