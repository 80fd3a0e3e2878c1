//! What the engine tells the control side.

use crate::song::Track;

/// Something that happened in the engine. Events from the audio thread are plain values (no
/// allocation there); errors from a decode thread carry their message.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A song was loaded and is ready to play from its start.
    Loaded,
    /// Playback started (or resumed) at this song frame.
    Started {
        /// The song frame the first sample played came from.
        frame: u64,
    },
    /// Playback paused at this song frame.
    Paused {
        /// The song frame playback paused at.
        frame: u64,
    },
    /// A seek landed: the next sample played is this song frame.
    Seeked {
        /// The song frame.
        frame: u64,
    },
    /// The selected track changed (the crossfade has begun).
    TrackSelected(Track),
    /// The song played to its end.
    EndOfSong {
        /// The song's length: the frame after its last.
        frame: u64,
    },
    /// Playback stopped and the song was unloaded.
    Stopped,
    /// The decoder could not keep up: this many blocks were silent.
    Underrun {
        /// Silent blocks since the last report.
        blocks: u32,
    },
    /// Commands were dropped because a queue was full.
    CommandsDropped(u32),
    /// Decoding failed; the song plays silence from here (the file is corrupt, truncated, or
    /// vanished).
    DecodeError(String),
}
