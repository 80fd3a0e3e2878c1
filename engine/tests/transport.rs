//! The transport, on files whose every frame is distinct: seeks land on the exact sample,
//! scheduled starts begin on the exact frame, pause holds, rate changes speed, the clock tells
//! the truth, the song ends.

mod common;

use common::{engine_with, frequency, play_to_end, tone_file, wav_file};
use engine::driver::offline::OfflineDriver;
use engine::{Event, HostTime, SongSource, TrackMode};

const RATE: u32 = 48_000;

/// Frame `n` of the test signal: distinct values, never zero, left and right differ.
fn value(n: usize) -> [f32; 2] {
    // Below the output limiter's ceiling, so it passes untouched.
    let v = 0.1 + (n % 4001) as f32 / 6000.0;
    [v, -v]
}

fn distinct_wav(name: &str, frames: usize) -> std::path::PathBuf {
    let samples: Vec<f32> = (0..frames).flat_map(value).collect();
    wav_file(name, RATE, &samples)
}

/// Renders `frames` more frames on `driver`, returning the stereo output.
fn render(driver: &mut OfflineDriver, processor: &mut engine::Processor, frames: u64) -> Vec<f32> {
    let mut out = Vec::new();
    driver.render(processor, frames, |b| out.extend_from_slice(b));
    out
}

#[test]
fn playback_is_bit_exact_at_the_engine_rate() {
    let file = distinct_wav("exact.wav", RATE as usize);
    let played = play_to_end(
        &SongSource::accompaniment_only(&file),
        TrackMode::Accompaniment,
        RATE,
    );
    assert_eq!(played.frames(), RATE as usize);
    for n in 0..played.frames() {
        let expected = value(n);
        let got = [played.samples[2 * n], played.samples[2 * n + 1]];
        assert!(
            (got[0] - expected[0]).abs() < 1e-6 && (got[1] - expected[1]).abs() < 1e-6,
            "frame {n}: {got:?} vs {expected:?}"
        );
    }
}

#[test]
fn seek_lands_on_the_exact_sample_while_playing() {
    let file = distinct_wav("seek.wav", 3 * RATE as usize);
    let (mut handle, mut processor) = engine_with(&SongSource::accompaniment_only(&file), RATE);
    let mut driver = OfflineDriver::new(2, 128);
    handle.play().unwrap();
    render(&mut driver, &mut processor, 24_000);
    for target in [100_000u64, 7, 60_001] {
        handle.seek(target).unwrap();
        let out = render(&mut driver, &mut processor, 1_280);
        for k in 0..1_280usize {
            let expected = value(target as usize + k);
            assert!(
                (out[2 * k] - expected[0]).abs() < 1e-6,
                "seek to {target}: frame {k} is {} not {}",
                out[2 * k],
                expected[0]
            );
        }
        // The clock reads the last block's first frame.
        assert_eq!(handle.clock().position, (target + 1_152) as f64);
    }
    assert!(
        handle
            .poll_events()
            .contains(&Event::Seeked { frame: 60_001 })
    );
}

#[test]
fn seek_with_resampling_matches_playing_from_the_start() {
    let file = tone_file("seek-44k.flac", 44_100, 2.0, 441.0, 1_234.5, 0.5);
    let song = SongSource::accompaniment_only(&file);
    let reference = play_to_end(&song, TrackMode::Accompaniment, RATE).samples;
    let (mut handle, mut processor) = engine_with(&song, RATE);
    let mut driver = OfflineDriver::new(2, 128);
    handle.play().unwrap();
    render(&mut driver, &mut processor, 5_000);
    for target in [50_000usize, 12_345, 80_001] {
        handle.seek(target as u64).unwrap();
        let out = render(&mut driver, &mut processor, 4_800);
        let worst = (0..4_800 * 2)
            .map(|i| (out[i] - reference[target * 2 + i]).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst < 1e-4,
            "seek to {target}: differs from the full play by {worst}"
        );
    }
}

