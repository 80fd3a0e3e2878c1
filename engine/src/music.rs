//! The music player on the audio thread: the loaded song's decoded frames, through the
//! varispeed (sync's ±0.5% rate) and the key/tempo shifter, out as four-channel frames
//! (accompaniment L/R, original L/R) with the song position of each.
//!
//! It knows nothing of transport or mixing: the processor asks it for frames while playing,
//! and it reports how many it had. Positions are song frames at the engine rate.

use crate::dsp::Ramp;
use crate::playback::{Playback, Read};
use crate::song::Original;
use crate::source::chunk::TRACK_CHANNELS;
use crate::varispeed::{BLOCK, Varispeed};

/// Why [`MusicPlayer::play`] stopped before filling its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shortfall {
    /// It filled the buffer.
    None,
    /// The decoder is behind (or still seeking).
    Waiting,
    /// The song ended.
    End,
}

/// The loaded song and the stages between its decoded frames and the mixer.
pub(crate) struct MusicPlayer {
    song: Option<Box<Playback>>,
    varispeed: Varispeed,
    /// Resampled four-channel frames not yet played, and where they start.
    fifo: Vec<f32>,
    fifo_read: usize,
    fifo_len: usize,
    /// Song position of the next frame to play.
    position: f64,
    /// Output frames still to drop after a seek (the resampler's pre-roll).
    discard: usize,
    /// The song's end frame, once its last chunk has been read.
    song_end: Option<f64>,
    /// Whether the decoder has delivered the last frame into the resampler.
    input_ended: bool,
    /// Blocks the decoder was behind while playing, since the last report.
    underruns: u32,
    /// The loudness gains of the accompaniment and the original.
    gains: [Ramp; 2],
}

/// How long a loudness gain measured during playback takes to apply.
const LOUDNESS_RAMP_SECONDS: f64 = 0.5;

impl MusicPlayer {
    /// An empty player (allocates: control thread only).
    pub(crate) fn new(sample_rate: u32) -> Self {
        MusicPlayer {
            song: None,
            varispeed: Varispeed::new(),
            fifo: vec![0.0; BLOCK * TRACK_CHANNELS],
            fifo_read: 0,
            fifo_len: 0,
            position: 0.0,
            discard: 0,
            song_end: None,
            input_ended: false,
            underruns: 0,
            gains: [Ramp::new(1.0, LOUDNESS_RAMP_SECONDS, sample_rate); 2],
        }
    }

    /// Puts `song` in, at its start; returns the song it replaces.
    pub(crate) fn load(&mut self, song: Box<Playback>) -> Option<Box<Playback>> {
        let (accompaniment, original) = song.gains.get();
        self.gains[0].jump(accompaniment);
        self.gains[1].jump(original);
        let old = self.song.replace(song);
        self.seek_to(0);
        old
    }

    /// Takes the song out.
    pub(crate) fn unload(&mut self) -> Option<Box<Playback>> {
        self.position = 0.0;
        self.fifo_len = 0;
        self.song.take()
    }

    pub(crate) fn has_song(&self) -> bool {
        self.song.is_some()
    }

    /// What the loaded song's original track holds.
    pub(crate) fn original(&self) -> Option<Original> {
        self.song.as_ref().map(|s| s.original)
    }

    /// The song position of the next frame to play.
    pub(crate) fn position(&self) -> f64 {
        self.position
    }

    /// Song frames per output frame.
    pub(crate) fn speed(&self) -> f64 {
        self.varispeed.rate()
    }

    /// Sets sync's playback rate (within ±0.5%).
    pub(crate) fn set_rate(&mut self, rate: f64) {
        self.varispeed.set_rate(rate);
    }

    /// Whether frames of the latest seek have arrived.
    pub(crate) fn is_ready(&mut self) -> bool {
        self.song.as_mut().is_some_and(|s| s.is_ready())
    }

