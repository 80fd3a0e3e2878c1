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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use engine::PositionClock;

use crate::Clocks;
use crate::time::frames_to_media;
use crate::{Error, Result};

/// How often the clock is sampled.
pub const EVERY: Duration = Duration::from_millis(10);

/// How far behind the singer a client means to play, as the position log reads it.
///
/// A change that comes with a restart of the player takes effect at the restart's instant,
/// not when the follower decides it: until then the engine still plays where the old delay
/// put it, and a log that paired the new delay with the old position would show a listener
/// hundreds of milliseconds off that never was.
#[derive(Debug, Default)]
pub struct Behind {
    state: Mutex<BehindState>,
}

#[derive(Debug, Default, Clone, Copy)]
struct BehindState {
    /// The delay before `from`.
    before: sync::TimeDelta,
    /// The delay from `from` on.
    after: sync::TimeDelta,
    from: sync::HostTime,
}

impl BehindState {
    fn at(&self, t: sync::HostTime) -> sync::TimeDelta {
        if t >= self.from {
            self.after
        } else {
            self.before
        }
    }
}

impl Behind {
    /// The delay is `delay` from local instant `from` on (the player's last start, or
    /// `now` for a change the rate loop follows); `now` is the caller's present.
    pub fn set(&self, delay: sync::TimeDelta, from: sync::HostTime, now: sync::HostTime) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if from != state.from {
            state.before = state.at(now);
            state.from = from;
        }
        state.after = delay;
    }

    /// The delay in effect at local instant `t`.
    pub fn at(&self, t: sync::HostTime) -> sync::TimeDelta {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).at(t)
    }
}

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
        behind: Arc<Behind>,
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
                        behind.at(clocks.to_sync(now)).as_micros()
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

#[cfg(test)]
mod tests {
    use super::*;
    use sync::{HostTime, TimeDelta};

    fn ms(v: i64) -> TimeDelta {
        TimeDelta::from_millis(v)
    }
    fn at(v: i64) -> HostTime {
        HostTime::from_micros(v * 1000)
    }

    #[test]
    fn a_delay_that_comes_with_a_restart_counts_from_the_restart() {
        let behind = Behind::default();
        behind.set(ms(91), at(1_000), at(1_000));
        assert_eq!(behind.at(at(5_000)), ms(91));
        // At 5 s the follower jumps to 299 ms and restarts the player at 5.18 s.
        behind.set(ms(299), at(5_180), at(5_000));
        assert_eq!(
            behind.at(at(5_010)),
            ms(91),
            "the engine still plays the old place"
        );
        assert_eq!(behind.at(at(5_180)), ms(299));
        // Slewed changes after the restart count at once.
        behind.set(ms(295), at(5_180), at(6_000));
        assert_eq!(behind.at(at(6_000)), ms(295));
    }

    #[test]
    fn a_slewed_delay_counts_at_once() {
        let behind = Behind::default();
        behind.set(ms(100), at(0), at(0));
        behind.set(ms(110), at(20), at(20));
        assert_eq!(behind.at(at(20)), ms(110));
        assert_eq!(behind.at(at(19)), ms(100));
    }
}
