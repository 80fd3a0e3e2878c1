//! The mixer: one block of music (four channels) and microphones in, the four buses out.
//!
//! Per frame: the microphones, each through its trim, sum to the dry voice; the voice effects
//! turn it into the stereo wet voice, to which a remote voice (the singer's, on a listener's
//! machine) is added; the monitor and the room each mix the music as the track
//! mode says (their own share of the original) with the wet voice at their own level. Every
//! bus then goes through its gain and its limiter. All levels ramp, so nothing clicks.

use crate::bus::{Bus, Level, MAX_GAIN, MAX_MICS};
use crate::dsp::{Limiter, Ramp};
use crate::fx::VoiceChain;
use crate::remote::RemoteVoice;
use crate::song::{Original, TrackMode};
use crate::source::chunk::TRACK_CHANNELS;

/// How long a track-mode switch crossfades.
pub const CROSSFADE_SECONDS: f64 = 0.03;

/// How long a level change ramps.
const LEVEL_RAMP_SECONDS: f64 = 0.01;

/// How long a new effects chain crossfades in.
const EFFECTS_FADE_SECONDS: f64 = 0.02;

/// Levels, one per [`Level`].
const LEVELS: usize = 3 + MAX_MICS + Bus::ALL.len();

fn level_index(level: Level) -> Option<usize> {
    match level {
        Level::Music => Some(0),
        Level::Voice => Some(1),
        Level::MonitorVoice => Some(2),
        Level::Mic(slot) if slot < MAX_MICS => Some(3 + slot),
        Level::Mic(_) => None,
        Level::Bus(bus) => Some(3 + MAX_MICS + bus.index()),
    }
}

/// A level's setting and the ramp that follows it.
#[derive(Debug, Clone, Copy)]
struct Gain {
    gain: f32,
    muted: bool,
    ramp: Ramp,
}

impl Gain {
    fn update(&mut self) {
        self.ramp.set(if self.muted { 0.0 } else { self.gain });
    }
}

/// The audio side's mixer, with its buffers (allocated once, for blocks up to `max_block`).
pub(crate) struct Mixer {
    max_block: usize,
    /// How much of the original each side hears.
    monitor_original: Ramp,
    room_original: Ramp,
    levels: [Gain; LEVELS],
    effects: Box<VoiceChain>,
    /// The chain being replaced, fading out, and how far the new one has faded in.
    fading: Option<Box<VoiceChain>>,
    fade: Ramp,
    limiters: [Limiter; 4],
    /// The buses, interleaved, each `max_block` frames of its channels.
    buses: [Vec<f32>; 4],
    /// The wet voice before the wet bus's gain, and the chain being replaced's output.
    wet: Vec<f32>,
    wet_old: Vec<f32>,
    /// The dry voice before the dry bus's gain.
    dry: Vec<f32>,
}

impl Mixer {
    /// A mixer with `effects` (allocates: control thread only).
    pub(crate) fn new(sample_rate: u32, max_block: usize, effects: Box<VoiceChain>) -> Self {
        let level = |gain| Gain {
            gain,
            muted: false,
            ramp: Ramp::new(gain, LEVEL_RAMP_SECONDS, sample_rate),
        };
        Mixer {
            max_block,
            monitor_original: Ramp::new(0.0, CROSSFADE_SECONDS, sample_rate),
            room_original: Ramp::new(0.0, CROSSFADE_SECONDS, sample_rate),
            levels: [level(1.0); LEVELS],
            effects,
            fading: None,
            fade: Ramp::new(1.0, EFFECTS_FADE_SECONDS, sample_rate),
            limiters: std::array::from_fn(|_| Limiter::new(sample_rate)),
            buses: Bus::ALL.map(|bus| vec![0.0; max_block * bus.channels()]),
            wet: vec![0.0; max_block * 2],
            wet_old: vec![0.0; max_block * 2],
            dry: vec![0.0; max_block],
        }
    }

    /// Starts crossfading to `mode`.
    pub(crate) fn set_track_mode(&mut self, mode: TrackMode) {
        let (monitor, room) = mode.original_gains();
        self.monitor_original.set(monitor);
        self.room_original.set(room);
    }

    /// Finishes any crossfade at once (a new song starts in its mode, not fading into it).
    pub(crate) fn settle_track_mode(&mut self) {
        self.monitor_original.jump(self.monitor_original.target());
        self.room_original.jump(self.room_original.target());
    }

    /// Sets a level (clamped to 0..=[`MAX_GAIN`]); `false` if there is no such level.
    pub(crate) fn set_level(&mut self, level: Level, gain: f32) -> bool {
        let Some(i) = level_index(level) else {
            return false;
        };
        let gain = if gain.is_finite() { gain } else { 0.0 };
        self.levels[i].gain = gain.clamp(0.0, MAX_GAIN);
        self.levels[i].update();
        true
    }

    /// Mutes or unmutes a level; `false` if there is no such level.
    pub(crate) fn set_mute(&mut self, level: Level, muted: bool) -> bool {
        let Some(i) = level_index(level) else {
            return false;
        };
        self.levels[i].muted = muted;
        self.levels[i].update();
        true
    }

