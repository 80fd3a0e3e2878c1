//! The cpal driver runs the processor from a device callback and gives it back on stop.
//! Here on ALSA's null device (CI has no sound card; JACK's dummy driver is tested with the
//! live part of the engine).

mod common;

use std::time::Duration;

use engine::driver::Driver;
use engine::driver::cpal::{CpalDriver, CpalSettings};
use engine::{HostClock, SongSource};

#[test]
fn alsa_null_device_calls_back_and_returns_the_processor() {
    assert!(
        CpalDriver::hosts().contains(&"ALSA"),
        "{:?}",
        CpalDriver::hosts()
    );
    let file = common::tone_file("cpal.wav", 48_000, 60.0, 440.0, 440.0, 0.3);
    let (mut handle, processor) =
        common::engine_with(&SongSource::accompaniment_only(&file), 48_000);
    handle.play().unwrap();
    let mut driver = CpalDriver::new(
        CpalSettings {
            host: Some("ALSA".into()),
            device: Some("null".into()),
            buffer_frames: None,
            input_device: None,
        },
        HostClock::start(),
    );
    driver.start(processor).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let processor = driver.stop().expect("the processor comes back");
    assert!(driver.callbacks() > 0);
    assert!(handle.clock().position > 0.0, "{:?}", handle.clock());
    assert_eq!(processor.sample_rate(), 48_000);

    let mut missing = CpalDriver::new(
        CpalSettings {
            host: Some("ALSA".into()),
            device: Some("no such device".into()),
            buffer_frames: None,
            input_device: None,
        },
        HostClock::start(),
    );
    let error = missing.start(processor).unwrap_err();
    assert!(
        error.to_string().contains("no output device matching"),
        "{error}"
    );
}
