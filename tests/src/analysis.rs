//! Measurements on decoded audio, for the tests that judge the demo songs: pitch (aubio's
//! YIN), onsets (aubio's high-frequency-content detector), harmonics-to-noise ratio, vibrato
//! and formant peaks of the long-term spectrum.

use std::path::Path;

use engine::SongSource;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// The engine's rate, used for every analysis.
pub const RATE: u32 = 48_000;

/// The two tracks of a song, decoded by the engine to mono at [`RATE`].
pub struct Tracks {
    /// The accompaniment.
    pub accompaniment: Vec<f32>,
    /// The original track.
    pub original: Vec<f32>,
}

/// Decodes `song` through the engine's decode path.
pub fn decode(song: &SongSource) -> Tracks {
    let mut accompaniment = Vec::new();
    let mut original = Vec::new();
    engine::source::stream::decode_to_end(song, RATE, |frames| {
        for f in frames.chunks(4) {
            accompaniment.push(0.5 * (f[0] + f[1]));
            original.push(0.5 * (f[2] + f[3]));
        }
    })
    .unwrap_or_else(|e| panic!("cannot decode {song:?}: {e}"));
    Tracks {
        accompaniment,
        original,
    }
}

/// Decodes one file (its two channels averaged) at [`RATE`].
pub fn decode_file(path: &Path) -> Vec<f32> {
    decode_file_at(path, RATE)
}

/// Decodes one file (its two channels averaged) at `rate`, through the engine's decode path.
pub fn decode_file_at(path: &Path, rate: u32) -> Vec<f32> {
    let song = SongSource::accompaniment_only(path);
    let mut mono = Vec::new();
    engine::source::stream::decode_to_end(&song, rate, |frames| {
        mono.extend(frames.chunks(4).map(|f| 0.5 * (f[0] + f[1])));
    })
    .unwrap_or_else(|e| panic!("cannot decode {}: {e}", path.display()));
    mono
}

/// Hop of the pitch track: 5 ms.
pub const PITCH_HOP: usize = 240;

/// Pitch every 5 ms (Hz, 0 where unvoiced or quiet), by aubio's YIN.
pub fn pitch_track(samples: &[f32]) -> Vec<f32> {
    let mut pitch = aubio::Pitch::new(aubio::PitchMode::Yin, 2048, PITCH_HOP, RATE)
        .expect("aubio pitch")
        .with_tolerance(0.15)
        .with_silence(-50.0);
    samples
        .chunks_exact(PITCH_HOP)
        .map(|hop| pitch.do_result(hop).unwrap_or(0.0))
        .collect()
}

/// The time (s) of pitch-track frame `i`, corrected for YIN's window: the estimate describes
/// the 2048-sample window ending at the hop.
pub fn pitch_time(i: usize) -> f64 {
    ((i + 1) * PITCH_HOP) as f64 / f64::from(RATE) - 1024.0 / f64::from(RATE)
}

/// Cents from `reference` Hz to `hz`.
pub fn cents(hz: f64, reference: f64) -> f64 {
    1200.0 * (hz / reference).log2()
}

/// MIDI note to Hz.
pub fn midi_hz(midi: f64) -> f64 {
    440.0 * 2f64.powf((midi - 69.0) / 12.0)
}

/// The median of the voiced pitch frames between `start` and `end` seconds, if any.
pub fn median_pitch(track: &[f32], start: f64, end: f64) -> Option<f64> {
    let mut values: Vec<f64> = track
        .iter()
        .enumerate()
        .filter(|(i, _)| (start..end).contains(&pitch_time(*i)))
        .map(|(_, &hz)| f64::from(hz))
        .filter(|&hz| hz > 50.0)
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values[values.len() / 2])
}

/// Onset times (s), by aubio's high-frequency-content detector on 5 ms hops.
pub fn onsets(samples: &[f32]) -> Vec<f64> {
    let hop = 128;
    let mut onset = aubio::Onset::new(aubio::OnsetMode::Hfc, 1024, hop, RATE)
        .expect("aubio onset")
        .with_threshold(0.2)
        .with_minioi_ms(60.0)
        .with_silence(-55.0);
    let mut found = Vec::new();
    for block in samples.chunks_exact(hop) {
        if onset.do_result(block).unwrap_or(0.0) > 0.0 {
            found.push(f64::from(onset.get_last_s()));
        }
    }
    found
}

