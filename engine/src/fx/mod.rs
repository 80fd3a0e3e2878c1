//! Voice effects: what turns the dry microphone into the wet voice.
//!
//! The chain, in order: noise gate → equaliser → compressor → the voice in the centre, plus
//! echo repeats, plus reverb of voice and echoes. Nothing in it looks ahead, so the monitor
//! hears effects with no added latency (Agora's monitor leaves effects out for latency; ours
//! has none to save).
//!
//! [`VoiceEffects`] is plain settings, built into a chain on the control thread (everything
//! allocates there) and swapped in with a crossfade ([`crate::EngineHandle::set_voice_effects`]).

mod dynamics;
mod echo;
mod eq;
mod reverb;

pub use dynamics::{CompressorSettings, GateSettings};
pub use echo::{EchoSettings, MAX_ECHO_SECONDS};
pub use eq::EqSettings;
pub use reverb::ReverbSettings;

use dynamics::{Compressor, Gate};
use echo::Echo;
use eq::Eq;
use reverb::Reverb;

/// The voice effects, all optional. The default is none at all: the wet voice is the dry
/// voice, untouched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoiceEffects {
    /// The noise gate.
    pub gate: Option<GateSettings>,
    /// The equaliser.
    pub eq: Option<EqSettings>,
    /// The compressor.
    pub compressor: Option<CompressorSettings>,
    /// The echo.
    pub echo: Option<EchoSettings>,
    /// The reverb.
    pub reverb: Option<ReverbSettings>,
}

/// The named presets a singer picks from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// No effects.
    Dry,
    /// A small room: short, dark reverb.
    Room,
    /// A concert hall: long reverb.
    Hall,
    /// The KTV box (the default of KTV apps): medium, bright reverb with a short echo.
    Ktv,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 4] = [Preset::Dry, Preset::Room, Preset::Hall, Preset::Ktv];

    /// The preset's name: `dry`, `room`, `hall`, `ktv`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Dry => "dry",
            Preset::Room => "room",
            Preset::Hall => "hall",
            Preset::Ktv => "ktv",
        }
    }
}

impl std::str::FromStr for Preset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown voice preset {s:?}: dry, room, hall or ktv"))
    }
}

impl VoiceEffects {
    /// The settings of a preset. Every preset but `Dry` gates, cleans up the low end, lifts
    /// presence a little and compresses gently before its room.
    pub fn preset(preset: Preset) -> Self {
        let voice = VoiceEffects {
            gate: Some(GateSettings::default()),
            eq: Some(EqSettings {
                low_cut_hz: 90.0,
                low_db: -1.0,
                presence_db: 2.0,
                air_db: 1.5,
            }),
            compressor: Some(CompressorSettings::default()),
            echo: None,
            reverb: None,
        };
        match preset {
            Preset::Dry => VoiceEffects::default(),
            Preset::Room => VoiceEffects {
                reverb: Some(ReverbSettings {
                    room_metres: 7.0,
                    decay_seconds: 0.7,
                    damping: 0.6,
                    level: 0.2,
                }),
                ..voice
            },
            Preset::Hall => VoiceEffects {
                reverb: Some(ReverbSettings {
                    room_metres: 28.0,
                    decay_seconds: 2.5,
                    damping: 0.4,
                    level: 0.25,
                }),
                ..voice
            },
            Preset::Ktv => VoiceEffects {
                echo: Some(EchoSettings {
                    delay_seconds: 0.14,
                    feedback: 0.25,
                    level: 0.18,
                }),
                reverb: Some(ReverbSettings {
                    room_metres: 12.0,
                    decay_seconds: 1.4,
                    damping: 0.5,
                    level: 0.28,
                }),
                ..voice
            },
        }
    }
}

/// A built chain of voice effects (audio side).
pub(crate) struct VoiceChain {
    gate: Option<Gate>,
    eq: Option<Eq>,
    compressor: Option<Compressor>,
    echo: Option<Echo>,
    reverb: Option<Reverb>,
    /// The voice after dynamics and EQ, and the reverb's input (voice + echoes).
    voice: Vec<f32>,
    send: Vec<f32>,
}

