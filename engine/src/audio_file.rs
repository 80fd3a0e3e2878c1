//! The audio files the engine writes, offline renders and recordings alike: WAV (32-bit
//! float) and FLAC (16-bit, dithered), chosen by the file's extension.

use std::path::Path;

use crate::error::{EngineError, Result};

/// The file formats the engine writes (a render, a recording), chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// WAV, 32-bit float.
    Wav,
    /// FLAC, 16-bit.
    Flac,
}

impl OutputFormat {
    /// The format for a file name (`.wav`, `.flac`).
    pub fn from_path(path: &Path) -> Option<OutputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "wav" => Some(OutputFormat::Wav),
            "flac" => Some(OutputFormat::Flac),
            _ => None,
        }
    }
}

fn write_error(path: &Path, reason: impl ToString) -> EngineError {
    EngineError::Write {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// Writes interleaved samples as 32-bit float WAV.
pub fn write_wav(path: &Path, samples: &[f32], channels: usize, sample_rate: u32) -> Result<()> {
    let spec = hound::WavSpec {
        channels: channels as u16,
        sample_rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(|e| write_error(path, e))?;
    for &sample in samples {
        writer
            .write_sample(sample)
            .map_err(|e| write_error(path, e))?;
    }
    writer.finalize().map_err(|e| write_error(path, e))
}

/// Writes interleaved samples as 16-bit FLAC, with triangular dither (reproducible: the same
/// samples give the same file).
///
/// 16 bits, not 24: flacenc 0.5.1 builds frames of gigabytes from ordinary 24-bit music (its
/// bit count overflows), and its 24-bit mono files do not decode. 16 bits with dither keep a
/// 96 dB range, beyond any microphone in a room.
pub fn write_flac(path: &Path, samples: &[f32], channels: usize, sample_rate: u32) -> Result<()> {
    use flacenc::component::BitRepr;
    use flacenc::error::Verify;

    const SCALE: f32 = 32_767.0;
    // A fixed linear congruential generator: two uniform values per sample make a triangular
    // dither of ±1 LSB.
    let mut state: u32 = 0x2545_f491;
    let mut uniform = move || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 8) as f32 / (1u32 << 24) as f32
    };
    let ints: Vec<i32> = samples
        .iter()
        .map(|&s| {
            let dither = uniform() - uniform();
            (s.clamp(-1.0, 1.0) * SCALE + dither)
                .round()
                .clamp(-SCALE - 1.0, SCALE) as i32
        })
        .collect();
    let config = flacenc::config::Encoder::default()
        .into_verified()
        .map_err(|(_, e)| write_error(path, format!("{e:?}")))?;
    let source =
        flacenc::source::MemSource::from_samples(&ints, channels, 16, sample_rate as usize);
    let stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
        .map_err(|e| write_error(path, format!("{e:?}")))?;
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream
        .write(&mut sink)
        .map_err(|e| write_error(path, format!("{e:?}")))?;
    let mut bytes = sink.as_slice().to_vec();
    // STREAMINFO (right after "fLaC" and the 4-byte block header) starts with the minimum and
    // maximum block sizes. For a fixed-block-size stream the minimum excludes the short last
    // block, but flacenc writes that block's size there, and symphonia then reads the stream
    // as variable-block-size and fails. Setting the minimum to the fixed size is what the
    // format says it is.
    if bytes.len() > 12 && &bytes[..4] == b"fLaC" {
        let (max_hi, max_lo) = (bytes[10], bytes[11]);
        bytes[8] = max_hi;
        bytes[9] = max_lo;
    }
    std::fs::write(path, &bytes).map_err(|e| write_error(path, e))
}