    /// Whether `frames` output frames (plus `late` to skip first) can be produced without
    /// waiting for the decoder.
    pub(crate) fn can_supply(&mut self, frames: usize) -> bool {
        match self.song.as_mut() {
            Some(song) if !self.input_ended => {
                // Input for the block, plus the varispeed's slack and the frames still to drop.
                let needed = (frames as f64 * self.varispeed.rate()).ceil() as usize
                    + self.varispeed.input_needed()
                    + self.discard;
                song.can_read(needed)
            }
            _ => true,
        }
    }

    /// Blocks the decoder was behind since the last call.
    pub(crate) fn take_underruns(&mut self) -> u32 {
        std::mem::take(&mut self.underruns)
    }

    /// Plays frames into `out` (interleaved, [`TRACK_CHANNELS`] per frame) until it is full,
    /// the decoder falls behind, or the song ends. Returns the frames written and why it
    /// stopped short.
    pub(crate) fn play(&mut self, out: &mut [f32]) -> (usize, Shortfall) {
        let (played, shortfall) = self.play_unlevelled(out);
        if let Some(song) = self.song.as_ref() {
            let (accompaniment, original) = song.gains.get();
            self.gains[0].set(accompaniment);
            self.gains[1].set(original);
        }
        let [accompaniment, original] = &mut self.gains;
        let unity = |ramp: &Ramp| ramp.is_settled() && ramp.target() == 1.0;
        if !(unity(accompaniment) && unity(original)) {
            for frame in out[..played * TRACK_CHANNELS].chunks_exact_mut(TRACK_CHANNELS) {
                let (a, o) = (accompaniment.next(), original.next());
                frame[0] *= a;
                frame[1] *= a;
                frame[2] *= o;
                frame[3] *= o;
            }
        }
        (played, shortfall)
    }

    fn play_unlevelled(&mut self, out: &mut [f32]) -> (usize, Shortfall) {
        let frames = out.len() / TRACK_CHANNELS;
        let mut played = 0;
        while played < frames {
            if let Some(end) = self.song_end
                && self.position >= end
            {
                return (played, Shortfall::End);
            }
            if self.fifo_len == 0 && !self.refill() {
                // Waiting for the first frames after a seek is not an underrun.
                if !self.input_ended && self.is_ready() {
                    self.underruns = self.underruns.saturating_add(1);
                }
                return (played, Shortfall::Waiting);
            }
            let take = self.fifo_len.min(frames - played);
            let from = self.fifo_read * TRACK_CHANNELS;
            out[played * TRACK_CHANNELS..(played + take) * TRACK_CHANNELS]
                .copy_from_slice(&self.fifo[from..from + take * TRACK_CHANNELS]);
            self.fifo_read += take;
            self.fifo_len -= take;
            // One frame at a time, so the end is found on the exact frame.
            let rate = self.varispeed.rate();
            for i in 0..take {
                if let Some(end) = self.song_end
                    && self.position >= end
                {
                    // Put back what lies beyond the end.
                    self.fifo_read -= take - i;
                    self.fifo_len += take - i;
                    return (played + i, Shortfall::End);
                }
                self.position += rate;
            }
            played += take;
        }
        (played, Shortfall::None)
    }

    /// Drops `frames` of song without playing them (to honour a start time that passed).
    pub(crate) fn skip(&mut self, frames: usize) {
        for _ in 0..frames {
            if self.fifo_len == 0 && !self.refill() {
                return;
            }
            self.fifo_read += 1;
            self.fifo_len -= 1;
            self.position += self.varispeed.rate();
        }
    }

    /// Starts decoding from `frame`, so that the next frame played is exactly `frame`.
    pub(crate) fn seek_to(&mut self, frame: u64) {
        let latency = self.varispeed.latency();
        self.varispeed.reset();
        if let Some(song) = self.song.as_mut() {
            song.seek(frame as i64 - latency as i64);
        }
        self.discard = 2 * latency;
        self.fifo_len = 0;
        self.fifo_read = 0;
        self.position = frame as f64;
        self.song_end = None;
        self.input_ended = false;
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
