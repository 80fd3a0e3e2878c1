//! The mixer on the real engine, measured on its outputs: microphones reach every bus in the
//! same block, track modes split the original between monitor and room, levels ramp, mutes
//! silence, effects swap without clicks, and the recorder writes what the buses played.

mod common;

use common::{media_dir, rms, tone_file};
use engine::driver::offline::OfflineDriver;
use engine::record::RecordTarget;
use engine::{
    Bus, EngineSettings, Event, HostTime, Level, Original, Preset, SongSource, TrackMode,
    VoiceEffects,
};

const RATE: u32 = 48_000;

/// An engine whose device plays `bus`.
fn engine(bus: Bus) -> (engine::EngineHandle, engine::Processor) {
    engine::new(EngineSettings {
        sample_rate: RATE,
        device_bus: bus,
        ..EngineSettings::default()
    })
}

/// Renders `frames`, collecting every bus from each block.
fn render_buses(
    driver: &mut OfflineDriver,
    processor: &mut engine::Processor,
    frames: u64,
) -> [Vec<f32>; 4] {
    let mut buses: [Vec<f32>; 4] = Default::default();
    driver.render_until(processor, frames, |p, block, _| {
        let n = block.len() / p.device_bus().channels();
        for (bus, out) in Bus::ALL.iter().zip(buses.iter_mut()) {
            out.extend_from_slice(p.last_block(*bus, n));
        }
        false
    });
    buses
}

fn channel(samples: &[f32], channels: usize, c: usize) -> Vec<f32> {
    samples.iter().skip(c).step_by(channels).copied().collect()
}

/// Power of frequency `hz` in `samples` (Goertzel), relative to a full-scale sine.
fn tone_power(samples: &[f32], hz: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * hz / f64::from(RATE);
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + 2.0 * w.cos() * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2;
    power / (samples.len() as f64 * samples.len() as f64 / 4.0)
}

fn db(x: f64) -> f64 {
    10.0 * x.max(1e-30).log10()
}

#[test]
fn a_microphone_reaches_every_bus_in_the_same_block() {
    let (mut handle, mut processor) = engine(Bus::Monitor);
    let mut driver = OfflineDriver::new(2, 128);
    let mut voice = vec![0.0f32; 4_800];
    voice[1_000] = 0.5;
    driver.add_mic(handle.add_microphone().unwrap(), voice);
    let buses = render_buses(&mut driver, &mut processor, 4_800);
    let first = |samples: &[f32], channels: usize| {
        samples
            .chunks(channels)
            .position(|f| f.iter().any(|s| s.abs() > 0.25))
    };
    // Offline, the input is captured in the block it plays in: no frame of delay anywhere.
    assert_eq!(first(&buses[0], 2), Some(1_000), "monitor");
    assert_eq!(first(&buses[1], 2), Some(1_000), "room");
    assert_eq!(first(&buses[2], 1), Some(1_000), "dry voice");
    assert_eq!(first(&buses[3], 2), Some(1_000), "wet voice");
    // The capture times say the same.
    let latency = handle.poll_events().into_iter().find_map(|e| match e {
        Event::MonitorLatency { mic: 0, frames } => Some(frames),
        _ => None,
    });
    assert_eq!(latency, Some(0));
}

#[test]
fn the_latency_event_reports_capture_to_playback() {
    let (mut handle, mut processor) = engine(Bus::Monitor);
    let mut mic = handle.add_microphone().unwrap();
    let mut out = vec![0.0f32; 256];
    // Captured 5 ms before the block that plays it is heard.
    mic.push(&[0.1; 128], HostTime::from_nanos(10_000_000));
    processor.process(&mut out, 2, HostTime::from_nanos(15_000_000));
    let latency = handle.poll_events().into_iter().find_map(|e| match e {
        Event::MonitorLatency { frames, .. } => Some(frames),
        _ => None,
    });
    assert_eq!(latency, Some(240));
}

fn two_tone_vocal_song(name: &str) -> SongSource {
    // Accompaniment 440 Hz, a "vocal" of 660 Hz, each at 0.3.
    let accompaniment = tone_file(&format!("{name}-acc.flac"), RATE, 3.0, 440.0, 440.0, 0.3);
    let vocal = tone_file(&format!("{name}-vocal.flac"), RATE, 3.0, 660.0, 660.0, 0.3);
    SongSource::two_files(accompaniment, vocal).with_original(Original::VocalOnly)
}