/// Harmonics-to-noise ratio (dB) of a 40 ms frame starting at `start` (s), by the normalized
/// autocorrelation at the pitch period near `f0` (Boersma 1993, without the window
/// correction). `None` for a silent frame.
pub fn hnr(samples: &[f32], start: f64, f0: f64) -> Option<f64> {
    let n = (0.04 * f64::from(RATE)) as usize;
    let from = (start * f64::from(RATE)) as usize;
    let period = f64::from(RATE) / f0;
    let max_lag = (period * 1.1).ceil() as usize;
    let frame = samples.get(from..from + n + max_lag)?;
    let energy: f64 = frame[..n].iter().map(|&x| f64::from(x).powi(2)).sum();
    if energy < 1e-8 {
        return None;
    }
    let mut best = 0.0f64;
    for lag in (period * 0.9).floor() as usize..=max_lag {
        let (mut xy, mut yy) = (0.0, 0.0);
        for i in 0..n {
            let (x, y) = (f64::from(frame[i]), f64::from(frame[i + lag]));
            xy += x * y;
            yy += y * y;
        }
        best = best.max(xy / (energy * yy).sqrt().max(1e-12));
    }
    let r = best.clamp(1e-6, 1.0 - 1e-6);
    Some(10.0 * (r / (1.0 - r)).log10())
}

/// Vibrato of a note from its pitch track between `start` and `end` (s): rate (Hz, from the
/// autocorrelation of the detrended contour) and depth (cents peak to peak, from its RMS as
/// for a sine). `None` for a note too short, unvoiced, or without a periodic wobble.
pub fn vibrato(track: &[f32], start: f64, end: f64) -> Option<(f64, f64)> {
    let contour: Vec<f64> = track
        .iter()
        .enumerate()
        .filter(|(i, _)| (start..end).contains(&pitch_time(*i)))
        .map(|(_, &hz)| f64::from(hz))
        .collect();
    if contour.len() < 60 || contour.iter().any(|&hz| hz < 50.0) {
        return None;
    }
    let reference = contour.iter().sum::<f64>() / contour.len() as f64;
    let cents: Vec<f64> = contour.iter().map(|&hz| cents(hz, reference)).collect();
    // Remove the slow drift: the least-squares line through the contour.
    let n = cents.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = cents.iter().sum::<f64>() / n;
    let slope = cents
        .iter()
        .enumerate()
        .map(|(i, c)| (i as f64 - mean_x) * (c - mean_y))
        .sum::<f64>()
        / cents
            .iter()
            .enumerate()
            .map(|(i, _)| (i as f64 - mean_x).powi(2))
            .sum::<f64>();
    let detrended: Vec<f64> = cents
        .iter()
        .enumerate()
        .map(|(i, c)| c - mean_y - slope * (i as f64 - mean_x))
        .collect();
    let rms = (detrended.iter().map(|c| c * c).sum::<f64>() / detrended.len() as f64).sqrt();
    // Rate: the strongest autocorrelation of the contour at a lag of a 3–9 Hz period.
    let hop = PITCH_HOP as f64 / f64::from(RATE);
    let lags = (1.0 / 9.0 / hop).floor() as usize..=((1.0 / 3.0 / hop).ceil() as usize);
    let correlation = |lag: usize| -> f64 {
        if lag >= detrended.len() {
            return f64::MIN;
        }
        let pairs = detrended.len() - lag;
        detrended
            .iter()
            .zip(&detrended[lag..])
            .map(|(a, b)| a * b)
            .sum::<f64>()
            / pairs as f64
    };
    let best = lags
        .clone()
        .max_by(|&a, &b| correlation(a).total_cmp(&correlation(b)))?;
    if correlation(best) <= 0.0 || best == *lags.start() || best == *lags.end() {
        return None;
    }
    // Parabolic interpolation around the peak.
    let (l, c, r) = (
        correlation(best - 1),
        correlation(best),
        correlation(best + 1),
    );
    let offset = 0.5 * (l - r) / (l - 2.0 * c + r);
    let period = (best as f64 + offset) * hop;
    Some((1.0 / period, rms * 2.0 * 2f64.sqrt()))
}

