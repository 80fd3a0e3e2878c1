//! The music player on the audio thread: the [`Feed`] (the song at sync's rate), through the
//! key/tempo [`Shifter`] when one is asked for, out as four-channel frames (accompaniment
//! L/R, original L/R) with the song position of each, levelled by the song's loudness gains.
//!
//! It knows nothing of transport or mixing: the processor asks it for frames while playing,
//! and it reports how many it had. Positions are song frames at the engine rate.

use crate::dsp::Ramp;
use crate::feed::Feed;
use crate::playback::Playback;
use crate::shift::{History, Shifter};
use crate::song::Original;
use crate::source::chunk::TRACK_CHANNELS;

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
    feed: Feed,
    shifter: Shifter,
    /// The frames just before the play position, to prime the shifter with.
    history: History,
    /// Frames before the seek target still to pull into the history.
    preroll: usize,
    /// Scratch for the pre-roll.
    preroll_buffer: Vec<f32>,
    /// Scratch for skipped frames.
    skip_buffer: Vec<f32>,
    /// Song position of the next frame to play.
    position: f64,
    /// Blocks the decoder was behind while playing, since the last report.
    underruns: u32,
    /// The loudness gains of the accompaniment and the original.
    gains: [Ramp; 2],
}

/// How long a loudness gain measured during playback takes to apply.
const LOUDNESS_RAMP_SECONDS: f64 = 0.5;

impl MusicPlayer {
    /// An empty player for blocks of up to `max_block` frames (allocates: control thread
    /// only).
    pub(crate) fn new(sample_rate: u32, max_block: usize) -> Self {
        let shifter = Shifter::new(sample_rate, max_block);
        let history_frames = shifter.history_needed();
        MusicPlayer {
            feed: Feed::new(),
            history: History::new(history_frames),
            shifter,
            preroll: 0,
            preroll_buffer: vec![0.0; history_frames * TRACK_CHANNELS],
            skip_buffer: vec![0.0; max_block * TRACK_CHANNELS],
            position: 0.0,
            underruns: 0,
            gains: [Ramp::new(1.0, LOUDNESS_RAMP_SECONDS, sample_rate); 2],
        }
    }

    /// Puts `song` in, at its start; returns the song it replaces.
    pub(crate) fn load(&mut self, song: Box<Playback>) -> Option<Box<Playback>> {
        let (accompaniment, original) = song.gains.get();
        self.gains[0].jump(accompaniment);
        self.gains[1].jump(original);
        let old = self.feed.song.replace(song);
        self.seek_to(0);
        old
    }

    /// Takes the song out.
    pub(crate) fn unload(&mut self) -> Option<Box<Playback>> {
        self.position = 0.0;
        self.feed.clear();
        self.shifter.disengage();
        self.feed.song.take()
    }

    pub(crate) fn has_song(&self) -> bool {
        self.feed.song.is_some()
    }

    /// What the loaded song's original track holds.
    pub(crate) fn original(&self) -> Option<Original> {
        self.feed.song.as_ref().map(|s| s.original)
    }

    /// The song position of the next frame to play.
    pub(crate) fn position(&self) -> f64 {
        self.position
    }

    /// Song frames per output frame: sync's rate times the tempo being heard.
    pub(crate) fn speed(&self) -> f64 {
        self.feed.rate() * self.shifter.heard_tempo()
    }

    /// Sets sync's playback rate (within ±0.5%).
    pub(crate) fn set_rate(&mut self, rate: f64) {
        self.feed.set_rate(rate);
    }

    /// Sets the key shift in semitones (clamped to ±12).
    pub(crate) fn set_key(&mut self, semitones: f32) {
        self.shifter.set_key(semitones);
    }

    /// Sets the tempo (clamped to 0.8..=1.2).
    pub(crate) fn set_tempo(&mut self, tempo: f64) {
        self.shifter.set_tempo(tempo);
    }

    /// Whether frames of the latest seek have arrived.
    pub(crate) fn is_ready(&mut self) -> bool {
        self.feed.song.as_mut().is_some_and(|s| s.is_ready())
    }

