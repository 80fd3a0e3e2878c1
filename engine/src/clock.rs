//! The position clock: where the song is, and when that was true.
//!
//! The audio thread publishes, once per block, the song position (in frames at the engine's
//! sample rate) of the block's first frame together with the host time at which that frame
//! will be heard (the driver's playback timestamp, which includes the device's output latency
//! when the device reports one). Any thread reads the pair without locks and without tearing:
//! a sequence lock over atomics, where the writer never waits and a reader retries the rare
//! read that overlapped a write.

use std::sync::atomic::{AtomicU64, Ordering, fence};

use crate::time::HostTime;

/// One consistent reading of the position clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockReading {
    /// Song position of the frame heard at `host_time`, in frames at `sample_rate`
    /// (fractional while the playback rate is not 1).
    pub position: f64,
    /// When that frame is heard, on the engine's host clock.
    pub host_time: HostTime,
    /// Frames of song per second of host time at this moment: the sample rate times the
    /// playback rate; zero while paused or stopped.
    pub frames_per_second: f64,
    /// The engine's sample rate.
    pub sample_rate: u32,
    /// Bumped on every load and seek, so a reader can tell a jump from drift.
    pub epoch: u32,
}

impl ClockReading {
    /// The song position at another host time, extrapolated at the current speed.
    pub fn position_at(&self, host_time: HostTime) -> f64 {
        let dt = host_time.as_nanos() as f64 - self.host_time.as_nanos() as f64;
        self.position + dt * 1e-9 * self.frames_per_second
    }

    /// The song position in seconds.
    pub fn seconds(&self) -> f64 {
        self.position / f64::from(self.sample_rate.max(1))
    }
}

/// The shared slot the audio thread writes and everyone reads.
#[derive(Debug, Default)]
pub struct PositionClock {
    sequence: AtomicU64,
    position: AtomicU64,
    host_time: AtomicU64,
    frames_per_second: AtomicU64,
    rate_and_epoch: AtomicU64,
}

impl PositionClock {
    /// A clock reading zero at host time zero, stopped.
    pub fn new(sample_rate: u32) -> Self {
        let clock = PositionClock::default();
        clock.publish(&ClockReading {
            position: 0.0,
            host_time: HostTime::ZERO,
            frames_per_second: 0.0,
            sample_rate,
            epoch: 0,
        });
        clock
    }

    /// Publishes a reading. Called by one writer only (the audio thread): wait-free.
    pub fn publish(&self, reading: &ClockReading) {
        let sequence = self.sequence.load(Ordering::Relaxed);
        // Odd: a write is in progress.
        self.sequence
            .store(sequence.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        self.position
            .store(reading.position.to_bits(), Ordering::Relaxed);
        self.host_time
            .store(reading.host_time.as_nanos(), Ordering::Relaxed);
        self.frames_per_second
            .store(reading.frames_per_second.to_bits(), Ordering::Relaxed);
        self.rate_and_epoch.store(
            u64::from(reading.sample_rate) << 32 | u64::from(reading.epoch),
            Ordering::Relaxed,
        );
        self.sequence
            .store(sequence.wrapping_add(2), Ordering::Release);
    }

    /// The latest reading. Lock-free: retries while a write overlaps.
    pub fn read(&self) -> ClockReading {
        loop {
            let before = self.sequence.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let position = f64::from_bits(self.position.load(Ordering::Relaxed));
            let host_time = HostTime::from_nanos(self.host_time.load(Ordering::Relaxed));
            let frames_per_second = f64::from_bits(self.frames_per_second.load(Ordering::Relaxed));
            let rate_and_epoch = self.rate_and_epoch.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if self.sequence.load(Ordering::Relaxed) == before {
                return ClockReading {
                    position,
                    host_time,
                    frames_per_second,
                    sample_rate: (rate_and_epoch >> 32) as u32,
                    epoch: rate_and_epoch as u32,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn extrapolates_at_the_current_speed() {
        let reading = ClockReading {
            position: 48_000.0,
            host_time: HostTime::from_nanos(2_000_000_000),
            frames_per_second: 48_000.0,
            sample_rate: 48_000,
            epoch: 1,
        };
        assert_eq!(
            reading.position_at(HostTime::from_nanos(2_500_000_000)),
            72_000.0
        );
        assert_eq!(reading.seconds(), 1.0);
    }

    #[test]
    fn readers_never_see_a_torn_pair() {
        // The writer keeps position == host_time (in ns); a torn read would break that.
        let clock = Arc::new(PositionClock::new(48_000));
        let writer = {
            let clock = Arc::clone(&clock);
            std::thread::spawn(move || {
                for i in 1..=200_000u64 {
                    clock.publish(&ClockReading {
                        position: i as f64,
                        host_time: HostTime::from_nanos(i),
                        frames_per_second: i as f64,
                        sample_rate: 48_000,
                        epoch: i as u32,
                    });
                }
            })
        };
        let mut reads = 0;
        while !writer.is_finished() || reads < 1000 {
            let r = clock.read();
            assert_eq!(r.position as u64, r.host_time.as_nanos());
            assert_eq!(r.frames_per_second as u64, r.host_time.as_nanos());
            assert_eq!(u64::from(r.epoch), r.host_time.as_nanos() & 0xFFFF_FFFF);
            reads += 1;
        }
        writer.join().unwrap();
        assert_eq!(clock.read().position, 200_000.0);
    }
}
