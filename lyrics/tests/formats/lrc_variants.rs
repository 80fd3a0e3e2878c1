//! LRC's other habits: per-word `[mm:ss.xx]` stamps inside a line, and duet prefixes.

use lyrics::Voice;
use lyrics::format::{elrc, lrc};

use crate::words;

#[test]
fn inline_bracket_stamps_time_words_after_the_text_begins() {
    let parsed = lrc::parse("[00:12.00]He[00:12.40]llo [00:12.80]world[00:13.50]\n").unwrap();
    assert_eq!(
        words(&parsed.lyrics.lines[0]),
        [
            (12_000, 12_400, "He"),
            (12_400, 12_800, "llo "),
            (12_800, 13_500, "world")
        ]
    );
    assert_eq!(parsed.format, lyrics::Format::EnhancedLrc);
    // Leading stamps are still line stamps: this line repeats, it has no word stamps.
    let parsed = lrc::parse("[00:01.00][00:05.00]chorus\n").unwrap();
    assert_eq!(parsed.lyrics.lines.len(), 2);
}

#[test]
fn duet_prefixes_name_the_singer_until_the_next() {
    let text = "[00:01.00]M: I come from Alabama\n[00:04.00]with a banjo\n\
                [00:07.00]F: Oh Susanna\n[00:10.00]D: don't you cry for me\n\
                [00:13.00]男：你好\n[00:15.00]女：再见\n[00:17.00]合：一起唱\n[00:19.00]\n";
    let parsed = lrc::parse(text).unwrap();
    let got: Vec<(&str, Voice)> = parsed
        .lyrics
        .lines
        .iter()
        .map(|l| (l.text.as_str(), l.voice))
        .collect();
    assert_eq!(
        got,
        [
            ("I come from Alabama", Voice::P1),
            ("with a banjo", Voice::P1),
            ("Oh Susanna", Voice::P2),
            ("don't you cry for me", Voice::Both),
            ("你好", Voice::P1),
            ("再见", Voice::P2),
            ("一起唱", Voice::Both),
        ]
    );
    // Both LRC writers keep the singers.
    for written in [lrc::write(&parsed.lyrics), elrc::write(&parsed.lyrics)] {
        let again = lrc::parse(&written).unwrap();
        let voices: Vec<Voice> = again.lyrics.lines.iter().map(|l| l.voice).collect();
        let expected: Vec<Voice> = got.iter().map(|g| g.1).collect();
        assert_eq!(voices, expected, "{written}");
    }
}
