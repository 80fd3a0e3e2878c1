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

/// Allocator calls on this thread while `f` runs, and the net allocations: Rust's (through the global
/// allocator) and C's and C++'s (through `malloc`, for the stretcher).
fn allocations(f: impl FnOnce()) -> (u64, i64) {
    let native_before = native::calls();
    let info = allocation_counter::measure(f);
    let native = native::calls() - native_before;
    (info.count_total + native, info.count_current)
}

/// `malloc` and its family, interposed for this test binary to count the calls on each
/// thread: the counter above sees only Rust's allocator, and Signalsmith Stretch is C++.
mod native {
    use std::cell::Cell;
    use std::ffi::c_void;

    thread_local! {
        static CALLS: Cell<u64> = const { Cell::new(0) };
    }

    /// `malloc`, `calloc`, `realloc`, `free` and aligned allocations on this thread so far.
    pub fn calls() -> u64 {
        CALLS.with(Cell::get)
    }

    fn count() {
        // During thread teardown the slot may be gone; those calls are not the audio thread's.
        let _ = CALLS.try_with(|calls| calls.set(calls.get() + 1));
    }

    unsafe extern "C" {
        fn __libc_malloc(size: usize) -> *mut c_void;
        fn __libc_calloc(count: usize, size: usize) -> *mut c_void;
        fn __libc_realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
        fn __libc_free(ptr: *mut c_void);
        fn __libc_memalign(align: usize, size: usize) -> *mut c_void;
    }

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        count();
        unsafe { __libc_malloc(size) }
    }

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn calloc(count_: usize, size: usize) -> *mut c_void {
        count();
        unsafe { __libc_calloc(count_, size) }
    }

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
        count();
        unsafe { __libc_realloc(ptr, size) }
    }

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn free(ptr: *mut c_void) {
        if !ptr.is_null() {
            count();
        }
        unsafe { __libc_free(ptr) }
    }

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memalign(align: usize, size: usize) -> *mut c_void {
        count();
        unsafe { __libc_memalign(align, size) }
    }

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut c_void {
        count();
        unsafe { __libc_memalign(align, size) }
    }

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn posix_memalign(
        out: *mut *mut c_void,
        align: usize,
        size: usize,
    ) -> i32 {
        count();
        let ptr = unsafe { __libc_memalign(align, size) };
        if ptr.is_null() {
            return 12; // ENOMEM
        }
        unsafe { *out = ptr };
        0
    }
}

#[test]
fn the_counter_sees_allocations_of_cpp_code() {
    // Building an engine builds the stretcher, in C++ (`new`, which calls `malloc`).
    let before = native::calls();
    let rust = allocation_counter::measure(|| drop(engine::new(EngineSettings::default())));
    let native = native::calls() - before;
    assert!(
        native > rust.count_total * 2,
        "malloc saw {native} calls, Rust's allocator {}",
        rust.count_total
    );
}

#[test]
fn the_counter_sees_allocations_and_frees() {
    // Rust's allocations reach `malloc` too, so each is counted by both counters.
    let (calls, net) = allocations(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert!(calls >= 1 && net == 0, "{calls} {net}");
    let spent = vec![1u8; 64];
    let (calls, net) = allocations(move || drop(std::hint::black_box(spent)));
    assert!(calls >= 1, "a free is a call");
    assert_eq!(net, -1, "a free of memory made elsewhere shows as -1");
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
    // Key and tempo engage the stretcher mid-song; seeks and late starts prime it again.
    rig.handle.set_key(3.0).unwrap();
    rig.run(1.0);
    rig.handle.set_tempo(0.85).unwrap();
    rig.run(1.0);
    rig.handle.set_key(-7.5).unwrap();
    rig.handle.set_tempo(1.2).unwrap();
    rig.run(1.0);
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
    rig.handle.set_key(0.0).unwrap();
    rig.handle.set_tempo(1.0).unwrap();
    rig.run(0.5);
    rig.handle
        .load(&SongSource::two_files(&acc, &orig))
        .unwrap();
    rig.handle.play().unwrap();
    rig.handle.seek(48_000 * 17).unwrap();
    rig.handle.set_key(2.0).unwrap(); // set before the first frame of the seek
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
