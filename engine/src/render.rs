//! Rendering a performance offline to a file (`ktv mix`): the real engine, driven by the
//! offline driver, with an optional recording of the singer as its microphone, into WAV
//! (32-bit float) or FLAC (16-bit).

use std::path::{Path, PathBuf};

pub use crate::audio_file::{OutputFormat, write_flac, write_wav};
use crate::bus::Bus;
use crate::driver::offline;
use crate::error::{EngineError, Result};
use crate::event::Event;
use crate::fx::VoiceEffects;
use crate::handle::{self, EngineSettings};
use crate::song::{SongSource, TrackMode};
use crate::source::stream::decode_to_end;

/// What was rendered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderReport {
    /// Frames written.
    pub frames: u64,
    /// The sample rate.
    pub sample_rate: u32,
}

/// What to render: how the song plays and who sings.
#[derive(Debug, Clone, PartialEq)]
pub struct Performance {
    /// The track mode.
    pub mode: TrackMode,
    /// A recording of the singer, played as the microphone from the song's first frame.
    pub mic: Option<PathBuf>,
    /// The voice effects.
    pub effects: VoiceEffects,
    /// The bus written: [`Bus::Room`] (what listeners hear) unless asked otherwise.
    pub bus: Bus,
    /// The key shift in semitones (−12..=12).
    pub key: f32,
    /// The tempo (0.8..=1.2).
    pub tempo: f64,
    /// The loudness (LUFS) to level the song to, or `None` to play it as it is.
    pub loudness_target: Option<f64>,
}

impl Default for Performance {
    fn default() -> Self {
        Performance {
            mode: TrackMode::Accompaniment,
            mic: None,
            effects: VoiceEffects::default(),
            bus: Bus::Room,
            key: 0.0,
            tempo: 1.0,
            loudness_target: None,
        }
    }
}

/// Plays `song` from start to end through the engine as `performance` says and writes the
/// chosen bus to `out`. `progress` gets the fraction done (when the length is known).
pub fn render_song(
    song: &SongSource,
    performance: &Performance,
    sample_rate: u32,
    out: &Path,
    mut progress: impl FnMut(f64),
) -> Result<RenderReport> {
    let format = OutputFormat::from_path(out).ok_or_else(|| EngineError::Write {
        path: out.to_owned(),
        reason: "the file name must end in .wav or .flac".into(),
    })?;
    let bus = performance.bus;
    let channels = bus.channels();
    let (mut handle, mut processor) = handle::new(EngineSettings {
        sample_rate,
        device_bus: bus,
        loudness_target: performance.loudness_target,
        ..EngineSettings::default()
    });
    let info = handle.load(song)?;
    handle.set_track_mode(performance.mode)?;
    handle.set_voice_effects(&performance.effects)?;
    handle.set_key(performance.key)?;
    handle.set_tempo(performance.tempo)?;
    let mut driver = offline::OfflineDriver::new(channels, 1024);
    if let Some(mic) = &performance.mic {
        let mut mono = Vec::new();
        decode_to_end(
            &SongSource::accompaniment_only(mic),
            sample_rate,
            |frames| {
                // A recording decodes as the accompaniment: its left and right, mixed down.
                mono.extend(frames.chunks_exact(4).map(|f| 0.5 * (f[0] + f[1])));
            },
        )?;
        driver.add_mic(handle.add_microphone()?, mono);
    }
    handle.play()?;
    // Output frames: the song's length at the chosen tempo.
    let expected = (info.duration_frames.unwrap_or(0) as f64 / performance.tempo) as u64;
    let mut samples: Vec<f32> = Vec::with_capacity((expected as usize).saturating_mul(channels));
    let mut error = None;
    let mut end = None;
    // Ten minutes past the expected end is a stall, not a song.
    let limit = expected + u64::from(sample_rate) * 600;
    driver.render_until(&mut processor, limit, |_, block, done| {
        samples.extend_from_slice(block);
        if expected > 0 && done % (u64::from(sample_rate) * 5) < 1024 {
            progress((done as f64 / expected as f64).min(1.0));
        }
        for event in handle.poll_events() {
            match event {
                Event::EndOfSong { frame } => end = Some(frame),
                Event::DecodeError(message) => error = Some(message),
                _ => {}
            }
        }
        end.is_some()
    });
    if let Some(reason) = error {
        return Err(EngineError::Decode {
            path: out.to_owned(),
            reason,
        });
    }
    // The last block runs past the end.
    let frames = end.unwrap_or(0).min((samples.len() / channels) as u64);
    samples.truncate(frames as usize * channels);
    progress(1.0);
    match format {
        OutputFormat::Wav => write_wav(out, &samples, channels, sample_rate)?,
        OutputFormat::Flac => write_flac(out, &samples, channels, sample_rate)?,
    }
    Ok(RenderReport {
        frames,
        sample_rate,
    })
}
