//! Key shift and tempo: the music transposed by −12..=+12 semitones with its tempo kept, or
//! played at 0.8..=1.2× with its pitch kept, through Signalsmith Stretch (`signalsmith-stretch`).
//!
//! Why Signalsmith: measured against Rubber Band (R2, R3, live), `pitch_shift` and an older
//! Signalsmith build on guide vocals, chords and clicks, it was the only one exact in pitch
//! (median 1.5 cents on voice) and in timing (onsets within 0.15 ms at 0.8× and 1.2×), clean on
//! steady chords (−45.6 dB of energy off the expected partials at +3 semitones; Rubber Band R3
//! −32.1, `pitch_shift` −4.8), allocation- and lock-free in processing, and inside the callback
//! budget (p99.9 ≈ 30% of a 128-frame block with four channels; Rubber Band R3 75–89%).
//!
//! The stretcher works on blocks of 120 ms, so it needs input ahead of what it plays: it is
//! primed with `seek` on the song's own frames, the last few before the play position (kept in
//! a [`History`]) and the lookahead after it, so that its first output frame is the song at
//! the play position, with no fade-in and no latency to hide. The position clock then stays in
//! song time: each output frame advances the song by the tempo, and a tempo change reaches the
//! ears (and the clock) only when the stretcher's output latency has played out.
//!
//! At key 0 and tempo 1 the music bypasses the stretcher, exact to the sample and at no cost.
//! Once engaged during a song it stays engaged (transparent at 0 and 1) until the next seek or
//! load, so turning the key back never jumps.

use signalsmith_stretch::Stretch;

use crate::source::chunk::TRACK_CHANNELS;

/// The lowest key shift, in semitones.
pub const MIN_KEY: f32 = -12.0;
/// The highest key shift, in semitones.
pub const MAX_KEY: f32 = 12.0;
/// The slowest tempo.
pub const MIN_TEMPO: f64 = 0.8;
/// The fastest tempo.
pub const MAX_TEMPO: f64 = 1.2;

/// The last frames played, kept to prime the stretcher at the play position.
pub(crate) struct History {
    frames: Vec<f32>,
    capacity: usize,
    write: usize,
    len: usize,
}

impl History {
    pub(crate) fn new(capacity: usize) -> Self {
        History {
            frames: vec![0.0; capacity.max(1) * TRACK_CHANNELS],
            capacity: capacity.max(1),
            write: 0,
            len: 0,
        }
    }

    /// Forgets everything (after a seek).
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends four-channel frames.
    pub(crate) fn push(&mut self, samples: &[f32]) {
        for frame in samples.chunks_exact(TRACK_CHANNELS) {
            let at = self.write * TRACK_CHANNELS;
            self.frames[at..at + TRACK_CHANNELS].copy_from_slice(frame);
            self.write = (self.write + 1) % self.capacity;
            self.len = (self.len + 1).min(self.capacity);
        }
    }

    /// Writes the newest `out.len() / 4` frames into `out`, oldest first; silence stands in
    /// for frames before the first pushed.
    pub(crate) fn newest(&self, out: &mut [f32]) {
        let wanted = out.len() / TRACK_CHANNELS;
        let missing = wanted.saturating_sub(self.len);
        out[..missing * TRACK_CHANNELS].fill(0.0);
        let have = wanted - missing;
        let start = (self.write + self.capacity - have) % self.capacity;
        for i in 0..have {
            let from = ((start + i) % self.capacity) * TRACK_CHANNELS;
            let to = (missing + i) * TRACK_CHANNELS;
            out[to..to + TRACK_CHANNELS].copy_from_slice(&self.frames[from..from + TRACK_CHANNELS]);
        }
    }
}

/// The stretcher and what it needs to stay aligned with the song.
pub(crate) struct Shifter {
    stretch: Stretch,
    input_latency: usize,
    output_latency: usize,
    /// Frames `seek` reads: one block and one interval.
    seek_frames: usize,
    key: f32,
    /// The tempo input is consumed at.
    tempo: f64,
    /// The tempo the ears hear (and the clock follows): `tempo`, once a change has played
    /// through the output latency.
    heard_tempo: f64,
    /// A tempo change on its way through the stretcher: output frames left, and the tempo.
    pending: Option<(usize, f64)>,
    engaged: bool,
    /// Fractional input frames owed to the next block.
    owed: f64,
    /// Input for `seek` and `process`.
    scratch: Vec<f32>,
    /// Input frames in `scratch` for the next `render`.
    input_frames: usize,
}

impl Shifter {
    /// Builds the stretcher for four channels at `sample_rate`, for blocks up to `max_block`
    /// output frames (allocates: control thread only).
    pub(crate) fn new(sample_rate: u32, max_block: usize) -> Self {
        let stretch = Stretch::preset_default(TRACK_CHANNELS as u32, sample_rate);
        let input_latency = stretch.input_latency();
        let output_latency = stretch.output_latency();
        // The default preset's block is twice its input latency, its interval a quarter block.
        let seek_frames = input_latency * 2 + input_latency / 2;
        let max_input = (max_block as f64 * MAX_TEMPO).ceil() as usize + 2;
        Shifter {
            stretch,
            input_latency,
            output_latency,
            seek_frames,
            key: 0.0,
            tempo: 1.0,
            heard_tempo: 1.0,
            pending: None,
            engaged: false,
            owed: 0.0,
            scratch: vec![0.0; seek_frames.max(max_input) * TRACK_CHANNELS],
            input_frames: 0,
        }
    }

