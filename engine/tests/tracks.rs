//! The two tracks: switching crossfades without a click and keeps the position; the old KTV
//! stereo layout, two files, and a vocal-only original all play what they should.

mod common;

use std::path::Path;

use common::{engine_with, frequency, play_to_end, rms, tone_file};
use engine::driver::offline::OfflineDriver;
use engine::{Original, SongFiles, SongSource, TrackMode};

const RATE: u32 = 48_000;

/// The largest change between neighbouring samples of one channel.
fn max_step(samples: &[f32]) -> f32 {
    samples
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// A 0.5-amplitude tone of 440 Hz moves at most 2π·440·0.5/48000 ≈ 0.029 a sample; 660 Hz
/// ≈ 0.043. A click (a hard switch between the tones) jumps by up to 1.
const CLICK_THRESHOLD: f32 = 0.06;

#[test]
fn the_click_check_catches_a_hard_switch() {
    let tone =
        |f: f32, n: usize| 0.5 * (2.0 * std::f32::consts::PI * f * n as f32 / RATE as f32).sin();
    // A hard cut at a moment where the two tones are far apart.
    let cut = 1_000;
    let hard: Vec<f32> = (0..2_000)
        .map(|n| {
            if n < cut {
                tone(440.0, n)
            } else {
                tone(660.0, n)
            }
        })
        .collect();
    assert!(max_step(&hard) > CLICK_THRESHOLD, "{}", max_step(&hard));
    let smooth: Vec<f32> = (0..2_000).map(|n| tone(660.0, n)).collect();
    assert!(max_step(&smooth) < CLICK_THRESHOLD);
}

fn two_tone_song(dir_name: &str) -> SongSource {
    let accompaniment = tone_file(
        &format!("{dir_name}-acc.flac"),
        RATE,
        4.0,
        440.0,
        440.0,
        0.4,
    );
    let original = tone_file(
        &format!("{dir_name}-orig.flac"),
        RATE,
        4.0,
        660.0,
        660.0,
        0.4,
    );
    SongSource::two_files(accompaniment, original)
}

#[test]
fn switching_tracks_crossfades_without_a_click_and_keeps_position() {
    let (mut handle, mut processor) = engine_with(&two_tone_song("switch"), RATE);
    let mut driver = OfflineDriver::new(2, 128);
    handle.play().unwrap();
    let mut out = Vec::new();
    driver.render(&mut processor, 48_000, |b| out.extend_from_slice(b));
    let before = handle.clock().position;
    handle.set_track_mode(TrackMode::Original).unwrap();
    driver.render(&mut processor, 48_000, |b| out.extend_from_slice(b));
    handle.set_track_mode(TrackMode::Accompaniment).unwrap();
    driver.render(&mut processor, 48_000, |b| out.extend_from_slice(b));
    // The position runs on through switches.
    assert_eq!(handle.clock().position, before + 96_000.0);
    let left: Vec<f32> = out.iter().step_by(2).copied().collect();
    assert!(
        max_step(&left) < CLICK_THRESHOLD,
        "a click of {}",
        max_step(&left)
    );
    // Between switches each track plays alone.
    let f = frequency(&left[60_000..90_000], RATE, 0);
    assert!((f - 660.0).abs() < 0.5, "{f}");
    let f = frequency(&left[110_000..140_000], RATE, 0);
    assert!((f - 440.0).abs() < 0.5, "{f}");
}

fn split_file(name: &str) -> std::path::PathBuf {
    // Accompaniment (440 Hz) on the left, the original (660 Hz) on the right.
    tone_file(name, 44_100, 3.0, 440.0, 660.0, 0.5)
}

fn play(files: SongFiles, original: Original, track: TrackMode) -> (f64, f64, f64) {
    let played = play_to_end(
        &SongSource {
            files,
            original,
            loudness: None,
        },
        track,
        RATE,
    );
    let (left, right) = (played.channel(0), played.channel(1));
    (
        frequency(&left, RATE, 4_800),
        frequency(&right, RATE, 4_800),
        rms(&left, 4_800),
    )
}

#[test]
fn the_ktv_stereo_layout_plays_one_side_on_both_channels() {
    let file = split_file("split.mp3");
    let files = || SongFiles::StereoSplit { file: file.clone() };
    let (l, r, _) = play(files(), Original::FullMix, TrackMode::Accompaniment);
    assert!(
        (l - 440.0).abs() < 0.5 && (r - 440.0).abs() < 0.5,
        "{l} {r}"
    );
    let (l, r, _) = play(files(), Original::FullMix, TrackMode::Original);
    assert!(
        (l - 660.0).abs() < 0.5 && (r - 660.0).abs() < 0.5,
        "{l} {r}"
    );
}

#[test]
fn a_vocal_only_original_adds_to_the_accompaniment() {
    let song = two_tone_song("vocal");
    let files = song.files.clone();
    let with_vocal = play_to_end(
        &SongSource {
            files: files.clone(),
            original: Original::VocalOnly,
            loudness: None,
        },
        TrackMode::Original,
        RATE,
    );
    let alone = play_to_end(
        &SongSource {
            files,
            original: Original::VocalOnly,
            loudness: None,
        },
        TrackMode::Accompaniment,
        RATE,
    );
    // Two uncorrelated tones of equal level: the mix has twice the power of one.
    let ratio = rms(&with_vocal.channel(0), 4_800) / rms(&alone.channel(0), 4_800);
    assert!((ratio - 2f64.sqrt()).abs() < 0.02, "{ratio}");
}

#[test]
fn two_streams_of_one_file() {
    let dir = common::media_dir();
    let (acc, orig) = (
        tone_file("streams-acc.wav", RATE, 2.0, 440.0, 440.0, 0.5),
        tone_file("streams-orig.wav", RATE, 2.0, 660.0, 660.0, 0.5),
    );
    // KTV files with two audio tracks come as MKV and MP4.
    let mut both = dir.join("streams.mka");
    for (name, codec) in [("streams.mka", "flac"), ("streams.m4a", "aac")] {
        both = dir.join(name);
        let out = both.to_str().unwrap();
        common::ffmpeg(&[
            "-i",
            acc.to_str().unwrap(),
            "-i",
            orig.to_str().unwrap(),
            "-map",
            "0:a",
            "-map",
            "1:a",
            "-c:a",
            codec,
            out,
        ]);
        assert!(Path::new(out).exists());
        let files = || SongFiles::TwoStreams {
            file: both.clone(),
            accompaniment: 0,
            original: 1,
        };
        let (l, _, _) = play(files(), Original::FullMix, TrackMode::Accompaniment);
        assert!((l - 440.0).abs() < 0.5, "{name}: {l}");
        let (l, _, _) = play(files(), Original::FullMix, TrackMode::Original);
        assert!((l - 660.0).abs() < 0.5, "{name}: {l}");
    }
    let missing = SongFiles::TwoStreams {
        file: both.clone(),
        accompaniment: 0,
        original: 5,
    };
    let error = engine::new(engine::EngineSettings::default())
        .0
        .load(&SongSource {
            files: missing,
            original: Original::FullMix,
            loudness: None,
        })
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("has no audio stream 5 (it has 2)"),
        "{error}"
    );
}

#[test]
fn matroska_keeps_the_length_despite_millisecond_timestamps() {
    let wav = tone_file("mkv-src.wav", RATE, 2.5, 440.0, 440.0, 0.5);
    let mka = common::media_dir().join("len.mka");
    common::ffmpeg(&[
        "-i",
        wav.to_str().unwrap(),
        "-c:a",
        "flac",
        mka.to_str().unwrap(),
    ]);
    let played = play_to_end(
        &SongSource::accompaniment_only(&mka),
        TrackMode::Accompaniment,
        RATE,
    );
    assert_eq!(played.frames(), 120_000);
    let left = played.channel(0);
    assert!((frequency(&left, RATE, 4_800) - 440.0).abs() < 0.1);
}
