//! The offline driver: calls the same process callback with the same block sizes as a device
//! would, without a device.
//!
//! - [`OfflineDriver`] runs as fast as it can and deterministically: the host time of each block is
//!   the duration rendered so far, and before each block it waits until the decode threads
//!   have the frames it needs, so the same commands give the same samples every time, however
//!   fast the machine. Tests, benchmarks and `ktv mix` use it.
//! - [`PacedDriver`] runs on its own thread in real time on the host clock: a device-less
//!   real-time mode for headless singers and listeners.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::driver::Driver;
use crate::error::{EngineError, Result};
use crate::mic::MicInput;
use crate::processor::Processor;
use crate::time::{HostClock, HostTime};

/// The deterministic offline driver: renders on demand, as fast as it can. Its host time
/// starts at zero and counts the frames it has rendered, across calls.
pub struct OfflineDriver {
    channels: usize,
    block: usize,
    rendered: u64,
    buffer: Vec<f32>,
    /// Recordings played as microphones: each input, its samples, and how many were pushed.
    mics: Vec<(MicInput, Vec<f32>, usize)>,
}

impl OfflineDriver {
    /// A driver of `block`-frame blocks with `channels` channels.
    pub fn new(channels: usize, block: usize) -> Self {
        let (channels, block) = (channels.max(1), block.max(1));
        OfflineDriver {
            channels,
            block,
            rendered: 0,
            buffer: vec![0.0; block * channels],
            mics: Vec::new(),
        }
    }

    /// Plays `samples` (mono, at the engine rate) into `mic` from the next block on, in step
    /// with the output as a device's input would be: each block's samples are pushed just
    /// before the block, captured at the block's own host time (no input latency).
    pub fn add_mic(&mut self, mic: MicInput, samples: Vec<f32>) {
        self.mics.push((mic, samples, 0));
    }

    /// Frames rendered so far.
    pub fn rendered(&self) -> u64 {
        self.rendered
    }

    /// The host time of the next frame.
    pub fn now(&self, processor: &Processor) -> HostTime {
        HostTime::ZERO.plus_frames(self.rendered, processor.sample_rate())
    }

    /// Renders `frames` frames, calling `sink` with each block (interleaved).
    pub fn render(&mut self, processor: &mut Processor, frames: u64, mut sink: impl FnMut(&[f32])) {
        let end = self.rendered + frames;
        self.render_until(processor, frames, |_, block, done| {
            sink(block);
            done >= end
        });
    }

    /// Renders blocks until `until` says stop (it sees the processor, each block and the
    /// frames rendered so far) or `max_frames` more are rendered; returns the frames rendered.
    pub fn render_until(
        &mut self,
        processor: &mut Processor,
        max_frames: u64,
        mut until: impl FnMut(&mut Processor, &[f32], u64) -> bool,
    ) -> u64 {
        let rate = processor.sample_rate();
        let start = self.rendered;
        while self.rendered - start < max_frames {
            let n = (max_frames - (self.rendered - start)).min(self.block as u64) as usize;
            let out = &mut self.buffer[..n * self.channels];
            let at = HostTime::ZERO.plus_frames(self.rendered, rate);
            for (mic, samples, pushed) in &mut self.mics {
                let end = (*pushed + n).min(samples.len());
                mic.push(&samples[*pushed..end], at);
                *pushed = end;
            }
            wait_until_ready(processor, n, at);
            processor.process(out, self.channels, at);
            self.rendered += n as u64;
            if until(processor, out, self.rendered) {
                break;
            }
        }
        self.rendered - start
    }
}

/// How long [`OfflineDriver`] waits for a decode thread before playing what it has (an underrun, as
/// a device would): a stalled or failed decoder must not hang the render.
pub const DECODER_WAIT: Duration = Duration::from_secs(10);

/// Waits until the processor can render `frames` frames without an underrun.
fn wait_until_ready(processor: &mut Processor, frames: usize, at: HostTime) {
    let deadline = std::time::Instant::now() + DECODER_WAIT;
    while !processor.is_ready_for(frames, at) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Where a paced driver's rendered blocks go.
type Sink = Box<dyn FnMut(&[f32]) + Send>;

/// A started paced driver: its stop flag and its thread, which hands back the processor.
struct Running {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<(Processor, Sink)>,
}

/// The real-time offline driver: a thread that wakes once per block on the host clock.
pub struct PacedDriver {
    clock: HostClock,
    channels: usize,
    block: usize,
    sink: Option<Sink>,
    running: Option<Running>,
}

impl PacedDriver {
    /// A driver of `block`-frame blocks on `clock`, handing each rendered block to `sink`
    /// (which runs on the driver's thread: keep it real-time safe, e.g. push into a ring).
    pub fn new(
        clock: HostClock,
        channels: usize,
        block: usize,
        sink: impl FnMut(&[f32]) + Send + 'static,
    ) -> Self {
        PacedDriver {
            clock,
            channels: channels.max(1),
            block: block.max(1),
            sink: Some(Box::new(sink)),
            running: None,
        }
    }
}

impl Driver for PacedDriver {
    fn start(&mut self, mut processor: Processor) -> Result<()> {
        let Some(mut sink) = self.sink.take() else {
            return Err(EngineError::Device(
                "the paced driver is already running".into(),
            ));
        };
        let stop = Arc::new(AtomicBool::new(false));
        let (clock, channels, block) = (self.clock, self.channels, self.block);
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("ktv-paced-audio".into())
            .spawn(move || {
                let rate = processor.sample_rate();
                let mut buffer = vec![0.0; block * channels];
                let start = clock.now();
                let mut frames = 0u64;
                while !flag.load(Ordering::Relaxed) {
                    // Each block is due when the previous one has been heard.
                    let due = start.plus_frames(frames, rate);
                    let now = clock.now();
                    if due > now {
                        std::thread::sleep(Duration::from_nanos(due.nanos_since(now) as u64));
                    }
                    processor.process(&mut buffer, channels, due);
                    sink(&buffer);
                    frames += block as u64;
                }
                (processor, sink)
            })
            .map_err(|e| EngineError::Device(format!("cannot start the paced driver: {e}")))?;
        self.running = Some(Running { stop, thread });
        Ok(())
    }

    fn stop(&mut self) -> Option<Processor> {
        let Running { stop, thread } = self.running.take()?;
        stop.store(true, Ordering::Relaxed);
        let (processor, sink) = thread.join().ok()?;
        self.sink = Some(sink);
        Some(processor)
    }
}

impl Drop for PacedDriver {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}
