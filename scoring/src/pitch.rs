//! Hearing the singer: a streaming pitch tracker.
//!
//! Push mono blocks of any size at any sample rate; get a [`PitchFrame`] every 10 ms (time,
//! Hz, MIDI note with cents, voicing probability, level). The period estimate is aubio's
//! (YIN by default; see [`Method`] and the comparison in the crate docs). What aubio lacks is
//! added here:
//!
//! - **Voicing**: aubio's YIN-FFT reports no confidence, so voicing is decided from the
//!   signal itself: the normalized autocorrelation at the estimated period (a periodic voice
//!   scores near 1, breath, noise and a mix of instruments much lower), gated by level.
//! - **Octave errors**: the period, half of it and twice it are compared by periodicity, and
//!   between near-equals the one continuing the recent voiced pitch wins, so a voice does not
//!   jump an octave for one frame.
//! - **Silence gating**: frames below the level gate are unvoiced whatever the detector says.
//!
//! After construction nothing is allocated: buffers are fixed, so the tracker can run on the
//! audio thread or a worker fed by a ring.

use lyrics::SongTime;

use crate::error::{Result, ScoringError};

/// Which aubio pitch method estimates the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// YIN (de Cheveigné & Kawahara 2002), in the time domain: the slowest.
    Yin,
    /// YIN with its difference function computed through the FFT: the same estimates as
    /// [`Method::Yin`], many times faster. The default (see the comparison in the crate docs).
    #[default]
    YinFast,
    /// YIN computed through the FFT with spectral weighting: the fastest, but it loses low
    /// voices (below about 120 Hz).
    YinFft,
}

/// How the tracker listens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PitchSettings {
    /// The period estimator.
    pub method: Method,
    /// The lowest pitch accepted (Hz). Voices go down to about 80 Hz.
    pub min_hz: f32,
    /// The highest pitch accepted (Hz). Voices go up to about 1000 Hz.
    pub max_hz: f32,
    /// Frames quieter than this (dBFS) are silent.
    pub gate_db: f32,
    /// Periodicity at or above which a frame is fully voiced.
    pub voiced_periodicity: f32,
    /// Periodicity at or below which a frame is unvoiced.
    pub unvoiced_periodicity: f32,
}

impl Default for PitchSettings {
    fn default() -> Self {
        PitchSettings {
            method: Method::YinFast,
            min_hz: 70.0,
            max_hz: 1_100.0,
            gate_db: -45.0,
            voiced_periodicity: 0.80,
            unvoiced_periodicity: 0.55,
        }
    }
}

/// What the tracker heard in one 10 ms step.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PitchFrame {
    /// The centre of the analysis window, in song time.
    pub time: SongTime,
    /// The pitch in Hz, 0 when unvoiced.
    pub hz: f32,
    /// How sure the frame is voiced, 0..=1.
    pub voicing: f32,
    /// The level in dBFS.
    pub level_db: f32,
}

impl PitchFrame {
    /// Whether the frame counts as voiced (voicing ≥ 0.5 and a pitch).
    pub fn is_voiced(&self) -> bool {
        self.voicing >= 0.5 && self.hz > 0.0
    }

    /// The pitch as a MIDI note number with cents as the fraction, if voiced.
    pub fn midi(&self) -> Option<f32> {
        self.is_voiced()
            .then(|| 69.0 + 12.0 * (self.hz / 440.0).log2())
    }
}

/// The streaming tracker.
pub struct PitchTracker {
    detector: aubio::Pitch,
    settings: PitchSettings,
    rate: u32,
    hop: usize,
    /// The last `window` samples, as a ring.
    history: Vec<f32>,
    history_at: usize,
    /// A straight copy of the window for the periodicity measure.
    window: Vec<f32>,
    /// The hop being filled (high-passed).
    pending: Vec<f32>,
    /// The front end's high-pass filter.
    high_pass: HighPass,
    pending_len: usize,
    /// Samples consumed since the origin.
    consumed: u64,
    origin: SongTime,
    /// Recent voiced pitches (Hz), for octave continuity.
    recent: [f32; 5],
    recent_len: usize,
}