#[test]
fn guide_mode_gives_the_vocal_to_the_singer_only() {
    let song = two_tone_vocal_song("guide");
    // (mode, vocal in the monitor, vocal in the room)
    for (mode, monitor_has, room_has) in [
        (TrackMode::Guide, true, false),
        (TrackMode::Original, true, true),
        (TrackMode::Accompaniment, false, false),
    ] {
        let (mut handle, mut processor) = engine(Bus::Monitor);
        handle.load(&song).unwrap();
        handle.set_track_mode(mode).unwrap();
        handle.play().unwrap();
        let mut driver = OfflineDriver::new(2, 128);
        let buses = render_buses(&mut driver, &mut processor, 96_000);
        for (bus, has) in [(0, monitor_has), (1, room_has)] {
            let left = channel(&buses[bus][48_000..], 2, 0);
            let vocal = db(tone_power(&left, 660.0));
            let accompaniment = db(tone_power(&left, 440.0));
            assert!(
                (accompaniment - db(0.09)).abs() < 0.5,
                "{mode:?} bus {bus}: accompaniment at {accompaniment:.1} dB"
            );
            if has {
                assert!(
                    (vocal - db(0.09)).abs() < 0.5,
                    "{mode:?} bus {bus}: {vocal:.1} dB"
                );
            } else {
                assert!(
                    vocal < db(0.09) - 60.0,
                    "{mode:?} bus {bus}: vocal leaks at {vocal:.1} dB"
                );
            }
        }
    }
}

#[test]
fn levels_ramp_and_a_muted_bus_is_silent() {
    let song = two_tone_vocal_song("levels");
    let (mut handle, mut processor) = engine(Bus::Monitor);
    handle.load(&song).unwrap();
    handle.play().unwrap();
    let mut driver = OfflineDriver::new(2, 128);
    let before = render_buses(&mut driver, &mut processor, 24_000);
    handle.set_level(Level::Music, 0.5).unwrap();
    handle.set_mute(Level::Bus(Bus::Room), true).unwrap();
    let after = render_buses(&mut driver, &mut processor, 24_000);
    let monitor_ratio = rms(&after[0][4_800..], 0) / rms(&before[0][4_800..], 0);
    assert!((monitor_ratio - 0.5).abs() < 0.01, "{monitor_ratio}");
    assert!(
        after[1][4_800..].iter().all(|&s| s == 0.0),
        "the room is muted"
    );
    // Neither change clicked: the largest step between frames stays a sine's.
    let steps = |s: &[f32]| {
        channel(s, 2, 0)
            .windows(2)
            .fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()))
    };
    let normal = steps(&before[0]);
    assert!(steps(&after[0][..9_600]) <= normal * 1.05);
    assert!(steps(&after[1][..9_600]) <= normal * 1.05);
    assert!(
        handle.set_level(Level::Music, 5.0).is_err(),
        "beyond +12 dB"
    );
    assert!(
        handle.set_level(Level::Mic(9), 1.0).is_err(),
        "no such microphone"
    );
}

#[test]
fn effects_swap_without_a_click() {
    let (mut handle, mut processor) = engine(Bus::WetVoice);
    let mut driver = OfflineDriver::new(2, 128);
    let voice: Vec<f32> = (0..96_000)
        .map(|n| 0.2 * (n as f32 * 2.0 * std::f32::consts::PI * 220.0 / RATE as f32).sin())
        .collect();
    driver.add_mic(handle.add_microphone().unwrap(), voice);
    let mut wet = Vec::new();
    for (i, preset) in [Preset::Dry, Preset::Ktv, Preset::Hall, Preset::Dry]
        .into_iter()
        .enumerate()
    {
        handle
            .set_voice_effects(&VoiceEffects::preset(preset))
            .unwrap();
        driver.render(&mut processor, 24_000, |b| wet.extend_from_slice(b));
        if i == 0 {
            continue;
        }
        // Spent chains come back to this thread.
        handle.poll_events();
    }
    let left = channel(&wet, 2, 0);
    let max_step = left
        .windows(2)
        .fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()));
    // A 220 Hz sine at 0.2 steps at most 0.0058 per frame; reverb and echo add a little.
    assert!(max_step < 0.02, "click of {max_step}");
    // The KTV preset audibly changed the voice (reverb and echo on top of the dry sine).
    let dry = rms(&left[12_000..24_000], 0);
    let ktv = rms(&left[36_000..48_000], 0);
    assert!((ktv / dry - 1.0).abs() > 0.05, "{dry} {ktv}");
}

