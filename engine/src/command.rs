//! What the control side asks of the audio thread.
//!
//! Commands are discrete and must not be lost, so they travel through a bounded FIFO ring
//! (never "latest value wins"); when it is full the sender gets [`crate::EngineError::QueueFull`].

use crate::playback::Playback;
use crate::song::Track;
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
    /// Crossfade to a track.
    SelectTrack(Track),
    /// Set the playback rate (1 = normal), within ±0.5%.
    SetRate(f64),
}
