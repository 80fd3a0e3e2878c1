//! What the control side asks of the audio thread, and what the audio thread hands back to
//! be dropped.
//!
//! Commands are discrete and must not be lost, so they travel through a bounded FIFO ring
//! (never "latest value wins"); when it is full the sender gets [`crate::EngineError::QueueFull`].
//! Anything that owns memory and leaves the audio thread (a replaced song, a spent effects
//! chain, an unplugged microphone, a closed tap) goes back as [`Garbage`], because freeing is
//! not real-time safe.

use crate::bus::Level;
use crate::fx::VoiceChain;
use crate::mic::MicStream;
use crate::playback::Playback;
use crate::remote::RemoteVoice;
use crate::song::TrackMode;
use crate::tap::TapWriter;
use crate::time::HostTime;

/// A command for the audio thread.
pub(crate) enum Command {
    /// Replace the song (the old one travels back to be dropped on the control side).
    Load(Box<Playback>),
    /// Unload the song.
    Stop,
    /// Start or resume now.
    Play,
    /// Start or resume exactly at this host time.
    PlayAt(HostTime),
    /// Pause, holding the position.
    Pause,
    /// Jump to a song frame (at the engine rate).
    Seek {
        /// The song frame.
        frame: u64,
    },
    /// Jump to a song frame and start playing it exactly at a host time.
    SeekAt {
        /// The song frame.
        frame: u64,
        /// When it is heard.
        at: HostTime,
    },
    /// Crossfade to a track mode.
    SetTrackMode(TrackMode),
    /// Set the playback rate (1 = normal), within ±0.5%.
    SetRate(f64),
    /// Shift the music's key by semitones (−12..=12), tempo kept.
    SetKey(f32),
    /// Play the music at a tempo (0.8..=1.2), pitch kept.
    SetTempo(f64),
    /// Set a level's gain.
    SetLevel(Level, f32),
    /// Mute or unmute a level.
    SetMute(Level, bool),
    /// Crossfade to a new voice effects chain.
    SetEffects(Box<VoiceChain>),
    /// Plug in a microphone at a slot.
    AddMic {
        /// The slot.
        slot: usize,
        /// Its audio side.
        stream: Box<MicStream>,
    },
    /// Start feeding a tap.
    AddTap(Box<TapWriter>),
    /// Mix a voice from elsewhere (replacing any other).
    AddRemoteVoice(Box<RemoteVoice>),
}

/// What the audio thread hands back to be dropped.
pub(crate) enum Garbage {
    Song(#[allow(dead_code)] Box<Playback>),
    Effects(#[allow(dead_code)] Box<VoiceChain>),
    Mic(#[allow(dead_code)] Box<MicStream>),
    Tap(#[allow(dead_code)] Box<TapWriter>),
    Remote(#[allow(dead_code)] Box<RemoteVoice>),
}
