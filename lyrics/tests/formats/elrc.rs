use lyrics::format::{elrc, lrc};
use lyrics::{Format, WarningKind, WordTiming};

use crate::{lines, words};

const TWINKLE: &str = "\
[ti:Twinkle Twinkle Little Star]
[ar:Traditional]
[00:05.00]<00:05.00>Twin<00:05.40>kle <00:05.80>twin<00:06.20>kle <00:06.60>lit<00:07.00>tle <00:07.40>star<00:08.60>
[00:09.000]<00:09.000>How <00:09.400>I <00:09.800>won<00:10.200>der <00:10.600>what <00:11.000>you <00:11.400>are<00:12.600>
";

#[test]
fn word_stamps_time_each_syllable() {
    let parsed = elrc::parse(TWINKLE).unwrap();
    assert_eq!(parsed.format, Format::EnhancedLrc);
    let lyrics = &parsed.lyrics;
    assert_eq!(
        lines(lyrics),
        [
            (5_000, 8_600, "Twinkle twinkle little star".to_string()),
            (9_000, 12_600, "How I wonder what you are".to_string()),
        ]
    );
    assert_eq!(lyrics.lines[0].timing, WordTiming::Exact);
    assert_eq!(
        words(&lyrics.lines[0]),
        [
            (5_000, 5_400, "Twin"),
            (5_400, 5_800, "kle "),
            (5_800, 6_200, "twin"),
            (6_200, 6_600, "kle "),
            (6_600, 7_000, "lit"),
            (7_000, 7_400, "tle "),
            (7_400, 8_600, "star"),
        ]
    );
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn chinese_words_and_a_line_without_a_closing_stamp() {
    let text = "[00:20.00]<00:20.00>两<00:20.50>只<00:21.00>老<00:21.50>虎\n[00:30.00]<00:30.00>跑<00:30.40>得<00:30.80>快<00:31.60>\n";
    let parsed = elrc::parse(text).unwrap();
    let first = &parsed.lyrics.lines[0];
    // The last word has no closing stamp: it lasts until the next line, at most 3 s.
    assert_eq!(
        words(first),
        [
            (20_000, 20_500, "两"),
            (20_500, 21_000, "只"),
            (21_000, 21_500, "老"),
            (21_500, 24_500, "虎")
        ]
    );
    assert_eq!(first.end.as_millis(), 24_500);
}

#[test]
fn text_before_the_first_word_stamp_starts_at_the_line_stamp() {
    let parsed =
        elrc::parse("[01:00.00]Oh <01:00.50>Su<01:00.80>san<01:01.20>na<01:02.00>\n").unwrap();
    assert_eq!(
        words(&parsed.lyrics.lines[0]),
        [
            (60_000, 60_500, "Oh "),
            (60_500, 60_800, "Su"),
            (60_800, 61_200, "san"),
            (61_200, 62_000, "na")
        ]
    );
}

#[test]
fn a_pause_inside_a_line_survives() {
    // A stamp with no word after it ends the word before; the next stamp starts later.
    let text = "[00:01.000]<00:01.000>one <00:01.500><00:03.000>two<00:03.500>\n";
    let parsed = elrc::parse(text).unwrap();
    assert_eq!(
        words(&parsed.lyrics.lines[0]),
        [(1_000, 1_500, "one "), (3_000, 3_500, "two")]
    );
    let written = elrc::write(&parsed.lyrics);
    assert_eq!(written, text);
}

#[test]
fn backwards_word_stamps_are_repaired_with_a_warning() {
    let parsed = elrc::parse("[00:01.00]<00:01.00>a<00:02.00>b<00:01.50>c<00:03.00>\n").unwrap();
    assert_eq!(
        words(&parsed.lyrics.lines[0]),
        [
            (1_000, 2_000, "a"),
            (2_000, 2_000, "b"),
            (2_000, 3_000, "c")
        ]
    );
    assert_eq!(parsed.warnings[0].line, 1);
    assert_eq!(parsed.warnings[0].kind, WarningKind::OverlappingWords);
}

#[test]
fn a_malformed_word_stamp_stays_text_with_a_warning() {
    let parsed =
        elrc::parse("[00:01.00]<00:01.00>ok<00:02.00>\n[00:03.00]<00:03.00>bad<00:03.0x>end\n")
            .unwrap();
    assert_eq!(parsed.lyrics.lines[1].text, "bad<00:03.0x>end");
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].line, 2);
    assert!(matches!(parsed.warnings[0].kind, WarningKind::Ignored(_)));
}

#[test]
fn angle_brackets_that_are_not_stamps_stay_text() {
    let parsed = elrc::parse("[00:01.00]<00:01.00>I <3 <00:01.50>you<00:02.00>\n").unwrap();
    assert_eq!(parsed.lyrics.lines[0].text, "I <3 you");
}

#[test]
fn enhanced_lrc_round_trips_exactly() {
    let parsed = elrc::parse(TWINKLE).unwrap();
    let written = elrc::write(&parsed.lyrics);
    assert!(
        written.contains("[00:05.000]<00:05.000>Twin<00:05.400>kle <00:05.800>twin"),
        "{written}"
    );
    let again = elrc::parse(&written).unwrap();
    assert_eq!(again.lyrics.lines, parsed.lyrics.lines);
    assert_eq!(again.lyrics.meta.title, parsed.lyrics.meta.title);
}

#[test]
fn plain_lrc_written_from_enhanced_keeps_lines() {
    let parsed = elrc::parse(TWINKLE).unwrap();
    let plain = lrc::write(&parsed.lyrics);
    assert_eq!(
        plain,
        "[ti:Twinkle Twinkle Little Star]\n[ar:Traditional]\n\
         [00:05.00]Twinkle twinkle little star\n[00:09.00]How I wonder what you are\n[00:12.60]\n"
    );
}

#[test]
fn text_that_looks_like_a_stamp_survives_a_round_trip() {
    // In KRC, "<1:05>" is plain text; written as LRC unmarked, it would read back as a stamp.
    let parsed = lyrics::format::krc::parse("[1000,2000]score <1:05> now\n").unwrap();
    assert_eq!(parsed.lyrics.lines[0].text, "score <1:05> now");
    let written = lrc::write(&parsed.lyrics);
    assert!(!written.contains("<1:05>"), "{written}");
    let again = lrc::parse(&written).unwrap();
    assert_eq!(again.lyrics.lines[0].text, "score <1:05> now");
    let again = elrc::parse(&elrc::write(&parsed.lyrics)).unwrap();
    assert_eq!(again.lyrics.lines[0].text, "score <1:05> now");
}
