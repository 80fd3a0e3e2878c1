//! The timeline: current line and word, progress, gap states, the cursor, and no allocation
//! per query.

use lyrics::format::elrc;
use lyrics::{Lyrics, Phase, SongTime, Timeline, TimelineSettings};

fn ms(v: i64) -> SongTime {
    SongTime::from_millis(v)
}

// Intro of 10 s; line 0 10.0–12.0 s; a 1 s pause; line 1 13.0–15.0 s; a 12 s break;
// line 2 27.0–28.0 s; then the outro.
const SONG: &str = "\
[00:10.000]<00:10.000>Twin<00:10.500>kle <00:11.000>star<00:12.000>
[00:13.000]<00:13.000>how <00:14.000>I<00:15.000>
[00:27.000]<00:27.000>won<00:27.500>der<00:28.000>
";

fn song() -> Lyrics {
    elrc::parse(SONG).unwrap().lyrics
}

#[test]
fn intro_counts_down_in_its_last_three_seconds() {
    let timeline = Timeline::new(&song());
    let early = timeline.at(ms(2_000));
    assert_eq!(early.line, None);
    assert_eq!(early.next_line, Some(0));
    assert_eq!(
        early.phase,
        Phase::Intro {
            until_next: ms(8_000),
            countdown: None
        }
    );
    let late = timeline.at(ms(8_500));
    assert_eq!(
        late.phase,
        Phase::Intro {
            until_next: ms(1_500),
            countdown: Some(1.5)
        }
    );
}

#[test]
fn singing_gives_the_word_and_progress() {
    let timeline = Timeline::new(&song());
    let p = timeline.at(ms(10_750));
    assert_eq!(p.phase, Phase::Singing);
    assert_eq!(p.line, Some(0));
    assert_eq!(p.next_line, Some(1));
    assert_eq!(p.word, Some(1)); // "kle "
    assert!((p.word_progress - 0.5).abs() < 1e-6, "{}", p.word_progress);
    assert!(
        (p.line_progress - 0.375).abs() < 1e-6,
        "{}",
        p.line_progress
    );
    // At a word's exact start the word has just begun.
    let p = timeline.at(ms(11_000));
    assert_eq!((p.word, p.word_progress), (Some(2), 0.0));
}

#[test]
fn short_gaps_are_pauses_and_long_ones_breaks_with_a_countdown() {
    let timeline = Timeline::new(&song());
    assert_eq!(
        timeline.at(ms(12_500)).phase,
        Phase::Pause {
            until_next: ms(500)
        }
    );
    let in_break = timeline.at(ms(16_000));
    assert_eq!(in_break.line, None);
    assert_eq!(in_break.next_line, Some(2));
    assert_eq!(
        in_break.phase,
        Phase::Break {
            until_next: ms(11_000),
            countdown: None
        }
    );
    assert_eq!(
        timeline.at(ms(25_000)).phase,
        Phase::Break {
            until_next: ms(2_000),
            countdown: Some(2.0)
        }
    );
    assert_eq!(timeline.at(ms(30_000)).phase, Phase::Outro);
}

#[test]
fn the_break_threshold_is_configurable() {
    let settings = TimelineSettings {
        break_threshold: ms(20_000),
        ..TimelineSettings::default()
    };
    let timeline = Timeline::with_settings(&song(), settings);
    assert_eq!(
        timeline.at(ms(16_000)).phase,
        Phase::Pause {
            until_next: ms(11_000)
        }
    );
}

/// A small deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn long_song(lines: usize) -> Lyrics {
    let mut text = String::new();
    for i in 0..lines as i64 {
        let start = 5_000 + i * 3_000 + if i % 7 == 0 { 8_000 } else { 0 };
        text.push_str(&format!(
            "[{:02}:{:02}.000]",
            start / 60_000,
            start / 1000 % 60
        ));
        for w in 0..5 {
            let t = start + w * 400;
            text.push_str(&format!(
                "<{:02}:{:02}.{:03}>w{w} ",
                t / 60_000,
                t / 1000 % 60,
                t % 1000
            ));
        }
        let end = start + 2_200;
        text.push_str(&format!(
            "<{:02}:{:02}.{:03}>\n",
            end / 60_000,
            end / 1000 % 60,
            end % 1000
        ));
    }
    elrc::parse(&text).unwrap().lyrics
}

#[test]
fn the_cursor_agrees_with_the_search_forwards_and_backwards() {
    let lyrics = long_song(300);
    let timeline = Timeline::new(&lyrics);
    let mut cursor = timeline.cursor();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let end = lyrics.lines.last().unwrap().end.as_micros() + 5_000_000;
    // Audio-rate steps with occasional jumps (seeks) both ways.
    let mut t = 0i64;
    for _ in 0..200_000 {
        t = if rng.next().is_multiple_of(5_000) {
            (rng.next() % end as u64) as i64
        } else {
            t + 2_667
        };
        let at = SongTime::from_micros(t);
        assert_eq!(cursor.at(&timeline, at), timeline.at(at), "at {at}");
    }
}

#[test]
fn queries_do_not_allocate() {
    let lyrics = long_song(500);
    let timeline = Timeline::new(&lyrics);
    let mut cursor = timeline.cursor();
    let end = lyrics.lines.last().unwrap().end.as_micros();
    let info = allocation_counter::measure(|| {
        let mut t = 0;
        while t < end {
            std::hint::black_box(timeline.at(SongTime::from_micros(t)));
            std::hint::black_box(cursor.at(&timeline, SongTime::from_micros(t)));
            t += 2_667;
        }
    });
    assert_eq!(info.count_total, 0, "{info:?}");

    // The counter does see allocations: building a timeline allocates.
    let info = allocation_counter::measure(|| {
        std::hint::black_box(Timeline::new(&lyrics));
    });
    assert!(info.count_total > 0, "{info:?}");
}
