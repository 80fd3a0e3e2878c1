//! Lyrics: parsing throughput of every reader, with the `lrc` crate's parse of the same
//! line-timed file as the baseline, and timeline queries.
//!
//! Targets (issue: lyrics): parsing ≥ 100 MB/s; `Timeline::at` ≤ 100 ns a query; a cursor
//! stepping at 48 kHz / 128-frame blocks ≤ 20 ns a step.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ktv_benches::lyrics_input;
use lyrics::format::lrc;
use lyrics::{Format, SongTime, Timeline};

fn parse(c: &mut Criterion) {
    let enhanced = lyrics_input::enhanced_lrc(5_000);
    let notes = lyrics_input::ultrastar(2_000);
    let plain = lyrics_input::plain_lrc(5_000);
    let qrc = lyrics_input::qrc(5_000);
    let yrc = lyrics_input::yrc(5_000);
    let xml = lyrics_input::ktv_xml(2_000);
    let mut group = c.benchmark_group("lyrics/parse");
    for (name, text, format) in [
        ("enhanced_lrc_5000_lines", &enhanced, Format::EnhancedLrc),
        ("ultrastar_2000_notes", &notes, Format::UltraStar),
        ("plain_lrc_5000_lines", &plain, Format::Lrc),
        ("qrc_5000_lines", &qrc, Format::Qrc),
        ("yrc_5000_lines", &yrc, Format::Yrc),
        ("ktv_xml_2000_lines", &xml, Format::KtvXml),
    ] {
        let read = lyrics::parse_as(text, format).expect("ktv reads the bench file");
        assert!(
            read.lyrics.lines.len() >= 250,
            "{name}: {} lines",
            read.lyrics.lines.len()
        );
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("ktv/{name}"), |b| {
            b.iter(|| lyrics::parse_as(black_box(text), format).map(|p| p.lyrics.lines.len()))
        });
    }
    // Baseline: the `lrc` crate reads the same line-timed file (it has no word stamps).
    let theirs = ::lrc::Lyrics::from_str(&plain).expect("the lrc crate reads the bench file");
    let ours = lrc::parse(&plain).expect("ktv reads the bench file");
    assert_eq!(theirs.get_timed_lines().len(), ours.lyrics.lines.len());
    group.throughput(Throughput::Bytes(plain.len() as u64));
    group.bench_function("lrc_crate/plain_lrc_5000_lines", |b| {
        b.iter(|| ::lrc::Lyrics::from_str(black_box(&plain)).map(|l| l.get_timed_lines().len()))
    });
    group.finish();
}

/// xorshift: deterministic query times.
fn random_times(count: usize, end: SongTime) -> Vec<SongTime> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            SongTime::from_micros((state % end.as_micros() as u64) as i64)
        })
        .collect()
}

fn timeline(c: &mut Criterion) {
    let lyrics = lrc::parse(&lyrics_input::enhanced_lrc(5_000))
        .unwrap()
        .lyrics;
    let timeline = Timeline::new(&lyrics);
    let end = lyrics.lines.last().unwrap().end;
    let mut group = c.benchmark_group("lyrics/timeline");

    let times = random_times(1_000_000, end);
    group.throughput(Throughput::Elements(times.len() as u64));
    group.bench_function("at_random_1M", |b| {
        b.iter(|| {
            for &t in &times {
                black_box(timeline.at(black_box(t)));
            }
        })
    });

    // One step per 128-frame block at 48 kHz through the first ten minutes.
    let block = SongTime::from_micros(128 * 1_000_000 / 48_000);
    let steps = (SongTime::from_millis(600_000).as_micros() / block.as_micros()) as u64;
    group.throughput(Throughput::Elements(steps));
    group.bench_function("cursor_48k_128", |b| {
        b.iter(|| {
            let mut cursor = timeline.cursor();
            let mut t = SongTime::ZERO;
            for _ in 0..steps {
                black_box(cursor.at(&timeline, black_box(t)));
                t += block;
            }
        })
    });
    group.finish();
}

criterion_group!(benches, parse, timeline);
criterion_main!(benches);