impl PitchTracker {
    /// A tracker for mono audio at `sample_rate`, starting at song time zero.
    pub fn new(settings: PitchSettings, sample_rate: u32) -> Result<Self> {
        if !(8_000..=192_000).contains(&sample_rate) {
            return Err(ScoringError::SampleRate(sample_rate));
        }
        // 10 ms hops; a window of about 40 ms (two periods of the lowest voice, 80 Hz).
        let hop = (sample_rate as usize).div_ceil(100);
        let window = ((f64::from(sample_rate) * 0.04) as usize).next_power_of_two();
        let method = match settings.method {
            Method::Yin => aubio::PitchMode::Yin,
            Method::YinFast => aubio::PitchMode::Yinfast,
            Method::YinFft => aubio::PitchMode::Yinfft,
        };
        let detector = aubio::Pitch::new(method, window, hop, sample_rate)
            .map_err(|e| ScoringError::Detector(e.to_string()))?
            .with_tolerance(match settings.method {
                Method::YinFft => 0.85,
                _ => 0.15,
            })
            .with_silence(settings.gate_db - 10.0);
        Ok(PitchTracker {
            detector,
            settings,
            rate: sample_rate,
            hop,
            history: vec![0.0; window],
            history_at: 0,
            window: vec![0.0; window],
            pending: vec![0.0; hop],
            pending_len: 0,
            high_pass: HighPass::new(settings.min_hz * 1.5, sample_rate),
            consumed: 0,
            origin: SongTime::ZERO,
            recent: [0.0; 5],
            recent_len: 0,
        })
    }

    /// The sample rate it hears at.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The hop: samples per frame.
    pub fn hop(&self) -> usize {
        self.hop
    }

    /// The analysis window in samples.
    pub fn window(&self) -> usize {
        self.history.len()
    }

    /// Declares the song time of the next sample pushed (after a seek, say).
    pub fn set_origin(&mut self, next_sample: SongTime) {
        self.origin = next_sample;
        self.consumed = 0;
    }

