//! The offline driver: calls the same process callback with the same block sizes as a device
//! would, without a device.
//!
//! - [`render`] runs as fast as it can and deterministically: the host time of each block is
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
use crate::processor::Processor;
use crate::time::{HostClock, HostTime};

/// Renders `frames` frames in blocks of `block` frames, calling `sink` with each block
/// (interleaved, `channels` per frame). Host time starts at zero and counts rendered frames.
pub fn render(
    processor: &mut Processor,
    channels: usize,
    frames: u64,
    block: usize,
    mut sink: impl FnMut(&[f32]),
) {
    let rate = processor.sample_rate();
    let mut buffer = vec![0.0; block.max(1) * channels.max(1)];
    let mut done = 0u64;
    while done < frames {
        let n = (frames - done).min(block as u64) as usize;
        let out = &mut buffer[..n * channels];
        wait_until_ready(processor, n);
        processor.process(out, channels, HostTime::ZERO.plus_frames(done, rate));
        sink(out);
        done += n as u64;
    }
}

/// Renders blocks until `until` says stop (it sees each block and the frames so far) or
/// `max_frames` is reached; returns the frames rendered.
pub fn render_until(
    processor: &mut Processor,
    channels: usize,
    max_frames: u64,
    block: usize,
    mut until: impl FnMut(&mut Processor, &[f32], u64) -> bool,
) -> u64 {
    let rate = processor.sample_rate();
    let mut buffer = vec![0.0; block.max(1) * channels.max(1)];
    let mut done = 0u64;
    while done < max_frames {
        let n = (max_frames - done).min(block as u64) as usize;
        let out = &mut buffer[..n * channels];
        wait_until_ready(processor, n);
        processor.process(out, channels, HostTime::ZERO.plus_frames(done, rate));
        done += n as u64;
        if until(processor, out, done) {
            break;
        }
    }
    done
}

/// How long [`render`] waits for a decode thread before playing what it has (an underrun, as
/// a device would): a stalled or failed decoder must not hang the render.
pub const DECODER_WAIT: Duration = Duration::from_secs(10);

/// Waits until the processor can render `frames` frames without an underrun.
fn wait_until_ready(processor: &mut Processor, frames: usize) {
    let deadline = std::time::Instant::now() + DECODER_WAIT;
    while !processor.is_ready_for(frames) && std::time::Instant::now() < deadline {
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
