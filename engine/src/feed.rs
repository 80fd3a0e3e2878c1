//! The song's frames at sync's playback rate: the decoded ring read through the varispeed
//! into a small FIFO of four-channel frames (accompaniment L/R, original L/R).
//!
//! The feed knows nothing of positions or of the listener: the [`crate::music`] player pulls
//! frames from it, directly or through the key/tempo shifter, and keeps the clock.

use crate::playback::{Playback, Read};
use crate::source::chunk::TRACK_CHANNELS;
use crate::varispeed::{BLOCK, Varispeed};

/// The loaded song, its varispeed and the frames resampled but not yet pulled.
pub(crate) struct Feed {
    pub(crate) song: Option<Box<Playback>>,
    varispeed: Varispeed,
    fifo: Vec<f32>,
    fifo_read: usize,
    fifo_len: usize,
    /// Output frames still to drop after a seek (the resampler's pre-roll).
    discard: usize,
    /// The song's end frame, once its last chunk has been read.
    song_end: Option<f64>,
    /// Whether the decoder has delivered the last frame into the resampler.
    input_ended: bool,
}

impl Feed {
    /// An empty feed (allocates: control thread only).
    pub(crate) fn new() -> Self {
        Feed {
            song: None,
            varispeed: Varispeed::new(),
            fifo: vec![0.0; BLOCK * TRACK_CHANNELS],
            fifo_read: 0,
            fifo_len: 0,
            discard: 0,
            song_end: None,
            input_ended: false,
        }
    }

    /// Song frames per pulled frame.
    pub(crate) fn rate(&self) -> f64 {
        self.varispeed.rate()
    }

    /// Sets sync's playback rate (within ±0.5%).
    pub(crate) fn set_rate(&mut self, rate: f64) {
        self.varispeed.set_rate(rate);
    }

    /// The song's end frame, once the decoder has reached it.
    pub(crate) fn song_end(&self) -> Option<f64> {
        self.song_end
    }

    /// Whether the decoder has delivered the song's last frame.
    pub(crate) fn input_ended(&self) -> bool {
        self.input_ended
    }

    /// Starts decoding so that the next frame pulled is song frame `frame` (negative frames
    /// are silence before the song).
    pub(crate) fn seek(&mut self, frame: i64) {
        let latency = self.varispeed.latency();
        self.varispeed.reset();
        if let Some(song) = self.song.as_mut() {
            song.seek(frame - latency as i64);
        }
        self.discard = 2 * latency;
        self.fifo_len = 0;
        self.fifo_read = 0;
        self.song_end = None;
        self.input_ended = false;
    }

    /// Forgets the frames in flight (when the song is taken out).
    pub(crate) fn clear(&mut self) {
        self.fifo_len = 0;
        self.fifo_read = 0;
    }

    /// Whether `frames` frames can be pulled without waiting for the decoder.
    pub(crate) fn can_pull(&mut self, frames: usize) -> bool {
        if frames <= self.fifo_len {
            return true;
        }
        match self.song.as_mut() {
            Some(song) if !self.input_ended => {
                // Input for the rest, plus the varispeed's slack and the frames still to drop.
                let rest = frames - self.fifo_len;
                let needed = (rest as f64 * self.varispeed.rate()).ceil() as usize
                    + self.varispeed.input_needed()
                    + self.discard;
                song.can_read(needed)
            }
            _ => true,
        }
    }

    /// Pulls frames into `out` (interleaved, [`TRACK_CHANNELS`] per frame) until it is full
    /// or the decoder is behind; returns the frames written. Past the song's end it pulls
    /// silence.
    pub(crate) fn pull(&mut self, out: &mut [f32]) -> usize {
        let frames = out.len() / TRACK_CHANNELS;
        let mut pulled = 0;
        while pulled < frames {
            if self.fifo_len == 0 && !self.refill() {
                break;
            }
            let take = self.fifo_len.min(frames - pulled);
            let from = self.fifo_read * TRACK_CHANNELS;
            out[pulled * TRACK_CHANNELS..(pulled + take) * TRACK_CHANNELS]
                .copy_from_slice(&self.fifo[from..from + take * TRACK_CHANNELS]);
            self.fifo_read += take;
            self.fifo_len -= take;
            pulled += take;
        }
        pulled
    }

    /// Resamples the next block into the FIFO. `false` if the decoder is behind or the song
    /// has no more frames.
    fn refill(&mut self) -> bool {
        loop {
            let Some(song) = self.song.as_mut() else {
                return false;
            };
            let needed = self.varispeed.input_needed();
            let valid = if self.input_ended {
                // After the last frame, silence flushes the resampler's tail.
                0
            } else {
                let input = &mut self.varispeed.input_mut()[..needed * TRACK_CHANNELS];
                match song.read(input, needed) {
                    Read::NotReady => return false,
                    Read::Frames(n) => n,
                }
            };
            if !self.input_ended && song.ended() {
                self.input_ended = true;
                self.song_end = song.end_frame().map(|f| f as f64);
            }
            if self.input_ended && self.song_end.is_none() {
                return false;
            }
            let block = self.varispeed.process(valid);
            self.fifo[..BLOCK * TRACK_CHANNELS].copy_from_slice(block);
            let drop = self.discard.min(BLOCK);
            self.discard -= drop;
            self.fifo_read = drop;
            self.fifo_len = BLOCK - drop;
            if self.fifo_len > 0 {
                return true;
            }
        }
    }
}
