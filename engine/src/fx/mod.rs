//! Voice effects: what turns the dry microphone into the wet voice.

/// The voice effects to build a chain from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoiceEffects {}

/// A built chain of voice effects (audio side).
pub(crate) struct VoiceChain {}

impl VoiceChain {
    /// Builds the chain for `effects` at `sample_rate` (allocates: control thread only).
    pub(crate) fn new(_effects: &VoiceEffects, _sample_rate: u32, _max_block: usize) -> Self {
        VoiceChain {}
    }

    /// Mono `input` to interleaved stereo `output` (twice as long).
    pub(crate) fn process(&mut self, input: &[f32], output: &mut [f32]) {
        for (o, &i) in output.chunks_exact_mut(2).zip(input) {
            o[0] = i;
            o[1] = i;
        }
    }
}
