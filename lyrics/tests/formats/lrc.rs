use lyrics::format::lrc;
use lyrics::{Error, Format, Hint, ParseErrorKind, WarningKind, WordTiming};

use crate::{lines, words};

const JASMINE: &str = "\
[ti:茉莉花]
[ar:江苏民歌]
[al:中国民歌精选]
[au:佚名]
[by:ktv]
[length:01:30]

[00:08.50]好一朵美丽的茉莉花
[00:13.20]好一朵美丽的茉莉花
[00:18.00]芬芳美丽满枝桠
[00:22.75]又香又白人人夸
[00:27.40]
";

#[test]
fn chinese_lrc_with_tags_and_an_end_stamp() {
    let parsed = lrc::parse(JASMINE).unwrap();
    assert_eq!(parsed.format, Format::Lrc);
    let meta = &parsed.lyrics.meta;
    assert_eq!(meta.title.as_deref(), Some("茉莉花"));
    assert_eq!(meta.artist.as_deref(), Some("江苏民歌"));
    assert_eq!(meta.album.as_deref(), Some("中国民歌精选"));
    assert_eq!(meta.lyricist.as_deref(), Some("佚名"));
    assert_eq!(meta.file_author.as_deref(), Some("ktv"));
    assert_eq!(meta.length.map(|l| l.as_millis()), Some(90_000));
    assert_eq!(
        lines(&parsed.lyrics),
        [
            (8_500, 13_200, "好一朵美丽的茉莉花".to_string()),
            (13_200, 18_000, "好一朵美丽的茉莉花".to_string()),
            (18_000, 22_750, "芬芳美丽满枝桠".to_string()),
            // The empty stamp ends the last line.
            (22_750, 27_400, "又香又白人人夸".to_string()),
        ]
    );
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn line_timed_words_are_estimated_per_syllable() {
    let parsed = lrc::parse(JASMINE).unwrap();
    let line = &parsed.lyrics.lines[2]; // 芬芳美丽满枝桠: 7 syllables over 4.75 s
    assert_eq!(line.timing, WordTiming::Estimated);
    let got = words(line);
    assert_eq!(got.len(), 7);
    assert_eq!(got[0], (18_000, 18_679, "芬"));
    assert_eq!(got[6], (22_071, 22_750, "桠"));
}

#[test]
fn multi_stamp_lines_repeat_and_are_sorted() {
    let text = "\
[ar:Trad.]
[ti:Oh! Susanna]
[00:10.00][00:40.00]Oh! Susanna, don't you cry for me
[00:15.00]I come from Alabama
[00:20.00][00:45.00]with a banjo on my knee
[00:25.00]
[00:50.00]
";
    let parsed = lrc::parse(text).unwrap();
    assert_eq!(
        lines(&parsed.lyrics),
        [
            (
                10_000,
                15_000,
                "Oh! Susanna, don't you cry for me".to_string()
            ),
            (15_000, 20_000, "I come from Alabama".to_string()),
            (20_000, 25_000, "with a banjo on my knee".to_string()),
            (
                40_000,
                45_000,
                "Oh! Susanna, don't you cry for me".to_string()
            ),
            (45_000, 50_000, "with a banjo on my knee".to_string()),
        ]
    );
    // Repeated stamps are how the format works, not an oddity: the file is in order by line.
    assert!(
        parsed
            .warnings
            .iter()
            .all(|w| w.kind == WarningKind::UnsortedLines),
        "{:?}",
        parsed.warnings
    );
    // English words are estimated per word, trailing spaces kept with the word.
    let first = words(&parsed.lyrics.lines[1]);
    let texts: Vec<&str> = first.iter().map(|w| w.2).collect();
    assert_eq!(texts, ["I ", "come ", "from ", "Alabama"]);
}

#[test]
fn positive_offset_makes_lyrics_earlier() {
    let text = "[offset:+500]\n[00:10.00]one\n[00:12.00]two\n[00:14.00]\n";
    let parsed = lrc::parse(text).unwrap();
    assert_eq!(parsed.lyrics.meta.applied_offset_ms, 500);
    assert_eq!(
        lines(&parsed.lyrics),
        [
            (9_500, 11_500, "one".into()),
            (11_500, 13_500, "two".into())
        ]
    );
}

#[test]
fn negative_offset_makes_lyrics_later() {
    let text = "[offset:-250]\n[00:10.00]one\n[00:12.00]two\n[00:14.00]\n";
    let parsed = lrc::parse(text).unwrap();
    assert_eq!(
        lines(&parsed.lyrics),
        [
            (10_250, 12_250, "one".into()),
            (12_250, 14_250, "two".into())
        ]
    );
}

#[test]
fn an_offset_before_the_song_start_is_clamped_with_a_warning() {
    let parsed = lrc::parse("[offset:2000]\n[00:01.00]early\n[00:05.00]later\n").unwrap();
    assert_eq!(parsed.lyrics.lines[0].start.as_millis(), 0);
    assert_eq!(parsed.lyrics.lines[1].start.as_millis(), 3_000);
    assert!(
        parsed
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::NegativeTime)
    );
}

