//! Scoring: pitch detection plus judging as a multiple of real time at 48 kHz on one core,
//! against aubio's bare YIN-FFT on the same audio.
//!
//! Target (issue: scoring): at least 300x real time.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lyrics::{Hint, Voice};
use scoring::{JudgeSettings, PitchSettings, score_recording};

fn scoring(c: &mut Criterion) {
    // At run time (cargo sets it): a shared target folder may hold a bench built elsewhere.
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into());
    let root = std::path::Path::new(&manifest).join("../assets/farewell");
    let lyrics = lyrics::parse(
        &std::fs::read(root.join("song.txt")).expect("demo song"),
        Hint::from_path(std::path::Path::new("song.txt")),
    )
    .expect("demo lyrics")
    .lyrics;
    let mut voice = Vec::new();
    engine::source::stream::decode_to_end(
        &engine::SongSource::accompaniment_only(root.join("guide.flac")),
        48_000,
        |f| {
            voice.extend(f.chunks(4).map(|x| 0.5 * (x[0] + x[1])));
        },
    )
    .expect("demo audio");
    let seconds = voice.len() as f64 / 48_000.0;
    let mut group = c.benchmark_group("scoring/48k");
    group.sample_size(10);
    // Elements are milliseconds of audio, so throughput reads as real-time multiples × 1000.
    group.throughput(Throughput::Elements((seconds * 1000.0) as u64));
    group.bench_function("ktv/detect_and_judge", |b| {
        b.iter(|| {
            score_recording(
                &lyrics,
                Voice::P1,
                black_box(&voice),
                48_000,
                PitchSettings::default(),
                JudgeSettings::default(),
            )
            .map(|(result, _)| result.score)
        })
    });
    group.bench_function("ktv/detect_only", |b| {
        b.iter(|| {
            let mut tracker =
                scoring::PitchTracker::new(PitchSettings::default(), 48_000).expect("tracker");
            let mut voiced = 0u32;
            tracker.push(black_box(&voice), |f| voiced += u32::from(f.is_voiced()));
            voiced
        })
    });
    group.bench_function("aubio/yinfft_bare", |b| {
        b.iter(|| {
            let mut pitch =
                aubio::Pitch::new(aubio::PitchMode::Yinfft, 2048, 480, 48_000).expect("aubio");
            let mut sum = 0.0f32;
            for hop in black_box(&voice).chunks_exact(480) {
                sum += pitch.do_result(hop).unwrap_or(0.0);
            }
            sum
        })
    });
    group.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);