    /// Swaps in a new effects chain, crossfading from the current one. Returns a chain to
    /// drop off the audio thread: the one still fading out from an earlier swap, if any.
    pub(crate) fn set_effects(&mut self, effects: Box<VoiceChain>) -> Option<Box<VoiceChain>> {
        let earlier = self.fading.take();
        self.fading = Some(std::mem::replace(&mut self.effects, effects));
        self.fade.jump(0.0);
        self.fade.set(1.0);
        earlier
    }

    /// A chain whose fade-out has finished, to drop off the audio thread.
    pub(crate) fn take_faded(&mut self) -> Option<Box<VoiceChain>> {
        if self.fade.is_settled() {
            self.fading.take()
        } else {
            None
        }
    }

    /// A bus's samples from the last [`Mixer::mix`], `frames` long.
    pub(crate) fn bus(&self, bus: Bus, frames: usize) -> &[f32] {
        &self.buses[bus.index()][..frames * bus.channels()]
    }

    /// Mixes one block: `music` holds `frames` four-channel frames (silence when the song is
    /// not playing), `mics` a `frames`-long block per microphone slot, `None` where no
    /// microphone is plugged in; `remote` a voice from elsewhere with the song frame the
    /// block starts at and the song frames per frame, added to the wet voice.
    pub(crate) fn mix(
        &mut self,
        music: &[f32],
        mics: [Option<&[f32]>; MAX_MICS],
        remote: Option<(&mut RemoteVoice, f64, f64)>,
        frames: usize,
        original: Original,
    ) {
        let frames = frames.min(self.max_block);
        self.mix_voice(mics, frames);
        if let Some((voice, start, speed)) = remote {
            voice.mix_into(start, speed, &mut self.wet[..frames * 2]);
        }
        // Copies of the ramps, stepped per frame and stored back after the loop.
        let [mut music_gain, mut voice_gain, mut monitor_voice_gain] =
            [0, 1, 2].map(|i| self.levels[i].ramp);
        let [monitor, room, _, _] = &mut self.buses;
        for i in 0..frames {
            let m = &music[i * TRACK_CHANNELS..(i + 1) * TRACK_CHANNELS];
            let g = music_gain.next();
            let (monitor_original, room_original) =
                (self.monitor_original.next(), self.room_original.next());
            let (monitor_accompaniment, room_accompaniment) = match original {
                Original::VocalOnly => (1.0, 1.0),
                Original::FullMix => (1.0 - monitor_original, 1.0 - room_original),
            };
            let (wl, wr) = (self.wet[2 * i], self.wet[2 * i + 1]);
            let (vr, vm) = (voice_gain.next(), monitor_voice_gain.next());
            monitor[2 * i] = g * (m[0] * monitor_accompaniment + m[2] * monitor_original) + vm * wl;
            monitor[2 * i + 1] =
                g * (m[1] * monitor_accompaniment + m[3] * monitor_original) + vm * wr;
            room[2 * i] = g * (m[0] * room_accompaniment + m[2] * room_original) + vr * wl;
            room[2 * i + 1] = g * (m[1] * room_accompaniment + m[3] * room_original) + vr * wr;
        }
        self.levels[0].ramp = music_gain;
        self.levels[1].ramp = voice_gain;
        self.levels[2].ramp = monitor_voice_gain;
        self.buses[Bus::DryVoice.index()][..frames].copy_from_slice(&self.dry[..frames]);
        self.buses[Bus::WetVoice.index()][..frames * 2].copy_from_slice(&self.wet[..frames * 2]);
        for bus in Bus::ALL {
            let channels = bus.channels();
            let samples = &mut self.buses[bus.index()][..frames * channels];
            self.levels[3 + MAX_MICS + bus.index()]
                .ramp
                .apply(samples, channels);
            self.limiters[bus.index()].process(samples, channels);
        }
    }

    /// Sums the microphones into the dry voice and runs the effects into the wet voice.
    fn mix_voice(&mut self, mics: [Option<&[f32]>; MAX_MICS], frames: usize) {
        let dry = &mut self.dry[..frames];
        dry.fill(0.0);
        for (slot, mic) in mics.iter().enumerate() {
            let Some(samples) = mic else { continue };
            let trim = &mut self.levels[3 + slot].ramp;
            for (d, &s) in dry.iter_mut().zip(&samples[..frames]) {
                *d += trim.next() * s;
            }
        }
        let wet = &mut self.wet[..frames * 2];
        self.effects.process(dry, wet);
        if let Some(old) = self.fading.as_mut() {
            let wet_old = &mut self.wet_old[..frames * 2];
            old.process(dry, wet_old);
            for (new, old) in wet.chunks_exact_mut(2).zip(wet_old.chunks_exact(2)) {
                let f = self.fade.next();
                new[0] = f * new[0] + (1.0 - f) * old[0];
                new[1] = f * new[1] + (1.0 - f) * old[1];
            }
        }
    }
}
