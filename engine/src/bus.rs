//! The engine's outputs and the levels that shape them.
//!
//! Every block, the processor mixes four buses:
//! - [`Bus::Monitor`]: the singer's headphones (耳返): the music as the track mode says, plus the
//!   singer's own voice, with no buffering beyond the device's blocks.
//! - [`Bus::Room`]: what listeners hear: the music as the track mode says, plus the voice.
//! - [`Bus::DryVoice`]: the microphones summed, before effects (what scoring hears).
//! - [`Bus::WetVoice`]: the voice after effects, before music (what audiences receive as the
//!   singer's stream, mixed with their own copy of the music).
//!
//! Each bus has a gain, a mute and a limiter, so nothing that leaves the engine clips. The
//! device plays one bus ([`crate::EngineSettings::device_bus`]); any bus can also be tapped
//! ([`crate::tap`]) by the recorder, the scorer or the network.

/// One of the engine's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bus {
    /// The singer's headphones: music + own voice (stereo).
    Monitor,
    /// What the room hears: music + voice (stereo).
    Room,
    /// The microphones summed, before effects (mono).
    DryVoice,
    /// The voice after effects, before music (stereo).
    WetVoice,
}

impl Bus {
    /// Every bus, in the order of [`Bus::index`].
    pub const ALL: [Bus; 4] = [Bus::Monitor, Bus::Room, Bus::DryVoice, Bus::WetVoice];

    /// Channels the bus carries.
    pub const fn channels(self) -> usize {
        match self {
            Bus::DryVoice => 1,
            Bus::Monitor | Bus::Room | Bus::WetVoice => 2,
        }
    }

    /// A dense index, 0..4.
    pub(crate) const fn index(self) -> usize {
        match self {
            Bus::Monitor => 0,
            Bus::Room => 1,
            Bus::DryVoice => 2,
            Bus::WetVoice => 3,
        }
    }
}

/// A level the control side sets: linear amplitude factors (0 = silent, 1 = unity), ramped on
/// the audio thread so a change never clicks. [`MAX_GAIN`] is the most any level accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// The music in both buses (伴奏音量).
    Music,
    /// The voice in the room bus (人声音量).
    Voice,
    /// The voice in the singer's monitor (耳返音量).
    MonitorVoice,
    /// One microphone's input trim (its slot), before everything else, dry voice included.
    Mic(usize),
    /// A whole bus, after mixing and before its limiter.
    Bus(Bus),
}

/// The largest gain a [`Level`] accepts: +12 dB.
pub const MAX_GAIN: f32 = 4.0;

/// Which microphone slots exist: at most this many microphones at once.
pub const MAX_MICS: usize = 4;