/// The long-term average power spectrum (dB, 4096-point, 11.7 Hz bins at 48 kHz) over the
/// given stretches (s), smoothed over ±`smooth_hz` so that harmonics merge into an envelope.
pub fn long_term_spectrum(samples: &[f32], stretches: &[(f64, f64)], smooth_hz: f64) -> Vec<f64> {
    const N: usize = 4096;
    let fft = FftPlanner::<f64>::new().plan_fft_forward(N);
    let window: Vec<f64> = (0..N)
        .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / N as f64).cos())
        .collect();
    let mut power = vec![0.0f64; N / 2];
    for &(start, end) in stretches {
        let mut at = (start * f64::from(RATE)) as usize;
        let stop = (end * f64::from(RATE)) as usize;
        while at + N <= stop.min(samples.len()) {
            let mut buffer: Vec<Complex<f64>> = (0..N)
                .map(|i| Complex::new(f64::from(samples[at + i]) * window[i], 0.0))
                .collect();
            fft.process(&mut buffer);
            for (p, c) in power.iter_mut().zip(&buffer) {
                *p += c.norm_sqr();
            }
            at += N / 2;
        }
    }
    let bin = f64::from(RATE) / N as f64;
    let half = (smooth_hz / bin).round() as usize;
    (0..power.len())
        .map(|i| {
            let (a, b) = (i.saturating_sub(half), (i + half + 1).min(power.len()));
            10.0 * (power[a..b].iter().sum::<f64>() / (b - a) as f64 + 1e-30).log10()
        })
        .collect()
}

/// The frequency (Hz) of the highest point of `spectrum` between `low` and `high` Hz.
pub fn peak_between(spectrum: &[f64], low: f64, high: f64) -> f64 {
    let bin = f64::from(RATE) / 4096.0;
    let (a, b) = (
        (low / bin) as usize,
        ((high / bin) as usize).min(spectrum.len()),
    );
    let best = (a..b)
        .max_by(|&i, &j| spectrum[i].total_cmp(&spectrum[j]))
        .unwrap_or(a);
    best as f64 * bin
}

/// Resolution of [`lpc_envelope`], Hz.
pub const ENVELOPE_STEP: f64 = 10.0;

/// The average linear-prediction spectral envelope (dB, every 10 Hz up to 4 kHz) of the
/// voiced stretches (s): the standard way to measure formants (as Praat does). Each 40 ms
/// frame is low-passed and decimated to 12 kHz, pre-emphasized, Hamming-windowed and fitted
/// with a 12th-order all-pole model (autocorrelation method, Levinson–Durbin); the model's
/// envelopes are averaged in dB. An all-pole model of that order has a handful of smooth
/// peaks: the formants.
pub fn lpc_envelope(samples: &[f32], stretches: &[(f64, f64)]) -> Vec<f64> {
    const DECIMATE: usize = 4;
    const ORDER: usize = 12;
    let rate = f64::from(RATE) / DECIMATE as f64;
    // Windowed-sinc low-pass at 5 kHz for the decimation.
    let taps: Vec<f64> = (0..63)
        .map(|i| {
            let x = i as f64 - 31.0;
            let cutoff = 5_000.0 / f64::from(RATE);
            let sinc = if x == 0.0 {
                2.0 * cutoff
            } else {
                (std::f64::consts::TAU * cutoff * x).sin() / (std::f64::consts::PI * x)
            };
            sinc * (0.54 - 0.46 * (std::f64::consts::TAU * i as f64 / 62.0).cos())
        })
        .collect();
    let points = (4_000.0 / ENVELOPE_STEP) as usize;
    let mut total = vec![0.0f64; points];
    let mut frames = 0usize;
    let frame_len = (0.04 * rate) as usize;
    for &(start, end) in stretches {
        let mut at = (start * f64::from(RATE)) as usize + taps.len();
        let stop = ((end * f64::from(RATE)) as usize).min(samples.len());
        while at + frame_len * DECIMATE <= stop {
            let decimated: Vec<f64> = (0..frame_len)
                .map(|i| {
                    let centre = at + i * DECIMATE;
                    taps.iter()
                        .enumerate()
                        .map(|(k, t)| t * f64::from(samples[centre + k - 31]))
                        .sum()
                })
                .collect();
            let frame: Vec<f64> = (0..frame_len)
                .map(|i| {
                    let emphasized =
                        decimated[i] - if i > 0 { 0.9 * decimated[i - 1] } else { 0.0 };
                    emphasized
                        * (0.54
                            - 0.46
                                * (std::f64::consts::TAU * i as f64 / (frame_len - 1) as f64).cos())
                })
                .collect();
            if let Some(a) = levinson(&frame, ORDER) {
                for (p, slot) in total.iter_mut().enumerate() {
                    let w = std::f64::consts::TAU * p as f64 * ENVELOPE_STEP / rate;
                    let response: Complex<f64> = a
                        .iter()
                        .enumerate()
                        .map(|(k, &c)| Complex::from_polar(c, -w * k as f64))
                        .sum();
                    *slot += -20.0 * response.norm().max(1e-12).log10();
                }
                frames += 1;
            }
            at += frame_len * DECIMATE / 2;
        }
    }
    total.iter().map(|v| v / frames.max(1) as f64).collect()
}

