//! A song never sits whole in memory: the peak heap while playing a 10-minute song is within
//! 1 MB of a 1-minute one. Counted over every thread by this binary's global allocator.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{ffmpeg, media_dir, play_to_end};
use engine::{SongSource, TrackMode};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts bytes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn song(minutes: u32) -> std::path::PathBuf {
    let path = media_dir().join(format!("long-{minutes}.mp3"));
    let source = format!(
        "sine=frequency=440:sample_rate=44100:duration={}",
        minutes * 60
    );
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &source,
        "-ac",
        "2",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "96k",
        path.to_str().unwrap(),
    ]);
    path
}

/// Peak heap above the level before loading, while playing `file` to its end. The rendered
/// samples are not kept (the helper keeps them, so measure its counterpart here).
fn peak_while_playing(file: &std::path::Path) -> usize {
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let (mut handle, mut processor) =
        common::engine_with(&SongSource::accompaniment_only(file), 48_000);
    let mut driver = engine::driver::offline::OfflineDriver::new(2, 1024);
    handle.play().unwrap();
    let mut ended = false;
    driver.render_until(&mut processor, 48_000 * 700, |_, _, _| {
        ended |= handle
            .poll_events()
            .iter()
            .any(|e| matches!(e, engine::Event::EndOfSong { .. }));
        ended
    });
    assert!(ended);
    PEAK.load(Ordering::Relaxed) - before
}

#[test]
fn peak_heap_does_not_grow_with_the_song() {
    let (short, long) = (song(1), song(10));
    let short_peak = peak_while_playing(&short);
    let long_peak = peak_while_playing(&long);
    println!("peak heap: 1-minute song {short_peak} B, 10-minute song {long_peak} B");
    assert!(
        long_peak.abs_diff(short_peak) < 1 << 20,
        "1 min: {short_peak} B, 10 min: {long_peak} B"
    );
    // A changed input that must fail the check: keeping the decoded song in memory.
    let kept = play_to_end(
        &SongSource::accompaniment_only(&short),
        TrackMode::Accompaniment,
        48_000,
    );
    assert!(
        kept.samples.len() * 4 > 1 << 20,
        "a whole song would break the 1 MB bound"
    );
}