    /// Feeds samples; calls `out` with each frame completed. Never allocates.
    pub fn push(&mut self, samples: &[f32], mut out: impl FnMut(PitchFrame)) {
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (self.hop - self.pending_len).min(rest.len());
            for (slot, &x) in self.pending[self.pending_len..self.pending_len + take]
                .iter_mut()
                .zip(&rest[..take])
            {
                *slot = self.high_pass.process(x);
            }
            self.pending_len += take;
            rest = &rest[take..];
            if self.pending_len == self.hop {
                self.pending_len = 0;
                let frame = self.analyse();
                out(frame);
            }
        }
    }

    fn analyse(&mut self) -> PitchFrame {
        // Keep the window history.
        for &s in &self.pending {
            self.history[self.history_at] = s;
            self.history_at = (self.history_at + 1) % self.history.len();
        }
        self.consumed += self.hop as u64;
        let n = self.history.len();
        let (newer, older) = self.history.split_at(self.history_at);
        self.window[..older.len()].copy_from_slice(older);
        self.window[older.len()..].copy_from_slice(newer);
        let estimate = self
            .detector
            .do_result(self.pending.as_slice())
            .unwrap_or(0.0);
        let energy = self.window.iter().map(|x| x * x).sum::<f32>() / n as f32;
        let level_db = 10.0 * energy.max(1e-12).log10();
        let centre = self.consumed as i64 - (n / 2) as i64;
        let time = self.origin + SongTime::from_micros(centre * 1_000_000 / i64::from(self.rate));
        let (hz, periodicity) = if level_db < self.settings.gate_db {
            (0.0, 0.0)
        } else {
            self.choose_octave(estimate)
        };
        let s = &self.settings;
        let voicing = ((periodicity - s.unvoiced_periodicity)
            / (s.voiced_periodicity - s.unvoiced_periodicity))
            .clamp(0.0, 1.0);
        let frame = PitchFrame {
            time,
            hz: if voicing >= 0.5 { hz } else { 0.0 },
            voicing,
            level_db,
        };
        if frame.is_voiced() {
            self.remember(frame.hz);
        }
        frame
    }

    /// Among the estimate and its octaves, the right one: a signal periodic at T is also
    /// periodic at 2T (and an accompaniment an octave below makes 2T look even better), so the
    /// highest pitch whose periodicity is within [`OCTAVE_MARGIN`] of the best wins, as YIN
    /// takes the first dip.
    fn choose_octave(&self, estimate: f32) -> (f32, f32) {
        let (lo, hi) = (self.settings.min_hz, self.settings.max_hz);
        if !(estimate.is_finite() && estimate > 0.0) {
            return (0.0, 0.0);
        }
        let mut candidates = [(0.0f32, f32::MIN); 3];
        for (slot, hz) in candidates
            .iter_mut()
            .zip([estimate * 2.0, estimate, estimate * 0.5])
        {
            if (lo..=hi).contains(&hz) {
                *slot = (hz, self.periodicity(hz));
            }
        }
        let best = candidates.iter().map(|c| c.1).fold(f32::MIN, f32::max);
        if best <= 0.0 {
            return (0.0, 0.0);
        }
        let close = |c: &(f32, f32)| c.0 > 0.0 && c.1 >= best - OCTAVE_MARGIN;
        // Candidates are ordered from the highest pitch down.
        let chosen = candidates
            .iter()
            .find(|c| close(c))
            .copied()
            .unwrap_or((0.0, 0.0));
        // Continuity may lift a frame back up to the octave the voice was just in, when that
        // octave is nearly as periodic; it never pulls one down (periodicity at 2T is always
        // there, so continuity downwards would lock the tracker an octave low).
        let continuing = self.recent_median();
        if continuing > chosen.0 * 1.5
            && let Some(c) = candidates.iter().find(|c| {
                c.0 > 0.0
                    && c.1 >= best - 2.0 * OCTAVE_MARGIN
                    && (1200.0 * (c.0 / continuing).log2()).abs() < 300.0
            })
        {
            return *c;
        }
        chosen
    }

    /// Normalized autocorrelation of the window's latest half at the period of `hz`
    /// (nearest whole lag), accumulated in eight lanes so it vectorizes.
    fn periodicity(&self, hz: f32) -> f32 {
        let lag = (self.rate as f32 / hz).round() as usize;
        let n = self.window.len();
        if lag == 0 || lag >= n / 2 + n / 4 {
            return 0.0;
        }
        let len = (n - lag).min(n / 2) / 8 * 8;
        let x = &self.window[n - lag - len..n - lag];
        let y = &self.window[n - len..];
        let (mut xy, mut xx, mut yy) = ([0.0f32; 8], [0.0f32; 8], [0.0f32; 8]);
        for (a, b) in x.chunks_exact(8).zip(y.chunks_exact(8)) {
            for k in 0..8 {
                xy[k] += a[k] * b[k];
                xx[k] += a[k] * a[k];
                yy[k] += b[k] * b[k];
            }
        }
        let (xy, xx, yy): (f32, f32, f32) = (xy.iter().sum(), xx.iter().sum(), yy.iter().sum());
        if xx <= 0.0 || yy <= 0.0 {
            return 0.0;
        }
        xy / (xx * yy).sqrt()
    }

    fn remember(&mut self, hz: f32) {
        self.recent.rotate_right(1);
        self.recent[0] = hz;
        self.recent_len = (self.recent_len + 1).min(self.recent.len());
    }

    /// The median of the recent voiced pitches, or 0 if there are too few.
    fn recent_median(&self) -> f32 {
        if self.recent_len < 3 {
            return 0.0;
        }
        let mut values = [0.0f32; 5];
        values[..self.recent_len].copy_from_slice(&self.recent[..self.recent_len]);
        let values = &mut values[..self.recent_len];
        values.sort_by(f32::total_cmp);
        values[values.len() / 2]
    }
}

/// How much less periodic a higher octave may be and still be preferred to a lower one.
const OCTAVE_MARGIN: f32 = 0.08;

