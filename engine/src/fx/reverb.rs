//! Reverb: `fundsp`'s 32-line feedback delay network, fed the voice on both inputs, wet only.
//! The presets are rooms a KTV singer knows: a small room, a concert hall, and the bright,
//! medium "KTV" room that karaoke boxes use.

use fundsp::audiounit::AudioUnit;
use fundsp::buffer::BufferArray;
use fundsp::prelude32::{U2, reverb_stereo};

/// A reverb's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReverbSettings {
    /// The room's size in metres (its delay lines scale with it).
    pub room_metres: f32,
    /// The decay time to −60 dB (RT60), in seconds.
    pub decay_seconds: f32,
    /// High-frequency damping, 0..1 (more is darker).
    pub damping: f32,
    /// The reverb's level relative to the voice.
    pub level: f32,
}

/// `fundsp` processes at most this many frames per call.
const FUNDSP_BLOCK: usize = 64;

/// The reverb.
pub(crate) struct Reverb {
    unit: Box<dyn AudioUnit>,
    level: f32,
    input: BufferArray<U2>,
    output: BufferArray<U2>,
}

impl Reverb {
    /// Builds the network and allocates its delay lines: control thread only.
    pub(crate) fn new(settings: &ReverbSettings, sample_rate: u32) -> Self {
        let mut unit: Box<dyn AudioUnit> = Box::new(reverb_stereo(
            settings.room_metres.clamp(1.0, 100.0),
            settings.decay_seconds.clamp(0.1, 20.0),
            settings.damping.clamp(0.0, 1.0),
        ));
        // The delay lines are sized for the rate here, not on the audio thread.
        unit.set_sample_rate(f64::from(sample_rate));
        unit.allocate();
        Reverb {
            unit,
            level: settings.level.max(0.0),
            input: BufferArray::new(),
            output: BufferArray::new(),
        }
    }

    /// Adds the reverb of mono `input` to interleaved stereo `output`.
    pub(crate) fn process(&mut self, input: &[f32], output: &mut [f32]) {
        for (input, output) in input
            .chunks(FUNDSP_BLOCK)
            .zip(output.chunks_mut(2 * FUNDSP_BLOCK))
        {
            let n = input.len();
            self.input.channel_f32_mut(0)[..n].copy_from_slice(input);
            self.input.channel_f32_mut(1)[..n].copy_from_slice(input);
            self.unit
                .process(n, &self.input.buffer_ref(), &mut self.output.buffer_mut());
            let level = self.level;
            let wet = self.output.buffer_ref();
            let (left, right) = (wet.channel_f32(0), wet.channel_f32(1));
            for (i, frame) in output.chunks_exact_mut(2).enumerate() {
                frame[0] += level * left[i];
                frame[1] += level * right[i];
            }
        }
    }
}
