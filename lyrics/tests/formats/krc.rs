use lyrics::format::krc;
use lyrics::{Error, Format};

use crate::{lines, words};

const KRC: &str = "\
[id:$00000000]
[ar:江苏民歌]
[ti:茉莉花]
[by:]
[hash:0123456789abcdef]
[total:90000]
[offset:0]
[language:eyJjb250ZW50IjpbXX0=]
[8500,4700]<0,600,0>好<600,500,0>一<1100,700,0>朵<1800,600,0>美<2400,500,0>丽<2900,600,0>的<3500,400,0>茉<3900,400,0>莉<4300,400,0>花
[13200,2000]<0,500,0>Jasmine <500,1500,0>flower
";

#[test]
fn word_offsets_count_from_the_line_start() {
    let parsed = krc::parse(KRC).unwrap();
    assert_eq!(parsed.format, Format::Krc);
    let lyrics = &parsed.lyrics;
    assert_eq!(lyrics.meta.title.as_deref(), Some("茉莉花"));
    assert_eq!(lyrics.meta.tag("hash"), Some("0123456789abcdef"));
    assert_eq!(
        lines(lyrics),
        [
            (8_500, 13_200, "好一朵美丽的茉莉花".to_string()),
            (13_200, 15_200, "Jasmine flower".to_string()),
        ]
    );
    let first = words(&lyrics.lines[0]);
    assert_eq!(first[0], (8_500, 9_100, "好"));
    assert_eq!(first[2], (9_600, 10_300, "朵"));
    assert_eq!(first[8], (12_800, 13_200, "花"));
    assert_eq!(
        words(&lyrics.lines[1]),
        [(13_200, 13_700, "Jasmine "), (13_700, 15_200, "flower")]
    );
}

#[test]
fn offset_applies_as_in_lrc() {
    let parsed = krc::parse("[offset:200]\n[1000,500]<0,500,0>a\n").unwrap();
    assert_eq!(lines(&parsed.lyrics), [(800, 1_300, "a".to_string())]);
}

#[test]
fn a_bad_line_stamp_is_an_error_with_its_line() {
    let err = krc::parse("[ti:x]\n[1000,500]<0,500,0>a\n[10x0,500]<0,500,0>b\n").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parse {
                format: Format::Krc,
                line: 3,
                ..
            }
        ),
        "{err}"
    );
}
