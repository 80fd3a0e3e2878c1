//! QRC, YRC, KTV-catalogue XML and the pitch file: the formats of Chinese music apps and KTV
//! catalogues, with expected values written out by hand.

use lyrics::format::{ktv_xml, pitch, qrc, ultrastar, yrc};
use lyrics::{Error, Format, Hint, ParseErrorKind, Voice};

use crate::{lines, words};

#[test]
fn qrc_words_come_before_their_absolute_stamps() {
    let text = "[ti:茉莉花]\r\n[ar:江苏民歌]\r\n[offset:0]\r\n\
                [8500,1700]好(8500,600)一(9100,500)朵(9600,600)\r\n\
                [10200,1500]Jasmine (10200,700)(oh)(10900,800)\r\n";
    let parsed = qrc::parse(text).unwrap();
    assert_eq!(parsed.format, Format::Qrc);
    assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("茉莉花"));
    assert_eq!(
        words(&parsed.lyrics.lines[0]),
        [
            (8_500, 9_100, "好"),
            (9_100, 9_600, "一"),
            (9_600, 10_200, "朵")
        ]
    );
    // Parentheses in the text are text when they hold no stamp.
    assert_eq!(
        words(&parsed.lyrics.lines[1]),
        [(10_200, 10_900, "Jasmine "), (10_900, 11_700, "(oh)")]
    );
}

#[test]
fn qrc_inside_its_xml_wrapper_with_entities() {
    let text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<QrcInfos>\n\
        <QrcHeadInfo SaveTime=\"1\" Version=\"100\"/>\n<LyricInfo LyricCount=\"1\">\n\
        <Lyric_1 LyricType=\"1\" LyricContent=\"[ti:Rock &amp; Roll]&#10;[1000,1000]Rock (1000,400)&amp; (1400,200)&lt;roll&gt;(1600,400)&#10;\"/>\n\
        </LyricInfo>\n</QrcInfos>\n";
    let parsed = lyrics::parse(text.as_bytes(), Hint::none()).unwrap();
    assert_eq!(parsed.format, Format::Qrc);
    assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("Rock & Roll"));
    assert_eq!(
        lines(&parsed.lyrics),
        [(1_000, 2_000, "Rock & <roll>".to_string())]
    );
}

#[test]
fn yrc_stamps_come_before_their_words_and_credits_are_kept() {
    let text = "{\"t\":0,\"c\":[{\"tx\":\"作词: \"},{\"tx\":\"佚名\"}]}\n\
                {\"t\":1000,\"c\":[{\"tx\":\"作曲: \"},{\"tx\":\"法国民歌\"}]}\n\
                [2000,2000](2000,500,0)两(2500,500,0)只(3000,500,0)老(3500,500,0)虎\n\
                [4000,1500](4000,700,0)Are (4700,800,0)you\n";
    let parsed = lyrics::parse(text.as_bytes(), Hint::none()).unwrap();
    assert_eq!(parsed.format, Format::Yrc);
    assert_eq!(parsed.lyrics.meta.lyricist.as_deref(), Some("佚名"));
    assert_eq!(parsed.lyrics.meta.tag("credit"), Some("作词: 佚名"));
    assert_eq!(
        words(&parsed.lyrics.lines[0]),
        [
            (2_000, 2_500, "两"),
            (2_500, 3_000, "只"),
            (3_000, 3_500, "老"),
            (3_500, 4_000, "虎")
        ]
    );
    assert_eq!(
        words(&parsed.lyrics.lines[1]),
        [(4_000, 4_700, "Are "), (4_700, 5_500, "you")]
    );
}

#[test]
fn yrc_malformed_line_stamp_is_an_error_with_its_line() {
    let err = yrc::parse("{\"t\":0,\"c\":[]}\n[2000,x](2000,500,0)两\n").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parse {
                format: Format::Yrc,
                line: 2,
                ..
            }
        ),
        "{err}"
    );
}

// 两只老虎, first line: C4 D4 E4 C4, 500 ms each from 2.0 s. UltraStar pitch 0 is C4.
const ULTRASTAR: &str = "\
#TITLE:两只老虎
#ARTIST:法国民歌
#BPM:360
#GAP:2000
: 0 12 0 两
: 12 12 2 只
: 24 12 4 老
: 36 12 0 虎
E
";