#[test]
fn the_recorder_writes_what_the_buses_played() {
    let song = two_tone_vocal_song("record");
    let (mut handle, mut processor) = engine(Bus::Room);
    handle.load(&song).unwrap();
    handle.set_track_mode(TrackMode::Original).unwrap();
    let mut driver = OfflineDriver::new(2, 128);
    let voice: Vec<f32> = (0..48_000)
        .map(|n| ((n % 97) as f32 / 97.0 - 0.5) * 0.2)
        .collect();
    driver.add_mic(handle.add_microphone().unwrap(), voice.clone());
    handle.play().unwrap();
    let dir = media_dir();
    let (room_path, dry_path) = (dir.join("rec-room.wav"), dir.join("rec-dry.flac"));
    let recording = handle
        .record(&[
            RecordTarget {
                bus: Bus::Room,
                path: room_path.clone(),
            },
            RecordTarget {
                bus: Bus::DryVoice,
                path: dry_path.clone(),
            },
        ])
        .unwrap();
    let mut played = Vec::new();
    driver.render(&mut processor, 48_000, |b| played.extend_from_slice(b));
    let report = recording.stop().unwrap();
    assert_eq!(report.lost_blocks, 0);
    assert_eq!(report.files[0], (room_path.clone(), 48_000));

    let room: Vec<f32> = hound::WavReader::open(&room_path)
        .unwrap()
        .samples::<f32>()
        .map(|s| s.unwrap())
        .collect();
    assert_eq!(
        room, played,
        "the room file is the room bus, sample for sample"
    );

    let mut dry = Vec::new();
    engine::source::stream::decode_to_end(&SongSource::accompaniment_only(&dry_path), RATE, |f| {
        dry.extend(f.chunks(4).map(|f| f[0]))
    })
    .unwrap();
    assert_eq!(dry.len(), voice.len());
    let worst = dry
        .iter()
        .zip(&voice)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        worst < 1e-4,
        "the dry file is the microphone to 16 bits: {worst}"
    );
    assert!(
        handle
            .record(&[RecordTarget {
                bus: Bus::Room,
                path: dir.join("rec.mp3"),
            }])
            .is_err(),
        "an unsupported format fails at the start"
    );
}

#[test]
fn loudness_is_levelled_to_the_target() {
    // A 1 kHz sine at 0.05 in both channels, levelled to −20 LUFS.
    let quiet = tone_file("loud-quiet.flac", RATE, 6.0, 1_000.0, 1_000.0, 0.05);
    let measure = |samples: &[f32]| {
        let mut meter = ebur128::EbuR128::new(2, RATE, ebur128::Mode::I).unwrap();
        meter.add_frames_f32(samples).unwrap();
        meter.loudness_global().unwrap()
    };
    let settings = EngineSettings {
        sample_rate: RATE,
        device_bus: Bus::Room,
        loudness_target: Some(-20.0),
        ..EngineSettings::default()
    };

    // Unknown loudness: measured on a thread, then played levelled.
    let (mut handle, mut processor) = engine::new(settings);
    handle
        .load(&SongSource::accompaniment_only(&quiet))
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let measured = loop {
        let found = handle.poll_events().into_iter().find_map(|e| match e {
            Event::LoudnessMeasured(l) => Some(l),
            _ => None,
        });
        if let Some(found) = found {
            break found;
        }
        assert!(std::time::Instant::now() < deadline, "never measured");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    // −29 dBFS RMS per channel, two channels: −26 LUFS.
    assert!(
        (measured.accompaniment_lufs + 26.0).abs() < 0.5,
        "{measured:?}"
    );
    handle.play().unwrap();
    let mut out = Vec::new();
    OfflineDriver::new(2, 128).render(&mut processor, 4 * 48_000, |b| out.extend_from_slice(b));
    let level = measure(&out[2 * 48_000..]);
    assert!((level + 20.0).abs() < 0.3, "levelled to {level} LUFS");

    // Known loudness (a library's): levelled from the first frame.
    let (mut handle, mut processor) = engine::new(settings);
    handle
        .load(&SongSource::accompaniment_only(&quiet).with_loudness(measured))
        .unwrap();
    handle.play().unwrap();
    let mut out = Vec::new();
    OfflineDriver::new(2, 128).render(&mut processor, 48_000, |b| out.extend_from_slice(b));
    let level = measure(&out);
    assert!(
        (level + 20.0).abs() < 0.3,
        "levelled from the start: {level} LUFS"
    );
    assert!(
        handle
            .poll_events()
            .iter()
            .all(|e| !matches!(e, Event::LoudnessMeasured(_))),
        "not measured again"
    );
}
