//! One song written by hand in LRC, enhanced LRC and UltraStar: the three must agree.

use lyrics::format::{elrc, lrc, ultrastar};

// 两只老虎, first line. BPM 360 → 41.667 ms per beat; GAP 2000 ms.
// Beats 0, 12, 24, 36 → 2000, 2500, 3000, 3500 ms; beats 48, 60, 72, 84 → 4000 … 5500 ms.
const ULTRASTAR: &str = "\
#TITLE:两只老虎
#ARTIST:法国民歌
#LANGUAGE:Chinese
#BPM:360
#GAP:2000
: 0 12 0 两
: 12 12 2 只
: 24 12 4 老
: 36 12 0 虎
- 48
: 48 12 0 两
: 60 12 2 只
: 72 12 4 老
: 84 12 0 虎
E
";

const ENHANCED: &str = "\
[ti:两只老虎]
[00:02.00]<00:02.00>两<00:02.50>只<00:03.00>老<00:03.50>虎<00:04.00>
[00:04.00]<00:04.00>两<00:04.50>只<00:05.00>老<00:05.50>虎<00:06.00>
";

const PLAIN: &str = "\
[ti:两只老虎]
[00:02.00]两只老虎
[00:04.00]两只老虎
[00:06.00]
";

#[test]
fn word_starts_agree_within_10_ms() {
    let from_ultrastar = ultrastar::parse(ULTRASTAR).unwrap().lyrics;
    let from_enhanced = elrc::parse(ENHANCED).unwrap().lyrics;
    let from_plain = lrc::parse(PLAIN).unwrap().lyrics;
    let starts = |l: &lyrics::Lyrics| -> Vec<i64> {
        l.lines
            .iter()
            .flat_map(|line| line.words.iter().map(|w| w.start.as_micros()))
            .collect()
    };
    let expected: Vec<i64> = (0..8).map(|i| 2_000_000 + i * 500_000).collect();
    for (name, got) in [
        ("UltraStar", starts(&from_ultrastar)),
        ("enhanced LRC", starts(&from_enhanced)),
        // Plain LRC times only lines; four equal syllables spread evenly land on the beats too.
        ("LRC", starts(&from_plain)),
    ] {
        assert_eq!(got.len(), expected.len(), "{name}");
        for (g, e) in got.iter().zip(&expected) {
            assert!(
                (g - e).abs() <= 10_000,
                "{name}: word at {g} µs, expected {e} µs"
            );
        }
    }
}

#[test]
fn converting_between_formats_keeps_word_starts() {
    let source = ultrastar::parse(ULTRASTAR).unwrap().lyrics;
    let via_elrc = elrc::parse(&elrc::write(&source)).unwrap().lyrics;
    let back = ultrastar::parse(&ultrastar::write(&via_elrc))
        .unwrap()
        .lyrics;
    for lyrics in [&via_elrc, &back] {
        for (a, b) in source.lines.iter().zip(&lyrics.lines) {
            assert_eq!(a.text, b.text);
            for (wa, wb) in a.words.iter().zip(&b.words) {
                assert!((wa.start.as_micros() - wb.start.as_micros()).abs() <= 10_000);
            }
        }
    }
    // Without a reference melody the words become freestyle notes at pitch 0.
    assert!(
        back.notes
            .iter()
            .all(|n| n.kind == lyrics::NoteKind::Freestyle)
    );
    assert_eq!(back.notes.len(), 8);
}
