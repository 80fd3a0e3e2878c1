//! One audio stream of a song on the decode thread: its decoder, a resampler to the engine's
//! rate when the file's differs, and the frames ready to pack. A seek restarts the resampler
//! on a frame where both sample grids meet, so the output is the very samples playing
//! through would give.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use crate::error::{EngineError, Result};
use crate::source::decode::{Decoded, StreamDecoder};

/// Output frames for `frames` input frames from `from` Hz to `to` Hz.
pub(super) fn out_frames(frames: u64, from: u32, to: u32) -> u64 {
    (u128::from(frames) * u128::from(to)).div_ceil(u128::from(from)) as u64
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// One stream: decoder, optional resampler, and frames ready at the engine rate.
pub(super) struct Lane {
    pub(super) decoder: StreamDecoder,
    resampling: Option<Resampling>,
    /// Decoded stereo frames at the file's rate, not yet resampled.
    decoded: Vec<f32>,
    /// Stereo frames at the engine rate, ready to pack, from index `read`.
    ready: Vec<f32>,
    read: usize,
    /// The engine-rate song frame just after the last frame in `ready`.
    ready_end: i64,
    /// Resampler output frames still to drop (grid alignment and the resampler's delay).
    discard: u64,
    /// The engine-rate song frame after the stream's last, once the decoder has ended.
    pub(super) end_frame: Option<i64>,
    /// No more frames will be added to `ready`.
    pub(super) ended: bool,
    /// The decoder ended at this frame of that many (file rate): the file is cut short.
    pub(super) truncated: Option<(i64, u64)>,
}

struct Resampling {
    resampler: Fft<f32>,
    from: u32,
    to: u32,
    input: Vec<f32>,
    output: Vec<f32>,
}

impl Lane {
    pub(super) fn new(decoder: StreamDecoder, engine_rate: u32) -> Result<Lane> {
        let from = decoder.sample_rate();
        let resampling = if from == engine_rate {
            None
        } else {
            let resampler = Fft::<f32>::new(
                from as usize,
                engine_rate as usize,
                1024,
                2,
                FixedSync::Input,
            )
            .map_err(|e| EngineError::Decode {
                path: decoder.path().to_owned(),
                reason: format!("cannot resample {from} Hz to {engine_rate} Hz ({e})"),
            })?;
            Some(Resampling {
                input: vec![0.0; resampler.input_frames_max() * 2],
                output: vec![0.0; resampler.output_frames_max() * 2],
                resampler,
                from,
                to: engine_rate,
            })
        };
        Ok(Lane {
            decoder,
            resampling,
            decoded: Vec::new(),
            ready: Vec::new(),
            read: 0,
            ready_end: 0,
            discard: 0,
            end_frame: None,
            ended: false,
            truncated: None,
        })
    }

    pub(super) fn available(&self) -> usize {
        (self.ready.len() / 2).saturating_sub(self.read)
    }

    pub(super) fn finished(&self) -> bool {
        self.ended && self.available() == 0
    }

    /// The next ready stereo frame, or silence.
    pub(super) fn take(&mut self) -> [f32; 2] {
        if self.available() == 0 {
            return [0.0, 0.0];
        }
        let frame = [self.ready[self.read * 2], self.ready[self.read * 2 + 1]];
        self.read += 1;
        frame
    }

    /// Continues from engine-rate song frame `frame` (silence first if it is negative).
    pub(super) fn seek(&mut self, frame: i64) -> Result<()> {
        self.ready.clear();
        self.read = 0;
        self.decoded.clear();
        self.ended = false;
        self.end_frame = None;
        if frame < 0 {
            self.ready.resize(frame.unsigned_abs() as usize * 2, 0.0);
        }
        let target = frame.max(0) as u64;
        self.ready_end = target as i64;
        match self.resampling.as_mut() {
            None => {
                self.discard = 0;
                self.decoder.seek(target)
            }
            Some(r) => {
                let (from, to) = (u64::from(r.from), u64::from(r.to));
                // Restart on an input frame where both sample grids meet and the resampler's
                // chunks line up with a decode from the start, so a seek gives the very samples
                // playing through would have.
                let step_in = from / gcd(from, to);
                let chunk = r.resampler.input_frames_next() as u64;
                let grid = step_in / gcd(step_in, chunk) * chunk;
                let input = target * from / to / grid * grid;
                let output = input * to / from;
                r.resampler.reset();
                self.discard = r.resampler.output_delay() as u64 + (target - output);
                self.decoder.seek(input)
            }
        }
    }

    /// Decodes and resamples until `want` frames are ready or the stream ends.
    pub(super) fn fill(&mut self, want: usize) -> Result<()> {
        while !self.ended && self.available() < want {
            self.compact();
            let last = matches!(self.decoder.decode_next(&mut self.decoded)?, Decoded::End);
            if last
                && let Some(length) = self.decoder.length()
                && self.decoder.position() < length as i64
            {
                self.truncated = Some((self.decoder.position(), length));
            }
            self.feed(last);
            self.ended = last;
        }
        Ok(())
    }

    /// Moves decoded frames on to `ready`, through the resampler if there is one. At the
    /// decoder's end (`last`), flushes the resampler and cuts at the song's exact end.
    fn feed(&mut self, last: bool) {
        let Some(r) = self.resampling.as_mut() else {
            let frames = self.decoded.len() / 2;
            self.ready.extend_from_slice(&self.decoded);
            self.decoded.clear();
            self.ready_end += frames as i64;
            if last {
                self.end_frame = Some(self.decoder.position());
            }
            return;
        };
        while self.decoded.len() / 2 >= r.resampler.input_frames_next() {
            let produced = r.process(&mut self.decoded, None);
            Self::keep(
                r,
                produced,
                &mut self.discard,
                &mut self.ready,
                &mut self.ready_end,
            );
        }
        if !last {
            return;
        }
        let end = out_frames(self.decoder.position().max(0) as u64, r.from, r.to) as i64;
        self.end_frame = Some(end);
        // The partial last chunk, then silence until the resampler's tail is out.
        for _ in 0..64 {
            if self.ready_end >= end {
                break;
            }
            let have = self.decoded.len() / 2;
            let produced = r.process(&mut self.decoded, Some(have));
            Self::keep(
                r,
                produced,
                &mut self.discard,
                &mut self.ready,
                &mut self.ready_end,
            );
        }
        if self.ready_end > end {
            let extra = ((self.ready_end - end) as usize).min(self.available());
            self.ready.truncate(self.ready.len() - extra * 2);
            self.ready_end -= extra as i64;
        }
    }

    /// Appends the resampler's last `produced` output frames to `ready`, after the discard.
    fn keep(
        r: &Resampling,
        produced: usize,
        discard: &mut u64,
        ready: &mut Vec<f32>,
        ready_end: &mut i64,
    ) {
        let drop = (*discard).min(produced as u64) as usize;
        *discard -= drop as u64;
        ready.extend_from_slice(&r.output[drop * 2..produced * 2]);
        *ready_end += (produced - drop) as i64;
    }

    /// Drops frames already taken, now and then, so `ready` does not grow.
    fn compact(&mut self) {
        if self.read > 4096 {
            self.ready.drain(..self.read * 2);
            self.read = 0;
        }
    }
}

impl Resampling {
    /// Resamples the next input chunk from the front of `decoded` (`partial`: only that many
    /// frames are real, the rest silence). Returns the output frames produced.
    fn process(&mut self, decoded: &mut Vec<f32>, partial: Option<usize>) -> usize {
        let needed = self.resampler.input_frames_next();
        let take = partial.unwrap_or(needed).min(needed).min(decoded.len() / 2);
        self.input[..take * 2].copy_from_slice(&decoded[..take * 2]);
        decoded.drain(..take * 2);
        let indexing = rubato::Indexing {
            partial_len: (take < needed).then_some(take),
            ..Default::default()
        };
        let (in_frames, out_frames) = (self.input.len() / 2, self.output.len() / 2);
        match (
            InterleavedSlice::new(&self.input[..], 2, in_frames),
            InterleavedSlice::new_mut(&mut self.output[..], 2, out_frames),
        ) {
            (Ok(input), Ok(mut output)) => self
                .resampler
                .process_into_buffer(&input, &mut output, Some(&indexing))
                .map_or(0, |(_, produced)| produced),
            _ => 0,
        }
    }
}