#[test]
fn play_at_starts_on_the_exact_frame() {
    let file = distinct_wav("play-at.wav", RATE as usize);
    let (mut handle, mut processor) = engine_with(&SongSource::accompaniment_only(&file), RATE);
    let mut driver = OfflineDriver::new(2, 128);
    // 0.7 s plus a fraction of a frame: the start is the first frame at or after it.
    let start = HostTime::from_nanos(700_000_000 + 5_000);
    handle.play_at(start).unwrap();
    let out = render(&mut driver, &mut processor, RATE as u64);
    let first = (0..out.len() / 2).find(|&k| out[2 * k] != 0.0).unwrap();
    assert_eq!(first, 33_601, "700.005 ms at 48 kHz is frame 33600.24");
    assert!((out[2 * first] - value(0)[0]).abs() < 1e-6);
    assert!((out[2 * (first + 500)] - value(500)[0]).abs() < 1e-6);
}

#[test]
fn seek_at_a_time_that_has_passed_skips_ahead_to_stay_on_schedule() {
    let file = distinct_wav("seek-at.wav", 2 * RATE as usize);
    let (mut handle, mut processor) = engine_with(&SongSource::accompaniment_only(&file), RATE);
    let mut driver = OfflineDriver::new(2, 128);
    render(&mut driver, &mut processor, 48_000);
    // Asked at 1.0 s to play frame 10 000 at 0.99 s: 480 frames late by the time it plays.
    handle
        .seek_at(10_000, HostTime::from_nanos(990_000_000))
        .unwrap();
    let out = render(&mut driver, &mut processor, 256);
    assert!(
        (out[0] - value(10_480)[0]).abs() < 1e-6,
        "{} vs {}",
        out[0],
        value(10_480)[0]
    );
}

#[test]
fn pause_holds_and_the_clock_says_so() {
    let file = distinct_wav("pause.wav", 2 * RATE as usize);
    let (mut handle, mut processor) = engine_with(&SongSource::accompaniment_only(&file), RATE);
    let mut driver = OfflineDriver::new(2, 128);
    handle.play().unwrap();
    render(&mut driver, &mut processor, 12_800);
    let playing = handle.clock();
    assert_eq!(
        playing.position, 12_672.0,
        "the reading is for the last block's first frame"
    );
    assert_eq!(playing.host_time, HostTime::ZERO.plus_frames(12_672, RATE));
    assert_eq!(playing.frames_per_second, f64::from(RATE));
    handle.pause().unwrap();
    let out = render(&mut driver, &mut processor, 4_800);
    assert!(out.iter().all(|&s| s == 0.0));
    let paused = handle.clock();
    assert_eq!((paused.position, paused.frames_per_second), (12_800.0, 0.0));
    handle.play().unwrap();
    let out = render(&mut driver, &mut processor, 128);
    assert!((out[0] - value(12_800)[0]).abs() < 1e-6);
}

#[test]
fn rate_changes_speed_by_the_asked_amount() {
    let file = tone_file("rate.wav", RATE, 12.0, 440.0, 440.0, 0.5);
    let (mut handle, mut processor) = engine_with(&SongSource::accompaniment_only(&file), RATE);
    let mut driver = OfflineDriver::new(2, 128);
    handle.set_rate(1.005).unwrap();
    handle.play().unwrap();
    let out = render(&mut driver, &mut processor, 10 * RATE as u64);
    let moved = handle.clock().position;
    let expected = (10 * RATE - 128) as f64 * 1.005;
    assert!(
        (moved - expected).abs() < 64.0,
        "position {moved}, expected {expected}"
    );
    let left: Vec<f32> = out.iter().step_by(2).copied().collect();
    let f = frequency(&left[RATE as usize..], RATE, 0);
    assert!((f - 440.0 * 1.005).abs() < 0.1, "{f} Hz");
    assert!(handle.set_rate(1.02).is_err(), "beyond ±0.5% is refused");
}

#[test]
fn the_song_ends_with_an_event_at_its_length() {
    let file = distinct_wav("end.wav", 30_000);
    let played = play_to_end(
        &SongSource::accompaniment_only(&file),
        TrackMode::Accompaniment,
        RATE,
    );
    assert_eq!(played.frames(), 30_000);
    assert_eq!(
        played
            .events
            .iter()
            .filter(|e| matches!(e, Event::EndOfSong { .. }))
            .count(),
        1
    );
}