    /// Frames of history priming needs at most (at the slowest tempo).
    pub(crate) fn history_needed(&self) -> usize {
        self.seek_frames - self.lookahead(MIN_TEMPO)
    }

    /// Input frames past the play position that priming reads at `tempo`.
    fn lookahead(&self, tempo: f64) -> usize {
        self.input_latency + (self.output_latency as f64 * tempo).round() as usize
    }

    /// Whether the music must go through the stretcher.
    pub(crate) fn wanted(&self) -> bool {
        self.key != 0.0 || self.tempo != 1.0
    }

    pub(crate) fn is_engaged(&self) -> bool {
        self.engaged
    }

    /// Song frames each output frame advances the position by (before varispeed).
    pub(crate) fn heard_tempo(&self) -> f64 {
        self.heard_tempo
    }

    /// Sets the key shift, effective within one stretcher block (about 30 ms).
    pub(crate) fn set_key(&mut self, semitones: f32) {
        self.key = semitones.clamp(MIN_KEY, MAX_KEY);
        self.stretch.set_transpose_factor_semitones(self.key, None);
    }

    /// Sets the tempo; what plays now changes at once, what is heard after the output
    /// latency.
    pub(crate) fn set_tempo(&mut self, tempo: f64) {
        let tempo = tempo.clamp(MIN_TEMPO, MAX_TEMPO);
        if tempo == self.tempo {
            return;
        }
        self.tempo = tempo;
        if self.engaged {
            if let Some((_, earlier)) = self.pending.take() {
                self.heard_tempo = earlier;
            }
            self.pending = Some((self.output_latency, tempo));
        } else {
            self.heard_tempo = tempo;
        }
    }

    /// Leaves the stretcher (after a seek or load; primed again on the next play if wanted).
    pub(crate) fn disengage(&mut self) {
        self.engaged = false;
        if let Some((_, tempo)) = self.pending.take() {
            self.heard_tempo = tempo;
        }
        self.owed = 0.0;
    }

    /// Input frames priming reads past the play position now.
    pub(crate) fn priming_lookahead(&self) -> usize {
        self.lookahead(self.tempo)
    }

    /// Input frames the next `frames` output frames consume.
    pub(crate) fn input_for(&self, frames: usize) -> usize {
        (self.owed + frames as f64 * self.tempo).floor() as usize
    }

    /// The buffers priming fills: the frames before the play position (from the history)
    /// and the [`Shifter::priming_lookahead`] frames from it on. Then call
    /// [`Shifter::prime`].
    pub(crate) fn priming_buffers(&mut self) -> (&mut [f32], &mut [f32]) {
        let ahead = self.priming_lookahead();
        let behind = self.seek_frames - ahead;
        self.scratch[..self.seek_frames * TRACK_CHANNELS].split_at_mut(behind * TRACK_CHANNELS)
    }

    /// Primes the stretcher with the filled priming buffers: its next output frame is the
    /// song at the play position.
    pub(crate) fn prime(&mut self) {
        self.stretch.reset();
        self.stretch.set_transpose_factor_semitones(self.key, None);
        self.stretch.seek(
            &self.scratch[..self.seek_frames * TRACK_CHANNELS],
            self.tempo,
        );
        self.engaged = true;
        self.heard_tempo = self.tempo;
        self.pending = None;
        self.owed = 0.0;
    }

    /// The buffer to fill with the input for the next `frames` output frames
    /// ([`Shifter::input_for`] of them); then call [`Shifter::render`] with as many frames.
    pub(crate) fn input_buffer(&mut self, frames: usize) -> &mut [f32] {
        let input = self.input_for(frames);
        self.owed += frames as f64 * self.tempo - input as f64;
        self.input_frames = input;
        &mut self.scratch[..input * TRACK_CHANNELS]
    }

    /// Renders `out` (four-channel frames) from the filled input buffer.
    pub(crate) fn render(&mut self, out: &mut [f32]) {
        let input = &self.scratch[..self.input_frames * TRACK_CHANNELS];
        self.stretch.process(input, &mut out[..]);
    }

    /// The tempo heard at the next output frame (call once per frame played).
    pub(crate) fn next_heard_tempo(&mut self) -> f64 {
        if let Some((left, tempo)) = self.pending.as_mut() {
            if *left == 0 {
                self.heard_tempo = *tempo;
                self.pending = None;
            } else {
                *left -= 1;
            }
        }
        self.heard_tempo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_gives_the_newest_frames_oldest_first() {
        let mut history = History::new(4);
        let frames: Vec<f32> = (0..6).flat_map(|i| [i as f32; 4]).collect();
        history.push(&frames);
        let mut out = vec![9.0; 3 * 4];
        history.newest(&mut out);
        assert_eq!(
            out.chunks(4).map(|f| f[0]).collect::<Vec<_>>(),
            [3.0, 4.0, 5.0]
        );
        let mut more = vec![9.0; 6 * 4];
        history.newest(&mut more);
        assert_eq!(
            more.chunks(4).map(|f| f[0]).collect::<Vec<_>>(),
            [0.0, 0.0, 2.0, 3.0, 4.0, 5.0],
            "silence before what it holds"
        );
    }
}
