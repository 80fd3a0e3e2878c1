//! Recording while singing: buses to WAV or FLAC files on a writer thread.
//!
//! The audio thread only feeds taps; a writer thread drains them every few milliseconds and
//! streams 32-bit float WAV to disk as it goes, so a crash loses at most the last moments. A
//! FLAC recording is streamed to a WAV beside it and encoded when the recording
//! stops (16-bit, see [`write_flac`]). Each file starts with the first block after the recording started.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::audio_file::{OutputFormat, write_flac};
use crate::bus::Bus;
use crate::error::{EngineError, Result};
use crate::tap::BusTap;

/// Blocks a recording tap holds: 2048 × 256 frames ≈ 11 s at 48 kHz, so a slow disk can
/// stall the writer for seconds without losing audio.
pub const RECORD_TAP_BLOCKS: usize = 2048;

/// How often the writer thread drains its taps.
const WRITER_PERIOD: Duration = Duration::from_millis(10);

/// One file of a recording: which bus goes where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordTarget {
    /// The bus.
    pub bus: Bus,
    /// The file (`.wav` or `.flac`).
    pub path: PathBuf,
}

/// What a finished recording wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordReport {
    /// Each file and the frames in it.
    pub files: Vec<(PathBuf, u64)>,
    /// Blocks lost because the writer fell behind (0 unless the disk stalled for seconds).
    pub lost_blocks: u64,
}

/// A recording in progress. [`Recording::stop`] finishes the files; dropping it stops too,
/// without the report.
pub struct Recording {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<RecordReport>>>,
}

/// A file being written.
struct Track {
    tap: BusTap,
    format: OutputFormat,
    /// Where the samples go now (a `.wav` beside the target for FLAC).
    streaming: PathBuf,
    target: PathBuf,
    writer: hound::WavWriter<std::io::BufWriter<std::fs::File>>,
    frames: u64,
}

impl Recording {
    /// Starts writing `taps` (opened by the handle, one per target) on a writer thread. The
    /// files are created here, so a bad path fails now, not later.
    pub(crate) fn start(
        targets: &[RecordTarget],
        taps: Vec<BusTap>,
        sample_rate: u32,
    ) -> Result<Recording> {
        let mut tracks = Vec::new();
        for (target, tap) in targets.iter().zip(taps) {
            let format = OutputFormat::from_path(&target.path).ok_or_else(|| {
                write_error(&target.path, "the file name must end in .wav or .flac")
            })?;
            let streaming = match format {
                OutputFormat::Wav => target.path.clone(),
                OutputFormat::Flac => target.path.with_extension("recording.wav"),
            };
            let spec = hound::WavSpec {
                channels: target.bus.channels() as u16,
                sample_rate,
                bits_per_sample: 32,
                sample_format: hound::SampleFormat::Float,
            };
            let writer = hound::WavWriter::create(&streaming, spec)
                .map_err(|e| write_error(&streaming, e))?;
            tracks.push(Track {
                tap,
                format,
                streaming,
                target: target.path.clone(),
                writer,
                frames: 0,
            });
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("ktv-recorder".into())
            .spawn(move || write_until_stopped(tracks, &flag, sample_rate))
            .map_err(|e| EngineError::Device(format!("cannot start the recorder: {e}")))?;
        Ok(Recording {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops: writes what the taps still hold, finishes the files and reports them.
    pub fn stop(mut self) -> Result<RecordReport> {
        self.finish()
    }

    fn finish(&mut self) -> Result<RecordReport> {
        self.stop.store(true, Ordering::Relaxed);
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| EngineError::Device("the recorder thread panicked".into()))?,
            None => Ok(RecordReport {
                files: Vec::new(),
                lost_blocks: 0,
            }),
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

fn write_error(path: &Path, reason: impl ToString) -> EngineError {
    EngineError::Write {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

fn write_until_stopped(
    mut tracks: Vec<Track>,
    stop: &AtomicBool,
    sample_rate: u32,
) -> Result<RecordReport> {
    loop {
        // Read the flag first: after it is seen, one more drain takes everything that was
        // played before stop() was called.
        let stopping = stop.load(Ordering::Relaxed);
        for track in &mut tracks {
            while let Some(block) = track.tap.pop() {
                for &sample in block.samples() {
                    track
                        .writer
                        .write_sample(sample)
                        .map_err(|e| write_error(&track.streaming, e))?;
                }
                track.frames += block.frames() as u64;
            }
        }
        if stopping {
            break;
        }
        std::thread::sleep(WRITER_PERIOD);
    }
    let mut report = RecordReport {
        files: Vec::new(),
        lost_blocks: 0,
    };
    for track in tracks {
        report.lost_blocks += track.tap.lost_blocks();
        let channels = track.tap.bus().channels();
        track
            .writer
            .finalize()
            .map_err(|e| write_error(&track.streaming, e))?;
        if track.format == OutputFormat::Flac {
            let samples = read_wav(&track.streaming)?;
            write_flac(&track.target, &samples, channels, sample_rate)?;
            std::fs::remove_file(&track.streaming).map_err(|e| write_error(&track.streaming, e))?;
        }
        report.files.push((track.target, track.frames));
    }
    Ok(report)
}

fn read_wav(path: &Path) -> Result<Vec<f32>> {
    let mut reader = hound::WavReader::open(path).map_err(|e| write_error(path, e))?;
    reader
        .samples::<f32>()
        .collect::<std::result::Result<Vec<f32>, _>>()
        .map_err(|e| write_error(path, e))
}