/// A second-order Butterworth high-pass: takes out hum and most of a bass line bleeding from
/// the speakers, which would otherwise pull the period estimate down.
struct HighPass {
    b: [f32; 3],
    a: [f32; 2],
    x: [f32; 2],
    y: [f32; 2],
}

impl HighPass {
    fn new(cutoff: f32, rate: u32) -> Self {
        let w = std::f32::consts::TAU * cutoff / rate as f32;
        let (c, alpha) = (w.cos(), w.sin() / std::f32::consts::SQRT_2);
        let a0 = 1.0 + alpha;
        HighPass {
            b: [(1.0 + c) / 2.0 / a0, -(1.0 + c) / a0, (1.0 + c) / 2.0 / a0],
            a: [-2.0 * c / a0, (1.0 - alpha) / a0],
            x: [0.0; 2],
            y: [0.0; 2],
        }
    }

    fn process(&mut self, x: f32) -> f32 {
        let y = self.b[0] * x + self.b[1] * self.x[0] + self.b[2] * self.x[1]
            - self.a[0] * self.y[0]
            - self.a[1] * self.y[1];
        // Flush the filter's decaying tail to zero before it turns denormal: denormals make
        // every later operation on them (aubio's FFT included) many times slower.
        let y = if y.abs() < 1e-15 { 0.0 } else { y };
        self.x = [x, self.x[0]];
        self.y = [y, self.y[0]];
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f32, seconds: f32, rate: u32) -> Vec<f32> {
        (0..(seconds * rate as f32) as usize)
            .map(|n| {
                let t = n as f32 / rate as f32;
                // A sawtooth-like voice: harmonics falling off.
                (1..8)
                    .map(|k| (std::f32::consts::TAU * hz * k as f32 * t).sin() / k as f32)
                    .sum::<f32>()
                    * 0.2
            })
            .collect()
    }

    #[test]
    fn finds_a_tone_at_any_rate_and_block_size() {
        for rate in [16_000, 44_100, 48_000] {
            let mut tracker = PitchTracker::new(PitchSettings::default(), rate).unwrap();
            let mut frames = Vec::new();
            for block in tone(220.0, 1.0, rate).chunks(333) {
                tracker.push(block, |f| frames.push(f));
            }
            assert_eq!(frames.len(), (rate as usize) / tracker.hop());
            let voiced: Vec<_> = frames.iter().skip(10).filter(|f| f.is_voiced()).collect();
            assert!(voiced.len() > 80, "{rate}: {} voiced", voiced.len());
            for f in voiced {
                assert!((f.midi().unwrap() - 57.0).abs() < 0.1, "{rate}: {f:?}");
            }
        }
    }

    #[test]
    fn silence_and_noise_are_unvoiced() {
        let mut tracker = PitchTracker::new(PitchSettings::default(), 48_000).unwrap();
        let mut frames = Vec::new();
        tracker.push(&vec![0.0; 24_000], |f| frames.push(f));
        let mut state = 7u32;
        let noise: Vec<f32> = (0..48_000)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((state >> 8) as f32 / (1 << 24) as f32 - 0.5) * 0.5
            })
            .collect();
        tracker.push(&noise, |f| frames.push(f));
        let voiced = frames.iter().filter(|f| f.is_voiced()).count();
        assert!(
            voiced <= frames.len() / 50,
            "{voiced} of {} voiced",
            frames.len()
        );
    }

    #[test]
    fn frame_times_are_window_centres_from_the_origin() {
        let mut tracker = PitchTracker::new(PitchSettings::default(), 48_000).unwrap();
        tracker.set_origin(SongTime::from_millis(10_000));
        let mut frames = Vec::new();
        tracker.push(&vec![0.0; 4_800], |f| frames.push(f));
        // After 480 samples the window (2048) ends at 10.010 s: its centre is 1024 earlier.
        assert_eq!(
            frames[0].time.as_micros(),
            10_000_000 + (480 - 1024) * 1_000_000 / 48_000
        );
        assert_eq!(frames.len(), 10);
    }
}
