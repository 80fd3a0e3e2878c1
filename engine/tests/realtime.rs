//! The audio thread never allocates or frees: every block of the processor runs under an
//! allocation counter (this thread's allocations and frees) through every command, over more
//! than 30 s of audio, with both tracks and resampling.

mod common;

use std::time::{Duration, Instant};

use common::tone_file;
use engine::record::RecordTarget;
use engine::{
    Bus, EngineSettings, Event, HostTime, Level, MicInput, Preset, SongSource, TrackMode,
    VoiceEffects,
};

const RATE: u32 = 48_000;
const BLOCK: usize = 128;

/// Allocations and frees on this thread while `f` runs.
fn allocations(f: impl FnOnce()) -> (u64, i64) {
    let info = allocation_counter::measure(f);
    (info.count_total, info.count_current)
}

#[test]
fn the_counter_sees_allocations_and_frees() {
    let (allocated, _) = allocations(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(allocated, 1);
    let spent = vec![1u8; 64];
    let (allocated, net) = allocations(move || drop(std::hint::black_box(spent)));
    assert_eq!(
        (allocated, net),
        (0, -1),
        "a free of memory made elsewhere shows as -1"
    );
}

struct Rig {
    handle: engine::EngineHandle,
    processor: engine::Processor,
    buffer: Vec<f32>,
    frames: u64,
    blocks: u64,
    events: Vec<Event>,
    /// A microphone fed a tone before each block, as an input callback would.
    mic: Option<MicInput>,
}

impl Rig {
    /// Renders `seconds` of audio, every block under the counter; waits for the decoder
    /// between blocks (on this thread, outside the counter's view of `process`).
    fn run(&mut self, seconds: f64) {
        let blocks = (seconds * f64::from(RATE) / BLOCK as f64) as u64;
        for _ in 0..blocks {
            let at = HostTime::ZERO.plus_frames(self.frames, RATE);
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let processor = &mut self.processor;
                let mut ready = false;
                let (allocated, net) = allocations(|| ready = processor.is_ready_for(BLOCK, at));
                assert_eq!(
                    (allocated, net),
                    (0, 0),
                    "is_ready_for allocated or freed at block {}",
                    self.blocks
                );
                if ready || Instant::now() > deadline {
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            let now = self.now();
            if let Some(mic) = self.mic.as_mut() {
                let start = self.frames as usize;
                let voice: [f32; BLOCK] = std::array::from_fn(|i| {
                    0.3 * ((start + i) as f32 * 2.0 * std::f32::consts::PI * 220.0 / RATE as f32)
                        .sin()
                });
                let (allocated, net) = allocations(|| mic.push(&voice, now));
                assert_eq!(
                    (allocated, net),
                    (0, 0),
                    "pushing microphone input allocated"
                );
            }
            let (processor, buffer) = (&mut self.processor, &mut self.buffer);
            let (allocated, net) = allocations(|| processor.process(buffer, 2, at));
            assert_eq!(
                (allocated, net),
                (0, 0),
                "block {} at {:.3} s allocated {allocated} times (net {net})",
                self.blocks,
                self.frames as f64 / f64::from(RATE)
            );
            self.frames += BLOCK as u64;
            self.blocks += 1;
            // The control side drops spent songs and collects events, off the audio thread.
            self.events.extend(self.handle.poll_events());
        }
    }

    fn now(&self) -> HostTime {
        HostTime::ZERO.plus_frames(self.frames, RATE)
    }
}

#[test]
fn no_allocation_or_free_on_the_audio_thread_through_every_command() {
    let acc = tone_file("rt-acc.flac", 44_100, 20.0, 440.0, 440.0, 0.4);
    let orig = tone_file("rt-orig.mp3", 44_100, 20.0, 660.0, 660.0, 0.4);
    let second = tone_file("rt-second.ogg", 48_000, 6.0, 550.0, 550.0, 0.4);
    let (handle, processor) = engine::new(EngineSettings {
        sample_rate: RATE,
        ..EngineSettings::default()
    });
    let mut rig = Rig {
        handle,
        processor,
        buffer: vec![0.0; BLOCK * 2],
        frames: 0,
        blocks: 0,
        events: Vec::new(),
        mic: None,
    };
    rig.run(0.2); // idle, no song
    rig.handle
        .load(&SongSource::two_files(&acc, &orig))
        .unwrap();
    rig.run(0.5);
    rig.handle.play().unwrap();
    rig.run(9.0);
    rig.handle.set_track_mode(TrackMode::Original).unwrap();
    rig.run(2.0);
    rig.handle.seek(48_000 * 12).unwrap();
    rig.run(2.0);
    rig.handle.pause().unwrap();
    rig.run(1.0);
    rig.handle.play().unwrap();
    rig.handle.set_rate(1.004).unwrap();
    rig.run(2.0);
    rig.handle.set_rate(0.997).unwrap();
    rig.handle.set_track_mode(TrackMode::Accompaniment).unwrap();
    rig.run(2.0);
    let soon = rig.now().plus_frames(24_000, RATE);
    rig.handle.seek_at(48_000 * 2, soon).unwrap();
    rig.run(2.0);
    rig.handle.pause().unwrap();
    let soon = rig.now().plus_frames(4_000, RATE);
    rig.handle.play_at(soon).unwrap();
    rig.run(1.0);
    // A new song replaces the playing one: the old one goes back to be dropped.
    rig.handle
        .load(&SongSource::accompaniment_only(&second))
        .unwrap();
    rig.handle.play().unwrap();
    rig.run(3.0);
    rig.handle.stop().unwrap();
    rig.run(0.5);
    rig.handle
        .load(&SongSource::two_files(&acc, &orig))
        .unwrap();
    rig.handle.play().unwrap();
    rig.handle.seek(48_000 * 17).unwrap();
    rig.run(4.5); // plays to the end of the song
    rig.run(1.0); // and past it
    let seconds = rig.frames as f64 / f64::from(RATE);
    assert!(seconds >= 30.0, "{seconds} s");
    assert!(
        rig.events
            .iter()
            .any(|e| matches!(e, Event::EndOfSong { .. })),
        "{:?}",
        rig.events
    );
    assert!(rig.events.contains(&Event::Stopped));
    assert!(
        !rig.events
            .iter()
            .any(|e| matches!(e, Event::Underrun { .. } | Event::DecodeError(_))),
        "{:?}",
        rig.events
    );
}

#[test]
fn no_allocation_or_free_through_the_mixer_commands() {
    let acc = tone_file("rt2-acc.flac", 48_000, 20.0, 440.0, 440.0, 0.3);
    let vocal = tone_file("rt2-vocal.wav", 48_000, 20.0, 660.0, 660.0, 0.3);
    let (handle, processor) = engine::new(EngineSettings {
        sample_rate: RATE,
        loudness_target: Some(-20.0),
        ..EngineSettings::default()
    });
    let mut rig = Rig {
        handle,
        processor,
        buffer: vec![0.0; BLOCK * 2],
        frames: 0,
        blocks: 0,
        events: Vec::new(),
        mic: None,
    };
    rig.mic = Some(rig.handle.add_microphone().unwrap());
    rig.run(0.5); // the voice alone
    rig.handle
        .load(&SongSource::two_files(&acc, &vocal).with_original(engine::Original::VocalOnly))
        .unwrap();
    rig.handle.play().unwrap();
    rig.run(2.0); // the loudness is measured meanwhile and applied through atomics
    rig.handle.set_track_mode(TrackMode::Guide).unwrap();
    rig.handle.set_level(Level::Music, 0.5).unwrap();
    rig.handle.set_level(Level::MonitorVoice, 1.5).unwrap();
    rig.handle.set_level(Level::Mic(0), 0.8).unwrap();
    rig.run(1.0);
    rig.handle.set_mute(Level::Bus(Bus::Room), true).unwrap();
    rig.handle.set_mute(Level::Voice, true).unwrap();
    rig.run(0.5);
    rig.handle.set_mute(Level::Bus(Bus::Room), false).unwrap();
    for preset in [
        Preset::Ktv,
        Preset::Hall,
        Preset::Room,
        Preset::Dry,
        Preset::Ktv,
    ] {
        rig.handle
            .set_voice_effects(&VoiceEffects::preset(preset))
            .unwrap();
        rig.run(0.5);
    }
    let tap = rig.handle.tap(Bus::DryVoice, 64).unwrap();
    rig.run(0.5);
    drop(tap); // closed: the writer goes back to be dropped
    rig.run(0.2);
    let dir = std::env::temp_dir().join(format!("ktv-rt-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let recording = rig
        .handle
        .record(&[
            RecordTarget {
                bus: Bus::Room,
                path: dir.join("room.wav"),
            },
            RecordTarget {
                bus: Bus::DryVoice,
                path: dir.join("dry.flac"),
            },
        ])
        .unwrap();
    rig.run(1.5);
    let report = recording.stop().unwrap();
    assert_eq!(report.lost_blocks, 0);
    assert!(report.files.iter().all(|(_, frames)| *frames > 48_000));
    rig.run(0.2);
    rig.handle.set_track_mode(TrackMode::Original).unwrap();
    rig.run(0.5);
    rig.mic = None; // unplugged: its stream goes back to be dropped
    rig.run(0.5);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        rig.events
            .iter()
            .any(|e| matches!(e, Event::LoudnessMeasured(_))),
        "{:?}",
        rig.events
    );
    assert!(
        !rig.events
            .iter()
            .any(|e| matches!(e, Event::Underrun { .. } | Event::DecodeError(_))),
        "{:?}",
        rig.events
    );
}