/// Linear-prediction coefficients `[1, a1, …, a_order]` of a frame, or `None` for silence.
fn levinson(frame: &[f64], order: usize) -> Option<Vec<f64>> {
    let r: Vec<f64> = (0..=order)
        .map(|lag| frame.iter().zip(&frame[lag..]).map(|(x, y)| x * y).sum())
        .collect();
    if r[0] <= 1e-10 {
        return None;
    }
    let mut a = vec![0.0; order + 1];
    a[0] = 1.0;
    let mut error = r[0];
    for i in 1..=order {
        let k = -(0..i).map(|j| a[j] * r[i - j]).sum::<f64>() / error;
        let previous = a.clone();
        for j in 1..i {
            a[j] = previous[j] + k * previous[i - j];
        }
        a[i] = k;
        error *= 1.0 - k * k;
        if error <= 0.0 {
            return None;
        }
    }
    Some(a)
}

/// The frequency (Hz) of the first (lowest) peak of an envelope from [`lpc_envelope`]
/// strictly inside `low..high` Hz, if there is one: formants are numbered from below.
pub fn envelope_peak(envelope: &[f64], low: f64, high: f64) -> Option<f64> {
    let (a, b) = (
        (low / ENVELOPE_STEP).ceil() as usize,
        ((high / ENVELOPE_STEP) as usize).min(envelope.len() - 1),
    );
    (a.max(1)..b)
        .find(|&i| envelope[i] > envelope[i - 1] && envelope[i] >= envelope[i + 1])
        .map(|i| i as f64 * ENVELOPE_STEP)
}

/// Where `piece` sits in `reference`: the reference sample its first sample matches, searched
/// within `search` samples either side of `expected`. Found by generalised cross-correlation
/// with phase transform (GCC-PHAT, β = 0.8, over 100 Hz–8 kHz: the cross-spectrum whitened, so
/// the transients decide, not the held notes that match themselves a period later, and not so
/// far that bins without music weigh as much as the music). `None` without one clear peak
/// (silence, a held chord): the peak must stand 12 times the scores' RMS (true matches stand
/// 18–60 times it, a beat's sustained half under 10), with no rival over 70% of it more than
/// 3 ms away.
pub fn locate(
    piece: &[f32],
    reference: &[f32],
    expected: i64,
    search: usize,
    rate: u32,
) -> Option<i64> {
    use rustfft::FftPlanner;
    use rustfft::num_complex::Complex;

    let from = usize::try_from(expected - search as i64).ok()?;
    let segment = reference.get(from..from + piece.len() + 2 * search)?;
    let size = (piece.len() * 2 + 2 * search).next_power_of_two();
    let mut planner = FftPlanner::<f64>::new();
    let forward = planner.plan_fft_forward(size);
    let inverse = planner.plan_fft_inverse(size);
    let spectrum = |samples: &[f32], taper: bool| {
        let mut buffer = vec![Complex::new(0.0, 0.0); size];
        let n = samples.len() as f64;
        for (i, (slot, x)) in buffer.iter_mut().zip(samples).enumerate() {
            // The piece tapered (Hann), so its cut edges are not a transient to match.
            let w = if taper {
                0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n).cos()
            } else {
                1.0
            };
            slot.re = f64::from(*x) * w;
        }
        forward.process(&mut buffer);
        buffer
    };
    let mut cross = spectrum(segment, false);
    let (low, high) = (size * 100 / rate as usize, size * 8_000 / rate as usize);
    for (bin, (c, p)) in cross.iter_mut().zip(spectrum(piece, true)).enumerate() {
        let folded = bin.min(size - bin);
        let product = *c * p.conj();
        *c = if (low..=high).contains(&folded) {
            product / (product.norm().powf(0.8) + 1e-12)
        } else {
            Complex::new(0.0, 0.0)
        };
    }
    inverse.process(&mut cross);
    // Lag k: the piece matches the segment from sample k.
    let scores: Vec<f64> = cross[..=2 * search].iter().map(|c| c.re).collect();
    let (best_at, best) = scores
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let apart = (0.003 * f64::from(rate)) as usize;
    let rival = scores
        .iter()
        .enumerate()
        .filter(|(k, _)| k.abs_diff(best_at) > apart)
        .map(|(_, score)| *score)
        .fold(f64::MIN, f64::max);
    let rms = (scores.iter().map(|x| x * x).sum::<f64>() / scores.len() as f64).sqrt();
    (best > 12.0 * rms && rival < 0.7 * best).then_some(from as i64 + best_at as i64)
}

/// A recording written as raw little-endian f32 samples (the web page tests' stems).
pub fn read_f32(path: &Path) -> Vec<f32> {
    std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}