#[test]
fn stamp_forms_two_and_three_digit_fractions_and_colon_centiseconds() {
    let text = "[00:01.5]a\n[00:02.25]b\n[00:03.125]c\n[0:04:50]d\n[1:05]e\n";
    let parsed = lrc::parse(text).unwrap();
    let starts: Vec<i64> = parsed
        .lyrics
        .lines
        .iter()
        .map(|l| l.start.as_millis())
        .collect();
    assert_eq!(starts, [1_500, 2_250, 3_125, 4_500, 65_000]);
}

#[test]
fn a_line_long_before_the_next_ends_after_at_most_ten_seconds() {
    let parsed = lrc::parse("[00:01.00]verse\n[00:40.00]after the solo\n").unwrap();
    assert_eq!(parsed.lyrics.lines[0].end.as_millis(), 11_000);
}

#[test]
fn oddities_are_repaired_with_warnings() {
    let text = "[ti:x]\r\n  [00:05.00]second  \r\nplain prose\r\n[00:01.00]first\r\n[ti:again]\r\n";
    let parsed = lrc::parse(text).unwrap();
    assert_eq!(
        lines(&parsed.lyrics),
        [
            (1_000, 5_000, "first".into()),
            (5_000, 15_000, "second".into())
        ]
    );
    let kinds: Vec<(usize, &WarningKind)> =
        parsed.warnings.iter().map(|w| (w.line, &w.kind)).collect();
    assert_eq!(
        kinds,
        [
            (2, &WarningKind::StrayWhitespace),
            (3, &WarningKind::UntimedLine),
            (5, &WarningKind::DuplicateTag("ti".into())),
            (4, &WarningKind::UnsortedLines),
        ]
    );
    assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("x"));
}

#[test]
fn a_malformed_stamp_is_an_error_with_its_line() {
    let err = lrc::parse("[00:01.00]ok\n[00:6x.00]bad\n").unwrap_err();
    assert_eq!(
        err,
        Error::Parse {
            format: Format::Lrc,
            line: 2,
            kind: ParseErrorKind::BadTimestamp("00:6x.00".into())
        }
    );
    assert_eq!(err.to_string(), "LRC line 2: bad time stamp \"00:6x.00\"");
    let err = lrc::parse("[00:61.00]seconds out of range\n").unwrap_err();
    assert!(matches!(err, Error::Parse { line: 1, .. }), "{err}");
}

#[test]
fn a_file_without_timed_lines_is_an_error() {
    let err = lrc::parse("[ti:only tags]\n[ar:nobody]\n").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parse {
                kind: ParseErrorKind::NoLyrics,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        lyrics::parse(b"", Hint::none()).unwrap_err(),
        Error::UnknownFormat
    );
}

#[test]
fn lrc_round_trips_to_the_centisecond() {
    let parsed = lrc::parse(JASMINE).unwrap();
    let written = lrc::write(&parsed.lyrics);
    assert!(
        written.starts_with("[ti:茉莉花]\n[ar:江苏民歌]\n"),
        "{written}"
    );
    assert!(
        written.contains("[00:08.50]好一朵美丽的茉莉花\n"),
        "{written}"
    );
    assert!(
        written.contains("[00:22.75]又香又白人人夸\n[00:27.40]\n"),
        "{written}"
    );
    let again = lrc::parse(&written).unwrap();
    assert_eq!(lines(&again.lyrics), lines(&parsed.lyrics));
    assert_eq!(again.lyrics.meta.title, parsed.lyrics.meta.title);
    assert_eq!(again.lyrics.meta.length, parsed.lyrics.meta.length);
}

#[test]
fn the_lrc_crate_reads_our_lrc_the_same() {
    // The `lrc` crate is a second, independent reader of line-timed LRC.
    let parsed = lrc::parse(JASMINE).unwrap();
    let written = lrc::write(&parsed.lyrics);
    let theirs = ::lrc::Lyrics::from_str(&written).unwrap();
    let their_lines: Vec<(i64, String)> = theirs
        .get_timed_lines()
        .iter()
        .filter(|(_, text)| !text.is_empty())
        .map(|(t, text)| (t.get_timestamp(), text.to_string()))
        .collect();
    let ours: Vec<(i64, String)> = parsed
        .lyrics
        .lines
        .iter()
        .map(|l| (l.start.as_millis(), l.text.clone()))
        .collect();
    assert_eq!(their_lines, ours);
}
