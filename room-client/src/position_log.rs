//! The engine's position clock sampled against the wall clock (`--position-log FILE`): one
//! line every 10 ms while a song plays, `wall_us position_us behind_us`: the wall clock's
//! microseconds since the Unix epoch, the song position heard at that instant, and how far
//! behind the singer this client means to play then (a listener's voice-path delay; 0 for the
//! singer). Processes
//! on one machine share the wall clock, so a singer's log and a listener's line up without
//! trusting either side's own idea of its error: what the end-to-end tests compare.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use engine::PositionClock;

use crate::Clocks;
use crate::time::frames_to_media;
use crate::{Error, Result};

/// How often the clock is sampled.
pub const EVERY: Duration = Duration::from_millis(10);

/// A running log; stops (and flushes) when dropped.
pub struct PositionLog {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl PositionLog {
    /// Starts logging `position` into `path` (created or truncated).
    pub fn start(
        path: &Path,
        position: Arc<PositionClock>,
        clocks: Clocks,
        behind: Arc<AtomicI64>,
    ) -> Result<PositionLog> {
        let file = File::create(path).map_err(|error| Error::File {
            path: path.to_owned(),
            error,
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("ktv-position-log".into())
            .spawn(move || {
                let mut out = BufWriter::new(file);
                let mut lines = 0u32;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EVERY);
                    let now = clocks.engine.now();
                    let reading = position.read();
                    if reading.frames_per_second <= 0.0 {
                        continue;
                    }
                    let position = frames_to_media(reading.position_at(now), reading.sample_rate);
                    let _ = writeln!(
                        out,
                        "{} {} {}",
                        clocks.to_wall_micros(now),
                        position.as_micros(),
                        behind.load(Ordering::Relaxed)
                    );
                    lines += 1;
                    if lines.is_multiple_of(100) {
                        let _ = out.flush();
                    }
                }
                let _ = out.flush();
            })
            .map_err(|e| Error::Internal(format!("cannot start the position log: {e}")))?;
        Ok(PositionLog {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for PositionLog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
