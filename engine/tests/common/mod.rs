//! Test media made with Debian's ffmpeg (installed by `scripts/setup`; a missing tool fails the
//! test), the engine driven offline, and measurements on the rendered samples.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::Command;

use engine::driver::offline;
use engine::{EngineHandle, EngineSettings, Event, Processor, SongSource, TrackMode};

/// A folder for this test binary's media.
pub fn media_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ktv-engine-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs ffmpeg quietly; panics with its output if it fails or is missing.
pub fn ffmpeg(args: &[&str]) {
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ffmpeg ({e}); scripts/setup installs it"));
    assert!(
        output.status.success(),
        "ffmpeg {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The ffmpeg encoder arguments for a file extension.
pub fn codec_args(ext: &str) -> &'static [&'static str] {
    match ext {
        "mp3" => &["-c:a", "libmp3lame", "-b:a", "192k"],
        "m4a" => &["-c:a", "aac", "-b:a", "192k"],
        "flac" => &["-c:a", "flac"],
        "ogg" => &["-c:a", "libvorbis", "-q:a", "6"],
        "wav" => &["-c:a", "pcm_s16le"],
        other => panic!("no codec for {other}"),
    }
}

/// A stereo file of `secs` seconds: a sine of `left` Hz in the left channel and `right` Hz in
/// the right, each at amplitude `amplitude`.
pub fn tone_file(
    name: &str,
    rate: u32,
    secs: f64,
    left: f64,
    right: f64,
    amplitude: f64,
) -> PathBuf {
    let path = media_dir().join(name);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("wav");
    let source = format!(
        "aevalsrc={amplitude}*sin(2*PI*{left}*t)|{amplitude}*sin(2*PI*{right}*t):s={rate}:d={secs}"
    );
    let mut args = vec!["-f", "lavfi", "-i", source.as_str()];
    args.extend_from_slice(codec_args(ext));
    let out = path.to_str().unwrap();
    args.push(out);
    ffmpeg(&args);
    path
}

/// Writes a stereo 32-bit float WAV of the given interleaved samples.
pub fn wav_file(name: &str, rate: u32, samples: &[f32]) -> PathBuf {
    let path = media_dir().join(name);
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(&path, spec).unwrap();
    for &s in samples {
        writer.write_sample(s).unwrap();
    }
    writer.finalize().unwrap();
    path
}

/// An engine at `rate` with `song` loaded, and an offline driver of 128-frame blocks.
pub fn engine_with(song: &SongSource, rate: u32) -> (EngineHandle, Processor) {
    let (mut handle, processor) = engine::new(EngineSettings {
        sample_rate: rate,
        ..EngineSettings::default()
    });
    handle.load(song).unwrap();
    (handle, processor)
}

/// What playing a song to its end gave.
pub struct Played {
    /// Interleaved stereo output, cut at the song's end.
    pub samples: Vec<f32>,
    /// Every event seen.
    pub events: Vec<Event>,
}

impl Played {
    pub fn frames(&self) -> usize {
        self.samples.len() / 2
    }

    pub fn channel(&self, c: usize) -> Vec<f32> {
        self.samples.iter().skip(c).step_by(2).copied().collect()
    }
}

/// Plays `song` with `track` from its start to its end on the offline driver.
pub fn play_to_end(song: &SongSource, track: TrackMode, rate: u32) -> Played {
    let (mut handle, mut processor) = engine_with(song, rate);
    handle.set_track_mode(track).unwrap();
    handle.play().unwrap();
    let mut samples = Vec::new();
    let mut events = Vec::new();
    let mut end_at = None;
    let mut driver = offline::OfflineDriver::new(2, 128);
    driver.render_until(&mut processor, u64::from(rate) * 600, |_, block, _| {
        samples.extend_from_slice(block);
        for event in handle.poll_events() {
            if let Event::EndOfSong { frame } = event {
                end_at = Some(frame);
            }
            events.push(event);
        }
        end_at.is_some()
    });
    let Some(frames) = end_at else {
        panic!("the song never ended; events: {events:?}");
    };
    samples.truncate(frames as usize * 2);
    Played { samples, events }
}

/// Frequency of a steady tone, from the interval between its first and last upward zero
/// crossings (interpolated), skipping `skip` samples at each end.
pub fn frequency(samples: &[f32], rate: u32, skip: usize) -> f64 {
    let s = &samples[skip.min(samples.len())..samples.len().saturating_sub(skip)];
    let crossings: Vec<f64> = s
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] <= 0.0 && w[1] > 0.0)
        .map(|(i, w)| i as f64 + f64::from(-w[0] / (w[1] - w[0])))
        .collect();
    assert!(crossings.len() > 2, "no tone found");
    let span = crossings[crossings.len() - 1] - crossings[0];
    (crossings.len() - 1) as f64 * f64::from(rate) / span
}

/// Root-mean-square level, skipping `skip` samples at each end.
pub fn rms(samples: &[f32], skip: usize) -> f64 {
    let s = &samples[skip.min(samples.len())..samples.len().saturating_sub(skip)];
    (s.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / s.len().max(1) as f64).sqrt()
}

/// Removes a file if it exists.
pub fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}
