//! Loudness normalisation: every song plays at the same loudness, measured by EBU R128
//! (`ebur128`, integrated loudness) off the audio thread.
//!
//! A song's tracks are measured once, when it is first loaded (or earlier, by a library scan
//! that keeps the figures: [`crate::SongSource::with_loudness`]); the audio thread only reads
//! two gains, published through atomics, and ramps to them. A full-mix original is levelled on
//! its own, so switching between original and accompaniment keeps the loudness; a vocal-only
//! original takes the accompaniment's gain, so the balance its producer chose is kept.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{EngineError, Result};
pub use crate::song::SongLoudness;
use crate::song::{Original, SongSource};
use crate::source::stream::decode_to_end;

/// The most a quiet song is lifted, in dB (the output limiter catches its peaks).
pub const MAX_BOOST_DB: f64 = 12.0;

// The figures are part of what a song is (`song.rs`); what they mean for playback is here.
impl SongLoudness {
    /// The linear gains (accompaniment, original) that bring the song to `target_lufs`.
    pub fn gains(&self, target_lufs: f64, original: Original) -> (f32, f32) {
        let gain = |lufs: f64| -> f32 {
            if !lufs.is_finite() {
                return 1.0;
            }
            let db = (target_lufs - lufs).min(MAX_BOOST_DB);
            10f64.powf(db / 20.0) as f32
        };
        let accompaniment = gain(self.accompaniment_lufs);
        match original {
            Original::FullMix => (accompaniment, gain(self.original_lufs)),
            Original::VocalOnly => (accompaniment, accompaniment),
        }
    }
}

/// Measures a song's tracks, decoding it from start to end at `sample_rate` (seconds of
/// work for a long song: call it off the audio thread).
pub fn measure(song: &SongSource, sample_rate: u32) -> Result<SongLoudness> {
    let meter = || {
        ebur128::EbuR128::new(2, sample_rate, ebur128::Mode::I)
            .map_err(|e| EngineError::Device(format!("cannot build a loudness meter: {e}")))
    };
    let (mut accompaniment, mut original) = (meter()?, meter()?);
    let mut a = Vec::new();
    let mut o = Vec::new();
    let mut failed = None;
    decode_to_end(song, sample_rate, |frames| {
        a.clear();
        o.clear();
        for frame in frames.chunks_exact(4) {
            a.extend_from_slice(&frame[..2]);
            o.extend_from_slice(&frame[2..]);
        }
        if let Err(e) = accompaniment
            .add_frames_f32(&a)
            .and_then(|()| original.add_frames_f32(&o))
        {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(EngineError::Device(format!("loudness meter: {e}")));
    }
    let lufs = |meter: &ebur128::EbuR128| meter.loudness_global().unwrap_or(f64::NEG_INFINITY);
    Ok(SongLoudness {
        accompaniment_lufs: lufs(&accompaniment),
        original_lufs: lufs(&original),
    })
}

/// The two track gains the audio thread reads: f32 bits in atomics, written by whoever
/// measured the song.
#[derive(Debug)]
pub(crate) struct TrackGains {
    accompaniment: AtomicU32,
    original: AtomicU32,
}

impl TrackGains {
    pub(crate) fn new(accompaniment: f32, original: f32) -> Self {
        TrackGains {
            accompaniment: AtomicU32::new(accompaniment.to_bits()),
            original: AtomicU32::new(original.to_bits()),
        }
    }

    pub(crate) fn set(&self, accompaniment: f32, original: f32) {
        self.accompaniment
            .store(accompaniment.to_bits(), Ordering::Relaxed);
        self.original.store(original.to_bits(), Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> (f32, f32) {
        (
            f32::from_bits(self.accompaniment.load(Ordering::Relaxed)),
            f32::from_bits(self.original.load(Ordering::Relaxed)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gains_level_each_track_or_keep_a_vocal_balance() {
        let loudness = SongLoudness {
            accompaniment_lufs: -12.0,
            original_lufs: -20.0,
        };
        let (a, o) = loudness.gains(-18.0, Original::FullMix);
        assert!((20.0 * a.log10() + 6.0).abs() < 1e-4);
        assert!((20.0 * o.log10() - 2.0).abs() < 1e-4);
        let (a, o) = loudness.gains(-18.0, Original::VocalOnly);
        assert_eq!(a, o);
        let silent = SongLoudness {
            accompaniment_lufs: f64::NEG_INFINITY,
            original_lufs: -60.0,
        };
        let (a, o) = silent.gains(-18.0, Original::FullMix);
        assert_eq!(a, 1.0);
        assert!(
            (20.0 * o.log10() - MAX_BOOST_DB as f32).abs() < 1e-4,
            "boost capped"
        );
    }
}
