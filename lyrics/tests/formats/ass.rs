use lyrics::format::ass;
use lyrics::{Error, Format, WordTiming};

use crate::{lines, words};

const KARAOKE: &str = "\
[Script Info]
Title: 两只老虎
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold
Style: Default,WenQuanYi Micro Hei,48,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Comment: 0,0:00:00.00,0:00:05.00,Default,,0,0,0,,this is not sung
Dialogue: 0,0:00:05.00,0:00:07.50,Default,,0,0,0,,{\\k50}两{\\k50}只{\\kf50}老{\\K100}虎
Dialogue: 0,0:00:08.00,0:00:10.00,Default,Ben,0,0,0,karaoke,{\\an8\\k40}Run {\\ko40}so {\\k30}fast,{\\k90}\\Nfriends
Dialogue: 0,0:00:11.00,0:00:13.00,Default,,0,0,0,,{\\i1}no karaoke tags, here{\\i0}
";

#[test]
fn karaoke_tags_time_syllables_from_the_line_start() {
    let parsed = ass::parse(KARAOKE).unwrap();
    assert_eq!(parsed.format, Format::Ass);
    assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("两只老虎"));
    let lyrics = &parsed.lyrics;
    assert_eq!(
        words(&lyrics.lines[0]),
        [
            (5_000, 5_500, "两"),
            (5_500, 6_000, "只"),
            (6_000, 6_500, "老"),
            (6_500, 7_500, "虎")
        ]
    );
    // Commas inside the text, override tags and \N are handled.
    assert_eq!(
        words(&lyrics.lines[1]),
        [
            (8_000, 8_400, "Run "),
            (8_400, 8_800, "so "),
            (8_800, 9_100, "fast, "),
            (9_100, 10_000, "friends")
        ]
    );
    assert_eq!(lyrics.lines[2].text, "no karaoke tags, here");
    assert_eq!(lyrics.lines[2].timing, WordTiming::Estimated);
    assert_eq!(lines(lyrics).len(), 3, "the Comment line is not lyrics");
}

#[test]
fn a_bad_time_is_an_error_with_its_line() {
    let text = "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:0x.00,0:00:02.00,Default,,0,0,0,,{\\k10}a\n";
    let err = ass::parse(text).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parse {
                format: Format::Ass,
                line: 3,
                ..
            }
        ),
        "{err}"
    );
}
