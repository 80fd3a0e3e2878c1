//! The voice's tone: a low cut (rumble, handling noise, plosives), a low shelf (warmth), a
//! presence bell (clarity) and a high shelf (air). State-variable filters from `fundsp`.

use fundsp::prelude32::{An, bell_hz, highpass_hz, highshelf_hz, lowshelf_hz};
use fundsp::svf::{BellMode, FixedSvf, HighpassMode, HighshelfMode, LowshelfMode};

/// An equaliser's settings (gains in dB, 0 = flat).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EqSettings {
    /// The low cut's corner, in Hz (0 = off).
    pub low_cut_hz: f32,
    /// The low shelf at 200 Hz.
    pub low_db: f32,
    /// The presence bell at 3 kHz.
    pub presence_db: f32,
    /// The high shelf at 10 kHz.
    pub air_db: f32,
}

impl Default for EqSettings {
    fn default() -> Self {
        EqSettings {
            low_cut_hz: 80.0,
            low_db: 0.0,
            presence_db: 0.0,
            air_db: 0.0,
        }
    }
}

fn db_to_amp(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// The equaliser.
#[derive(Clone)]
pub(crate) struct Eq {
    low_cut: Option<An<FixedSvf<f32, HighpassMode<f32>>>>,
    low: An<FixedSvf<f32, LowshelfMode<f32>>>,
    presence: An<FixedSvf<f32, BellMode<f32>>>,
    air: An<FixedSvf<f32, HighshelfMode<f32>>>,
    flat: bool,
}

impl Eq {
    pub(crate) fn new(settings: &EqSettings, sample_rate: u32) -> Self {
        let rate = f64::from(sample_rate);
        let nyquist = sample_rate as f32 / 2.0;
        let mut low_cut = (settings.low_cut_hz > 0.0)
            .then(|| highpass_hz(settings.low_cut_hz.min(nyquist * 0.9), 0.707));
        let mut low = lowshelf_hz(200.0, 0.707, db_to_amp(settings.low_db));
        let mut presence = bell_hz(3_000.0, 0.9, db_to_amp(settings.presence_db));
        let mut air = highshelf_hz(
            10_000.0f32.min(nyquist * 0.9),
            0.707,
            db_to_amp(settings.air_db),
        );
        if let Some(f) = low_cut.as_mut() {
            f.set_sample_rate(rate);
        }
        low.set_sample_rate(rate);
        presence.set_sample_rate(rate);
        air.set_sample_rate(rate);
        Eq {
            low_cut,
            low,
            presence,
            air,
            flat: settings.low_db == 0.0 && settings.presence_db == 0.0 && settings.air_db == 0.0,
        }
    }

    #[inline]
    pub(crate) fn process(&mut self, x: f32) -> f32 {
        let x = match self.low_cut.as_mut() {
            Some(f) => f.filter_mono(x),
            None => x,
        };
        if self.flat {
            return x;
        }
        self.air
            .filter_mono(self.presence.filter_mono(self.low.filter_mono(x)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain_at(eq: &mut Eq, hz: f32) -> f32 {
        let rate = 48_000.0;
        let mut peak = 0.0f32;
        for n in 0..48_000 {
            let y = eq.process((n as f32 * 2.0 * std::f32::consts::PI * hz / rate).sin());
            if n > 24_000 {
                peak = peak.max(y.abs());
            }
        }
        20.0 * peak.log10()
    }

    #[test]
    fn cuts_rumble_and_lifts_presence_as_set() {
        let settings = EqSettings {
            low_cut_hz: 100.0,
            presence_db: 6.0,
            ..EqSettings::default()
        };
        assert!(gain_at(&mut Eq::new(&settings, 48_000), 30.0) < -15.0);
        let at_3k = gain_at(&mut Eq::new(&settings, 48_000), 3_000.0);
        assert!((at_3k - 6.0).abs() < 0.5, "{at_3k}");
        let at_500 = gain_at(&mut Eq::new(&settings, 48_000), 500.0);
        assert!(at_500.abs() < 1.0, "{at_500}");
    }
}
