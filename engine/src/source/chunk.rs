//! What travels from a decode thread to the audio thread: fixed-size chunks of four-channel
//! frames at the engine's sample rate, tagged with where in the song they start.
//!
//! The four channels are the accompaniment's left and right, then the original's left and
//! right, so the two tracks are always in lockstep. The tag makes the position clock exact by
//! construction and lets the audio thread drop chunks decoded before a seek.

/// Frames in one chunk.
pub const CHUNK_FRAMES: usize = 256;
/// Channels in a chunk: accompaniment L, R, original L, R.
pub const TRACK_CHANNELS: usize = 4;

/// A run of decoded frames.
#[derive(Clone)]
pub struct Chunk {
    /// The seek generation this chunk was decoded for.
    pub generation: u32,
    /// The song frame (at the engine rate) of the first frame.
    pub start_frame: i64,
    /// How many frames are valid.
    pub frames: u32,
    /// Whether this is the last chunk of the song.
    pub last: bool,
    /// Interleaved samples, [`TRACK_CHANNELS`] per frame.
    pub samples: [f32; CHUNK_FRAMES * TRACK_CHANNELS],
}

impl Chunk {
    /// An empty chunk.
    pub fn empty(generation: u32, start_frame: i64) -> Chunk {
        Chunk {
            generation,
            start_frame,
            frames: 0,
            last: false,
            samples: [0.0; CHUNK_FRAMES * TRACK_CHANNELS],
        }
    }

    /// Whether no more frames fit.
    pub fn is_full(&self) -> bool {
        self.frames as usize == CHUNK_FRAMES
    }
}

impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunk")
            .field("generation", &self.generation)
            .field("start_frame", &self.start_frame)
            .field("frames", &self.frames)
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

/// What the audio thread asks of a decode thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecoderCommand {
    /// Decode from this song frame (may be negative: silence first), tagging chunks with
    /// this generation.
    Seek {
        /// The song frame at the engine rate.
        frame: i64,
        /// The new generation.
        generation: u32,
    },
}
