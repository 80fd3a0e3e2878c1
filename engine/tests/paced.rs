//! The paced offline driver plays in real time on the host clock, without a device.

mod common;

use std::time::{Duration, Instant};

use engine::driver::Driver;
use engine::driver::offline::PacedDriver;
use engine::{HostClock, SongSource};

#[test]
fn paced_driver_keeps_real_time() {
    let file = common::tone_file("paced.wav", 48_000, 10.0, 440.0, 440.0, 0.3);
    let (mut handle, processor) =
        common::engine_with(&SongSource::accompaniment_only(&file), 48_000);
    let clock = HostClock::start();
    let mut driver = PacedDriver::new(clock, 2, 128, |_| {});
    handle.play().unwrap();
    let started = Instant::now();
    driver.start(processor).unwrap();
    std::thread::sleep(Duration::from_millis(600));
    let reading = handle.clock();
    let now = clock.host_time(Instant::now());
    let elapsed = started.elapsed().as_secs_f64();
    // Where the song is now, by the clock, against the wall time since start.
    let position = reading.position_at(now) / 48_000.0;
    assert!(
        (position - elapsed).abs() < 0.05,
        "song at {position:.3} s after {elapsed:.3} s"
    );
    assert!(driver.stop().is_some());
}
