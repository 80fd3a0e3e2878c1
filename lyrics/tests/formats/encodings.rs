//! Whole files as bytes: encoding, line ends and format detected together.

use std::path::Path;

use lyrics::{Format, Hint, WarningKind};

use crate::lines;

const JASMINE: &str = "[ti:茉莉花]\n[00:01.00]好一朵美丽的茉莉花\n[00:05.00]芬芳美丽满枝桠\n[00:09.00]又香又白人人夸\n[00:13.00]\n";

fn expected() -> Vec<(i64, i64, String)> {
    vec![
        (1_000, 5_000, "好一朵美丽的茉莉花".into()),
        (5_000, 9_000, "芬芳美丽满枝桠".into()),
        (9_000, 13_000, "又香又白人人夸".into()),
    ]
}

#[test]
fn gbk_lrc() {
    let (bytes, _, _) = encoding_rs::GBK.encode(JASMINE);
    let parsed = lyrics::parse(&bytes, Hint::from_path(Path::new("jasmine.lrc"))).unwrap();
    assert_eq!(parsed.encoding, "gb18030");
    assert_eq!(parsed.format, Format::Lrc);
    assert_eq!(lines(&parsed.lyrics), expected());
}

#[test]
fn utf16_le_and_be_with_crlf() {
    let crlf = JASMINE.replace('\n', "\r\n");
    for (bom, little) in [([0xFF, 0xFE], true), ([0xFE, 0xFF], false)] {
        let mut bytes = bom.to_vec();
        for unit in crlf.encode_utf16() {
            bytes.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        let parsed = lyrics::parse(&bytes, Hint::none()).unwrap();
        assert_eq!(
            parsed.encoding,
            if little { "UTF-16LE" } else { "UTF-16BE" }
        );
        assert_eq!(lines(&parsed.lyrics), expected());
    }
}

#[test]
fn utf8_bom_mixed_line_ends_and_a_bom_in_the_middle() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(
        "[ti:茉莉花]\r\n[00:01.00]好一朵美丽的茉莉花\n[00:05.00]\u{FEFF}芬芳美丽满枝桠\r[00:09.00]又香又白人人夸\r\n[00:13.00]\n"
            .as_bytes(),
    );
    let parsed = lyrics::parse(&bytes, Hint::none()).unwrap();
    assert_eq!(parsed.encoding, "UTF-8");
    assert_eq!(lines(&parsed.lyrics), expected());
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].line, 3);
    assert_eq!(parsed.warnings[0].kind, WarningKind::BomInText);
}

#[test]
fn windows_1252_ultrastar_with_its_encoding_tag() {
    let text = "#TITLE:Frère Jacques\n#ARTIST:Traditionnel\n#ENCODING:CP1252\n#BPM:200\n#GAP:500\n: 0 4 0 Frè\n: 4 4 2 re\n: 8 4 4  Jac\n: 12 4 0 ques\nE\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let parsed = lyrics::parse(&bytes, Hint::from_path(Path::new("song.txt"))).unwrap();
    assert_eq!(parsed.encoding, "windows-1252");
    assert_eq!(parsed.format, Format::UltraStar);
    assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("Frère Jacques"));
    assert_eq!(parsed.lyrics.lines[0].text, "Frère Jacques");
}

#[test]
fn iso_8859_1_ultrastar_without_a_tag() {
    let text = "#TITLE:Über den Wolken\n#ARTIST:Reinhard Mey\n#BPM:200\n: 0 4 0 Ü\n: 4 4 2 ber\n: 8 4 4  den\n: 12 4 0  Wol\n: 16 4 0 ken, \n: 20 4 0 muss \n: 24 4 0 die \n: 28 4 0 Frei\n: 32 4 0 heit \n: 36 4 0 wohl \n: 40 4 0 gren\n: 44 4 0 zen\n: 48 4 0 los \n: 52 4 0 sein, \n: 56 4 0 schön\nE\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let parsed = lyrics::parse(&bytes, Hint::none()).unwrap();
    assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("Über den Wolken"));
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let huge = vec![b'a'; lyrics::MAX_FILE_BYTES + 1];
    let err = lyrics::parse(&huge, Hint::none()).unwrap_err();
    assert!(matches!(err, lyrics::Error::Limit { .. }), "{err}");
}