impl VoiceChain {
    /// Builds the chain for `effects` at `sample_rate`, for blocks up to `max_block` frames
    /// (allocates: control thread only).
    pub(crate) fn new(effects: &VoiceEffects, sample_rate: u32, max_block: usize) -> Self {
        VoiceChain {
            gate: effects.gate.as_ref().map(|s| Gate::new(s, sample_rate)),
            eq: effects.eq.as_ref().map(|s| Eq::new(s, sample_rate)),
            compressor: effects
                .compressor
                .as_ref()
                .map(|s| Compressor::new(s, sample_rate)),
            echo: effects.echo.as_ref().map(|s| Echo::new(s, sample_rate)),
            reverb: effects.reverb.as_ref().map(|s| Reverb::new(s, sample_rate)),
            voice: vec![0.0; max_block],
            send: vec![0.0; max_block],
        }
    }

    /// Mono `input` to interleaved stereo `output` (twice as long; at most `max_block`
    /// frames).
    pub(crate) fn process(&mut self, input: &[f32], output: &mut [f32]) {
        let frames = input.len().min(self.voice.len());
        let voice = &mut self.voice[..frames];
        voice.copy_from_slice(&input[..frames]);
        if let Some(gate) = self.gate.as_mut() {
            voice.iter_mut().for_each(|x| *x = gate.process(*x));
        }
        if let Some(eq) = self.eq.as_mut() {
            voice.iter_mut().for_each(|x| *x = eq.process(*x));
        }
        if let Some(compressor) = self.compressor.as_mut() {
            voice.iter_mut().for_each(|x| *x = compressor.process(*x));
        }
        let send = &mut self.send[..frames];
        send.copy_from_slice(voice);
        for (frame, &x) in output.chunks_exact_mut(2).zip(voice.iter()) {
            frame[0] = x;
            frame[1] = x;
        }
        if let Some(echo) = self.echo.as_mut() {
            for ((frame, s), &x) in output
                .chunks_exact_mut(2)
                .zip(send.iter_mut())
                .zip(voice.iter())
            {
                let repeats = echo.process(x);
                frame[0] += repeats;
                frame[1] += repeats;
                *s += repeats;
            }
        }
        if let Some(reverb) = self.reverb.as_mut() {
            reverb.process(send, &mut output[..frames * 2]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_effects_pass_the_voice_to_both_channels_untouched() {
        let mut chain = VoiceChain::new(&VoiceEffects::default(), 48_000, 64);
        let input: Vec<f32> = (0..64).map(|n| (n as f32 * 0.1).sin()).collect();
        let mut output = vec![0.0; 128];
        chain.process(&input, &mut output);
        for (frame, x) in output.chunks(2).zip(&input) {
            assert_eq!(frame, [*x, *x]);
        }
    }

    #[test]
    fn every_preset_reverberates_after_the_voice_stops() {
        for preset in [Preset::Room, Preset::Hall, Preset::Ktv] {
            let mut chain = VoiceChain::new(&VoiceEffects::preset(preset), 48_000, 512);
            let mut output = vec![0.0; 1024];
            // 0.1 s of voice, then silence: the tail is still sounding 0.2 s later.
            let burst: Vec<f32> = (0..512).map(|n| 0.3 * (n as f32 * 0.05).sin()).collect();
            for _ in 0..10 {
                chain.process(&burst, &mut output);
            }
            let silence = [0.0f32; 512];
            let mut tail = 0.0f32;
            for block in 0..40 {
                chain.process(&silence, &mut output);
                if block >= 18 {
                    tail = tail.max(output.iter().fold(0.0, |m, s| m.max(s.abs())));
                }
            }
            assert!(tail > 1e-3, "{}: no tail ({tail})", preset.name());
        }
    }

    #[test]
    fn presets_parse_by_name() {
        for preset in Preset::ALL {
            assert_eq!(preset.name().parse::<Preset>(), Ok(preset));
        }
        assert!("stadium".parse::<Preset>().is_err());
    }
}
