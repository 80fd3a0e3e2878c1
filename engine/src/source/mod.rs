//! Where the audio comes from: files decoded and resampled on a decode thread per song.
//!
//! - [`decode`]: one audio stream of one file, decoded with symphonia to stereo at the file's
//!   rate, trimmed to the song's real frames, seeking sample-accurately.
//! - [`mp4`]: AAC encoder delay and padding from MP4 edit lists and `iTunSMPB`.
//! - [`stream`]: the decode thread: one or two streams in lockstep, resampled with rubato to
//!   the engine's rate, into the ring of [`chunk::Chunk`]s the audio thread reads.
//! - `lane`: one stream on that thread: its decoder, its resampler, the frames ready.

pub mod chunk;
pub(crate) mod decode;
mod lane;
pub(crate) mod mp4;
pub mod stream;