    /// Whether `frames` output frames can be produced without waiting for the decoder.
    pub(crate) fn can_supply(&mut self, frames: usize) -> bool {
        let input = if self.shifter.is_engaged() {
            self.shifter.input_for(frames)
        } else if self.shifter.wanted() {
            self.shifter.priming_lookahead() + self.shifter.input_for(frames)
        } else {
            frames
        };
        self.feed.can_pull(self.preroll + input)
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
        if let Some(song) = self.feed.song.as_ref() {
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

    /// Drops `frames` output frames without playing them (to honour a start time that
    /// passed), exactly as if they had played.
    pub(crate) fn skip(&mut self, frames: usize) {
        let mut scratch = std::mem::take(&mut self.skip_buffer);
        let chunk = (scratch.len() / TRACK_CHANNELS).max(1);
        let mut left = frames;
        while left > 0 {
            let n = left.min(chunk);
            let (played, shortfall) = self.play_unlevelled(&mut scratch[..n * TRACK_CHANNELS]);
            left -= played;
            if shortfall != Shortfall::None {
                break;
            }
        }
        self.skip_buffer = scratch;
    }

    /// Starts decoding from `frame`, so that the next frame played is exactly `frame`.
    pub(crate) fn seek_to(&mut self, frame: u64) {
        // The frames before it fill the history, so the shifter can start right there.
        self.preroll = self.shifter.history_needed();
        self.feed.seek(frame as i64 - self.preroll as i64);
        self.history.clear();
        self.shifter.disengage();
        self.position = frame as f64;
    }

    fn play_unlevelled(&mut self, out: &mut [f32]) -> (usize, Shortfall) {
        if self.ended() {
            return (0, Shortfall::End);
        }
        if self.preroll > 0 {
            if !self.feed.can_pull(self.preroll) {
                return self.waiting();
            }
            let preroll = &mut self.preroll_buffer[..self.preroll * TRACK_CHANNELS];
            let pulled = self.feed.pull(preroll);
            self.history.push(&preroll[..pulled * TRACK_CHANNELS]);
            self.preroll -= pulled;
            if self.preroll > 0 {
                return self.waiting();
            }
        }
        if self.shifter.is_engaged() || self.shifter.wanted() {
            self.play_shifted(out)
        } else {
            self.play_direct(out)
        }
    }

    /// Plays the feed as it is.
    fn play_direct(&mut self, out: &mut [f32]) -> (usize, Shortfall) {
        let pulled = self.feed.pull(out);
        self.history.push(&out[..pulled * TRACK_CHANNELS]);
        let rate = self.feed.rate();
        let (played, ended) = self.advance(pulled, || rate);
        match () {
            _ if ended => (played, Shortfall::End),
            _ if played < out.len() / TRACK_CHANNELS => self.waiting_after(played),
            _ => (played, Shortfall::None),
        }
    }

    /// Plays the feed through the shifter, priming it first if it is not yet engaged.
    fn play_shifted(&mut self, out: &mut [f32]) -> (usize, Shortfall) {
        let frames = out.len() / TRACK_CHANNELS;
        if !self.shifter.is_engaged() {
            let lookahead = self.shifter.priming_lookahead();
            if !self
                .feed
                .can_pull(lookahead + self.shifter.input_for(frames))
            {
                return self.waiting();
            }
            let (behind, ahead) = self.shifter.priming_buffers();
            self.history.newest(behind);
            let pulled = self.feed.pull(ahead);
            ahead[pulled * TRACK_CHANNELS..].fill(0.0);
            self.shifter.prime();
        }
        if !self.feed.can_pull(self.shifter.input_for(frames)) {
            return self.waiting();
        }
        let input = self.shifter.input_buffer(frames);
        let pulled = self.feed.pull(input);
        // `can_pull` promised these; were the decoder to fall short anyway, silence keeps the
        // stretcher in step with the song.
        input[pulled * TRACK_CHANNELS..].fill(0.0);
        self.shifter.render(out);
        let rate = self.feed.rate();
        let shifter = &mut self.shifter;
        let (played, ended) =
            Self::advance_position(&mut self.position, self.feed.song_end(), frames, || {
                rate * shifter.next_heard_tempo()
            });
        if ended {
            (played, Shortfall::End)
        } else {
            (played, Shortfall::None)
        }
    }

    /// Advances the position over `frames` played frames, each by `step()`; stops on the
    /// exact frame the song ends. Returns the frames played and whether the song ended.
    fn advance(&mut self, frames: usize, step: impl FnMut() -> f64) -> (usize, bool) {
        Self::advance_position(&mut self.position, self.feed.song_end(), frames, step)
    }

    fn advance_position(
        position: &mut f64,
        end: Option<f64>,
        frames: usize,
        mut step: impl FnMut() -> f64,
    ) -> (usize, bool) {
        for i in 0..frames {
            if end.is_some_and(|end| *position >= end) {
                return (i, true);
            }
            *position += step();
        }
        (frames, false)
    }

    fn ended(&self) -> bool {
        self.feed.song_end().is_some_and(|end| self.position >= end)
    }

    fn waiting(&mut self) -> (usize, Shortfall) {
        self.waiting_after(0)
    }

    fn waiting_after(&mut self, played: usize) -> (usize, Shortfall) {
        if self.ended() {
            return (played, Shortfall::End);
        }
        // Waiting for the first frames after a seek is not an underrun.
        if !self.feed.input_ended() && self.is_ready() {
            self.underruns = self.underruns.saturating_add(1);
        }
        (played, Shortfall::Waiting)
    }
}
