//! Bad files give clear errors or events naming the file, play silence instead of garbage,
//! and never panic or stall the callback.

mod common;

use common::{ffmpeg, media_dir, play_to_end, tone_file};
use engine::driver::offline::OfflineDriver;
use engine::{EngineError, EngineSettings, Event, SongSource, TrackMode};

const RATE: u32 = 48_000;

fn load_error(path: &std::path::Path) -> EngineError {
    let (mut handle, _processor) = engine::new(EngineSettings::default());
    handle
        .load(&SongSource::accompaniment_only(path))
        .unwrap_err()
}

#[test]
fn missing_garbage_and_unknown_codecs_are_refused_by_name() {
    let missing = media_dir().join("nope.mp3");
    let error = load_error(&missing);
    assert!(matches!(error, EngineError::Io { .. }), "{error}");
    assert!(error.to_string().contains("nope.mp3"), "{error}");

    let garbage = media_dir().join("garbage.mp3");
    std::fs::write(
        &garbage,
        b"this is not audio at all, just some text that ends early",
    )
    .unwrap();
    let error = load_error(&garbage);
    assert!(matches!(error, EngineError::Decode { .. }), "{error}");
    assert!(error.to_string().contains("garbage.mp3"), "{error}");

    // Opus has no decoder in the engine's symphonia build.
    let wav = tone_file("opus-src.wav", RATE, 1.0, 440.0, 440.0, 0.3);
    let opus = media_dir().join("song.opus");
    ffmpeg(&[
        "-i",
        wav.to_str().unwrap(),
        "-c:a",
        "libopus",
        opus.to_str().unwrap(),
    ]);
    let error = load_error(&opus);
    assert!(error.to_string().contains("song.opus"), "{error}");
}

#[test]
fn a_truncated_file_plays_what_it_has_then_reports_and_ends() {
    let file = tone_file("truncated.mp3", 44_100, 6.0, 440.0, 440.0, 0.4);
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let played = play_to_end(
        &SongSource::accompaniment_only(&file),
        TrackMode::Accompaniment,
        RATE,
    );
    let seconds = played.frames() as f64 / f64::from(RATE);
    assert!((2.5..3.5).contains(&seconds), "{seconds} s");
    let report = played
        .events
        .iter()
        .find_map(|e| match e {
            Event::DecodeError(message) => Some(message.clone()),
            _ => None,
        })
        .expect("an error event");
    assert!(
        report.contains("truncated.mp3") && report.contains("truncated"),
        "{report}"
    );
    // What played is the tone, not garbage.
    let left = played.channel(0);
    assert!(left.iter().all(|s| s.abs() <= 0.45));
}

/// MP3 has no timestamps: frames lost to corruption cannot be told from frames never there, so
/// the track is shorter by at most the corrupted span (3,000 bytes at 192 kb/s ≈ 125 ms, plus
/// the frame the damage starts in). Containers with timestamps (MP4, Ogg, Matroska, FLAC)
/// fill the gap with silence instead.
#[test]
fn corrupt_bytes_inside_play_through_without_garbage() {
    let file = tone_file("corrupt.mp3", 44_100, 5.0, 440.0, 440.0, 0.4);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    for (i, b) in bytes[middle..middle + 3_000].iter_mut().enumerate() {
        *b = (i * 7919 % 251) as u8;
    }
    std::fs::write(&file, &bytes).unwrap();
    let played = play_to_end(
        &SongSource::accompaniment_only(&file),
        TrackMode::Accompaniment,
        RATE,
    );
    let error_ms = (played.frames() as f64 - 5.0 * f64::from(RATE)) * 1000.0 / f64::from(RATE);
    assert!(
        (-155.0..=1.0).contains(&error_ms),
        "length off by {error_ms} ms"
    );
    assert!(
        played
            .channel(0)
            .iter()
            .all(|s| s.is_finite() && s.abs() <= 1.0)
    );
}

#[test]
fn a_file_cut_while_playing_reports_and_never_stalls_the_callback() {
    let acc = tone_file("cut-acc.wav", RATE, 8.0, 440.0, 440.0, 0.4);
    let orig = tone_file("cut-orig.wav", RATE, 8.0, 660.0, 660.0, 0.4);
    let (mut handle, mut processor) =
        common::engine_with(&SongSource::two_files(&acc, &orig), RATE);
    let mut driver = OfflineDriver::new(2, 128);
    handle.play().unwrap();
    driver.render(&mut processor, 48_000, |_| {});
    // The accompaniment vanishes under the player: cut to its first two seconds.
    let bytes = std::fs::read(&acc).unwrap();
    std::fs::write(&acc, &bytes[..44 + 2 * RATE as usize * 4]).unwrap();
    let mut events = Vec::new();
    let mut out = Vec::new();
    driver.render_until(&mut processor, 10 * u64::from(RATE), |_, block, _| {
        out.extend_from_slice(block);
        events.extend(handle.poll_events());
        events.iter().any(|e| matches!(e, Event::EndOfSong { .. }))
    });
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::DecodeError(m) if m.contains("cut-acc.wav"))),
        "{events:?}"
    );
    // The song still ends at the original's end; the original keeps playing meanwhile.
    assert!(
        events.contains(&Event::EndOfSong {
            frame: 8 * u64::from(RATE)
        }),
        "{events:?}"
    );
    assert!(out.iter().all(|s| s.is_finite()));
}
