//! The audio thread's side of one loaded song: reading decoded chunks in order, dropping the
//! ones decoded before the latest seek, and asking the decode thread to seek.
//!
//! Everything here is real-time safe: ring pops and pushes, copies into preallocated buffers.
//! The `Playback` is built on the control thread, travels to the audio thread inside a
//! command, and travels back to be dropped there when replaced.

use std::sync::Arc;

use crate::loudness::TrackGains;
use crate::song::Original;
use crate::source::chunk::{Chunk, DecoderCommand, TRACK_CHANNELS};

/// One song on the audio thread.
pub struct Playback {
    chunks: rtrb::Consumer<Chunk>,
    to_decoder: rtrb::Producer<DecoderCommand>,
    /// What the original track holds.
    pub(crate) original: Original,
    /// The loudness gains of the two tracks.
    pub(crate) gains: Arc<TrackGains>,
    /// The chunk being read, and how many of its frames were read.
    current: Option<(Chunk, usize)>,
    generation: u32,
    /// Whether the last chunk of the current generation has been read out.
    ended: bool,
    /// Whether a chunk of the current generation has arrived since the last seek.
    ready: bool,
    /// The song's end frame, known once its last chunk has been read.
    end_frame: Option<i64>,
}

/// What a read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// This many frames were read (all that were asked for, or fewer at the song's end).
    Frames(usize),
    /// The decoder is behind; nothing was read.
    NotReady,
}

impl Playback {
    pub(crate) fn new(
        chunks: rtrb::Consumer<Chunk>,
        to_decoder: rtrb::Producer<DecoderCommand>,
        original: Original,
        gains: Arc<TrackGains>,
    ) -> Self {
        Playback {
            chunks,
            to_decoder,
            original,
            gains,
            current: None,
            generation: 0,
            ended: false,
            ready: false,
            end_frame: None,
        }
    }

    /// Asks the decode thread to decode from `frame` (the song frame at the engine rate; may
    /// be negative for a pre-roll of silence). Chunks of earlier generations are dropped from
    /// here on. Returns `false` if the decoder's queue is full (the request is lost).
    pub(crate) fn seek(&mut self, frame: i64) -> bool {
        self.generation = self.generation.wrapping_add(1);
        self.current = None;
        self.ended = false;
        self.ready = false;
        self.end_frame = None;
        self.to_decoder
            .push(DecoderCommand::Seek {
                frame,
                generation: self.generation,
            })
            .is_ok()
    }

    /// Whether the song's last frame has been read.
    pub(crate) fn ended(&self) -> bool {
        self.ended
    }

    /// The frame after the song's last, once the last chunk has been read.
    pub(crate) fn end_frame(&self) -> Option<i64> {
        self.end_frame
    }

    /// Whether frames of the latest seek have arrived.
    pub(crate) fn is_ready(&mut self) -> bool {
        self.fill_current();
        self.ready
    }

    /// Frames ready to read without waiting, up to `limit`.
    pub(crate) fn available(&mut self, limit: usize) -> usize {
        self.fill_current();
        let mut available = self
            .current
            .as_ref()
            .map_or(0, |(chunk, read)| chunk.frames as usize - read);
        if available >= limit {
            return limit;
        }
        // Chunks in the ring: count frames of the current generation.
        let queued = self.chunks.slots();
        if queued > 0
            && let Ok(read) = self.chunks.read_chunk(queued)
        {
            let (first, second) = read.as_slices();
            for chunk in first.iter().chain(second) {
                if chunk.generation == self.generation {
                    available += chunk.frames as usize;
                    if available >= limit || chunk.last {
                        break;
                    }
                }
            }
        }
        available.min(limit)
    }

    /// Whether `frames` frames can be read now without waiting (or the song ends before).
    pub(crate) fn can_read(&mut self, frames: usize) -> bool {
        self.ended || self.available(frames) >= frames || self.last_in_hand()
    }

    /// Whether the current generation's last chunk is in hand (so a short read means the end).
    fn last_in_hand(&mut self) -> bool {
        self.fill_current();
        if self.current.as_ref().is_some_and(|(c, _)| c.last) {
            return true;
        }
        let queued = self.chunks.slots();
        if queued == 0 {
            return false;
        }
        let Ok(read) = self.chunks.read_chunk(queued) else {
            return false;
        };
        let (first, second) = read.as_slices();
        first
            .iter()
            .chain(second)
            .any(|c| c.generation == self.generation && c.last)
    }

    /// Reads up to `frames` frames into `out` (interleaved, [`TRACK_CHANNELS`] per frame).
    /// Reads nothing unless all of them are there, or the song ends within them.
    pub(crate) fn read(&mut self, out: &mut [f32], frames: usize) -> Read {
        let available = self.available(frames);
        if available < frames && !self.last_in_hand() {
            return Read::NotReady;
        }
        let mut written = 0;
        while written < frames {
            self.fill_current();
            let Some((chunk, read)) = self.current.as_mut() else {
                break;
            };
            let take = (chunk.frames as usize - *read).min(frames - written);
            let from = *read * TRACK_CHANNELS;
            let to = written * TRACK_CHANNELS;
            out[to..to + take * TRACK_CHANNELS]
                .copy_from_slice(&chunk.samples[from..from + take * TRACK_CHANNELS]);
            *read += take;
            written += take;
            if *read == chunk.frames as usize {
                if chunk.last {
                    self.end_frame = Some(chunk.start_frame + i64::from(chunk.frames));
                    self.ended = true;
                    self.current = None;
                    break;
                }
                self.current = None;
            }
        }
        Read::Frames(written)
    }

    /// Makes sure a chunk of the current generation with unread frames is in hand, if one has
    /// arrived; drops stale chunks on the way.
    fn fill_current(&mut self) {
        if self.ended {
            return;
        }
        if let Some((chunk, read)) = &self.current
            && (*read < chunk.frames as usize || chunk.last)
        {
            return;
        }
        while let Ok(chunk) = self.chunks.pop() {
            if chunk.generation != self.generation {
                continue;
            }
            self.ready = true;
            if chunk.frames == 0 && chunk.last {
                self.end_frame = Some(chunk.start_frame);
                self.ended = true;
                self.current = None;
                return;
            }
            self.current = Some((chunk, 0));
            return;
        }
    }
}
