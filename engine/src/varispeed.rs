//! Playing the song's frames at a rate a little off 1 (±0.5%), for sync's drift correction,
//! through rubato's asynchronous resampler on the audio thread.
//!
//! The decode thread has already converted the file's sample rate to the engine's; this stage
//! only changes speed. It produces fixed blocks of [`BLOCK`] output frames from however many
//! input frames the current ratio needs, with every buffer allocated up front. Its latency `L`
//! (output frame `j` after a reset carries input frame `j - L`) is measured once with an
//! impulse, so a seek can start decoding `L` frames early and drop `2L` output frames to land
//! on the exact sample.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Adjustable, Async, FixedAsync, PolynomialDegree, Resampler};

use crate::source::chunk::TRACK_CHANNELS;

/// Output frames per resampler call.
pub(crate) const BLOCK: usize = 64;

/// The speed range: ±0.5%.
pub(crate) const MAX_RELATIVE: f64 = 1.005;

/// The resampler and its preallocated buffers.
pub(crate) struct Varispeed {
    resampler: Async<f32>,
    input: Vec<f32>,
    output: Vec<f32>,
    latency: usize,
    rate: f64,
}

impl Varispeed {
    /// Builds the resampler and measures its latency (allocates: control thread only).
    pub(crate) fn new() -> Self {
        let mut varispeed = Varispeed {
            resampler: new_resampler(),
            input: Vec::new(),
            output: vec![0.0; BLOCK * TRACK_CHANNELS],
            latency: 0,
            rate: 1.0,
        };
        let max_in = varispeed.resampler.input_frames_max();
        varispeed.input = vec![0.0; max_in * TRACK_CHANNELS];
        varispeed.latency = varispeed.measure_latency();
        varispeed.reset();
        varispeed
    }

    /// Output frames between feeding an input frame and hearing it.
    pub(crate) fn latency(&self) -> usize {
        self.latency
    }

    /// The current speed (1 = normal).
    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    /// Forgets all history (after a seek or load). Real-time safe.
    pub(crate) fn reset(&mut self) {
        self.resampler.reset();
        self.rate = 1.0;
    }

    /// Sets the speed, ramped over the next block. `rate` must be within ±0.5%.
    pub(crate) fn set_rate(&mut self, rate: f64) {
        let rate = rate.clamp(1.0 / MAX_RELATIVE, MAX_RELATIVE);
        // Faster playback consumes more input per output frame: a smaller ratio.
        if self
            .resampler
            .set_resample_ratio_relative(1.0 / rate, true)
            .is_ok()
        {
            self.rate = rate;
        }
    }

    /// Input frames the next block needs.
    pub(crate) fn input_needed(&self) -> usize {
        self.resampler.input_frames_next()
    }

    /// The input buffer to fill with [`Varispeed::input_needed`] frames.
    pub(crate) fn input_mut(&mut self) -> &mut [f32] {
        &mut self.input
    }

    /// Resamples the first `valid` of the needed input frames (the rest count as silence)
    /// into one output block, returned interleaved.
    pub(crate) fn process(&mut self, valid: usize) -> &[f32] {
        let needed = self.resampler.input_frames_next();
        let partial = (valid < needed).then_some(valid);
        let indexing = rubato::Indexing {
            partial_len: partial,
            ..Default::default()
        };
        let frames_in = self.input.len() / TRACK_CHANNELS;
        let result = match (
            InterleavedSlice::new(&self.input[..], TRACK_CHANNELS, frames_in),
            InterleavedSlice::new_mut(&mut self.output[..], TRACK_CHANNELS, BLOCK),
        ) {
            (Ok(input), Ok(mut output)) => {
                self.resampler
                    .process_into_buffer(&input, &mut output, Some(&indexing))
            }
            _ => Err(rubato::ResampleError::InsufficientOutputBufferSize {
                expected: BLOCK,
                actual: 0,
            }),
        };
        if result.is_err() {
            // Cannot happen with these buffer sizes; play silence rather than garbage.
            self.output.fill(0.0);
        }
        &self.output
    }

    fn measure_latency(&mut self) -> usize {
        self.reset();
        let needed = self.input_needed();
        self.input.fill(0.0);
        self.input[0] = 1.0;
        let mut seen = 0;
        for _ in 0..4 {
            let out = self.process(needed);
            if let Some(peak) = out.chunks(TRACK_CHANNELS).position(|frame| frame[0] > 0.5) {
                return seen + peak;
            }
            seen += BLOCK;
            let needed = self.input_needed();
            self.input[..needed * TRACK_CHANNELS].fill(0.0);
        }
        0
    }
}

fn new_resampler() -> Async<f32> {
    // Cubic interpolation: inaudible at ±0.5%, a few frames of latency, cheap per block.
    match Async::<f32>::new_poly(
        1.0,
        MAX_RELATIVE * 1.001,
        PolynomialDegree::Cubic,
        BLOCK,
        TRACK_CHANNELS,
        FixedAsync::Output,
    ) {
        Ok(resampler) => resampler,
        // The parameters are constants that rubato accepts; this is a programming error.
        Err(error) => panic!("rubato rejected the varispeed parameters: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_is_a_few_frames_and_passes_samples_through_at_rate_one() {
        let mut v = Varispeed::new();
        let latency = v.latency();
        assert!(latency <= 4, "{latency}");
        // A ramp through at rate 1 comes out as the same ramp, `latency` frames later.
        let mut fed = 0usize;
        let mut out_frames = Vec::new();
        for _ in 0..4 {
            let needed = v.input_needed();
            for (i, frame) in v
                .input_mut()
                .chunks_mut(TRACK_CHANNELS)
                .take(needed)
                .enumerate()
            {
                frame.fill((fed + i) as f32);
            }
            fed += needed;
            out_frames.extend(v.process(needed).chunks(TRACK_CHANNELS).map(|f| f[0]));
        }
        for (j, &sample) in out_frames.iter().enumerate().skip(latency + 2) {
            assert!(
                (sample - (j - latency) as f32).abs() < 1e-3,
                "frame {j}: {sample}"
            );
        }
    }

    #[test]
    fn a_faster_rate_consumes_more_input() {
        let mut v = Varispeed::new();
        v.set_rate(1.005);
        let mut consumed = 0;
        for _ in 0..100 {
            let needed = v.input_needed();
            consumed += needed;
            v.process(needed);
        }
        let ratio = consumed as f64 / (100 * BLOCK) as f64;
        assert!((ratio - 1.005).abs() < 0.002, "{ratio}");
    }
}
