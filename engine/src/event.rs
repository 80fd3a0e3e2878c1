//! What the engine tells the control side.

use crate::song::{SongLoudness, TrackMode};

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
    /// The track mode changed (the crossfade has begun).
    TrackModeChanged(TrackMode),
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
    /// This many events were dropped because the event queue was full (the control side
    /// did not poll).
    EventsDropped(u32),
    /// A microphone's monitor latency: from capture to playback of the same sample, as the
    /// devices' timestamps say (reported when it changes by 1 ms or more, at most once a
    /// second). An app can show it as Agora's does: ≤ 50 ms good.
    MonitorLatency {
        /// The microphone's slot.
        mic: usize,
        /// The latency in frames at the engine rate.
        frames: u32,
    },
    /// The loaded song's loudness was measured (it plays levelled from now on).
    LoudnessMeasured(SongLoudness),
    /// Decoding failed; the song plays silence from here (the file is corrupt, truncated, or
    /// vanished).
    DecodeError(String),
}