// The same, as a KTV catalogue sees it: pitch in Hz (C4 = 261.626, D4 = 293.665, E4 = 329.628).
const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<song>\n  <general>\n    <name>两只老虎</name>\n    <singer>法国民歌</singer>\n    <type>1</type>\n  </general>\n\
  <midi_lrc>\n    <paragraph>\n      <sentence>\n\
        <tone begin=\"2.000\" end=\"2.500\" pitch=\"261.626\" pronounce=\"liang\" lang=\"1\"><word>两</word></tone>\n\
        <tone begin=\"2.500\" end=\"3.000\" pitch=\"293.665\" pronounce=\"zhi\" lang=\"1\"><word>只</word></tone>\n\
        <tone begin=\"3.000\" end=\"3.500\" pitch=\"329.628\" pronounce=\"lao\" lang=\"1\"><word>老</word></tone>\n\
        <tone begin=\"3.500\" end=\"4.000\" pitch=\"261.626\" pronounce=\"hu\" lang=\"1\"><word>虎</word></tone>\n\
      </sentence>\n    </paragraph>\n  </midi_lrc>\n</song>\n";

// The pitch file that pairs with KRC: pitch as semitone (MIDI) numbers, times in ms.
const PITCH: &str = r#"{"pitchDatas":[{"pitch":60,"startTime":2000,"duration":500},{"pitch":62,"startTime":2500,"duration":500},{"pitch":64,"startTime":3000,"duration":500},{"pitch":60,"startTime":3500,"duration":500}]}"#;

#[test]
fn catalogue_xml_reads_lines_words_and_melody() {
    let parsed = lyrics::parse(XML.as_bytes(), Hint::none()).unwrap();
    assert_eq!(parsed.format, Format::KtvXml);
    assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("两只老虎"));
    assert_eq!(parsed.lyrics.meta.artist.as_deref(), Some("法国民歌"));
    assert_eq!(
        lines(&parsed.lyrics),
        [(2_000, 4_000, "两只老虎".to_string())]
    );
    // A known note: 440 Hz is A4, MIDI 69, within a hundredth of a cent.
    let a4 = ktv_xml::parse(
        "<song><midi_lrc><paragraph><sentence><tone begin=\"1\" end=\"2\" pitch=\"440\"><word>la</word></tone></sentence></paragraph></midi_lrc></song>",
    )
    .unwrap();
    assert!((a4.lyrics.notes[0].pitch.midi() - 69.0).abs() < 1e-4);
}

#[test]
fn catalogue_xml_and_pitch_file_match_the_ultrastar_melody() {
    let reference = ultrastar::parse(ULTRASTAR).unwrap().lyrics.notes;
    let from_xml = ktv_xml::parse(XML).unwrap().lyrics.notes;
    let from_pitch = pitch::parse(PITCH).unwrap();
    for (name, notes) in [("catalogue XML", &from_xml), ("pitch file", &from_pitch)] {
        assert_eq!(notes.len(), reference.len(), "{name}");
        for (got, want) in notes.iter().zip(&reference) {
            let cents = got.pitch.cents_above(want.pitch).abs();
            assert!(cents <= 1.0, "{name}: {cents} cents off at {}", want.start);
            assert!(
                (got.start.as_micros() - want.start.as_micros()).abs() <= 1_000,
                "{name}"
            );
            assert!(
                (got.duration.as_micros() - want.duration.as_micros()).abs() <= 1_000,
                "{name}"
            );
            assert_eq!(got.voice, Voice::P1);
        }
    }
    // A catalogue that rounds its pitches to whole Hz (as many do) is off by up to ~3.5 cents:
    // the 1-cent check above would catch a melody read in the wrong unit or rounded.
    let rounded = XML
        .replace("261.626", "262")
        .replace("293.665", "294")
        .replace("329.628", "330");
    let notes = ktv_xml::parse(&rounded).unwrap().lyrics.notes;
    let worst = notes
        .iter()
        .zip(&reference)
        .map(|(g, w)| g.pitch.cents_above(w.pitch).abs())
        .fold(0.0f32, f32::max);
    assert!(worst > 1.0 && worst < 4.0, "{worst}");
}

#[test]
fn catalogue_xml_errors_name_the_line() {
    let broken = XML.replace("begin=\"3.000\"", "begin=\"three\"");
    let err = ktv_xml::parse(&broken).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parse {
                format: Format::KtvXml,
                line: 13,
                kind: ParseErrorKind::BadNumber { .. }
            }
        ),
        "{err}"
    );
    let unclosed = XML.replace("</sentence>", "");
    assert!(matches!(
        ktv_xml::parse(&unclosed).unwrap_err(),
        Error::Parse { .. }
    ));
}

#[test]
fn pitch_file_errors_and_rests() {
    let notes = pitch::parse(r#"{"pitchDatas":[{"pitch":0,"startTime":0,"duration":100},{"pitch":57,"startTime":100,"duration":100}]}"#).unwrap();
    assert_eq!(notes.len(), 1, "pitch 0 is a rest");
    assert!((notes[0].pitch.hz() - 220.0).abs() < 0.01);
    let err = pitch::parse("{\"pitchDatas\":[\n{\"pitch\":\"high\"}]}").unwrap_err();
    assert!(matches!(err, Error::PitchFile { line: 2, .. }), "{err}");
}
