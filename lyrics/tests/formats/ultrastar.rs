use lyrics::format::ultrastar;
use lyrics::{Error, Format, NoteKind, ParseErrorKind, Voice, WarningKind};

use crate::{lines, words};

// BPM 300 → one beat = 60000 / (300 × 4) = 50 ms; GAP 1000 ms.
const SOLO: &str = "\
#TITLE:Twinkle Twinkle Little Star
#ARTIST:Traditional
#LANGUAGE:English
#MP3:twinkle.mp3
#VIDEO:twinkle.mp4
#COVER:twinkle.jpg
#EDITION:ktv demo
#BPM:300
#GAP:1000
: 0 8 0 Twin
: 8 8 0 kle
: 16 8 7  twin
* 24 8 7 kle
: 32 8 9  lit
: 40 8 9 tle
: 48 12 7  star
: 60 4 5 ~
- 70
R 80 8 5 How
F 88 8 0  I
G 96 8 4  won
: 104 8 2 der
E
";

#[test]
fn headers_notes_and_line_breaks() {
    let parsed = ultrastar::parse(SOLO).unwrap();
    assert_eq!(parsed.format, Format::UltraStar);
    let lyrics = &parsed.lyrics;
    assert_eq!(
        lyrics.meta.title.as_deref(),
        Some("Twinkle Twinkle Little Star")
    );
    assert_eq!(lyrics.meta.language.as_deref(), Some("English"));
    // Unknown and media tags are kept, in file order.
    assert_eq!(lyrics.meta.tag("MP3"), Some("twinkle.mp3"));
    assert_eq!(lyrics.meta.tag("edition"), Some("ktv demo"));
    assert_eq!(
        lines(lyrics),
        [
            (1_000, 4_200, "Twinkle twinkle little star".to_string()),
            (5_000, 6_600, "How I wonder".to_string()),
        ]
    );
    // The held note `~` extends "star" to the end of its second note.
    assert_eq!(
        words(&lyrics.lines[0]),
        [
            (1_000, 1_400, "Twin"),
            (1_400, 1_800, "kle "),
            (1_800, 2_200, "twin"),
            (2_200, 2_600, "kle "),
            (2_600, 3_000, "lit"),
            (3_000, 3_400, "tle "),
            (3_400, 4_200, "star"),
        ]
    );
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn notes_are_the_reference_melody() {
    let parsed = ultrastar::parse(SOLO).unwrap();
    let notes = &parsed.lyrics.notes;
    assert_eq!(notes.len(), 12);
    let n = |i: usize| {
        let n = &notes[i];
        (
            n.start.as_millis(),
            n.duration.as_millis(),
            n.pitch.midi(),
            n.kind,
        )
    };
    // Pitch 0 is middle C, MIDI 60.
    assert_eq!(n(0), (1_000, 400, 60.0, NoteKind::Normal));
    assert_eq!(n(3), (2_200, 400, 67.0, NoteKind::Golden));
    assert_eq!(n(7), (4_000, 200, 65.0, NoteKind::Normal));
    assert_eq!(n(8), (5_000, 400, 65.0, NoteKind::Rap));
    assert_eq!(n(9), (5_400, 400, 60.0, NoteKind::Freestyle));
    assert_eq!(n(10), (5_800, 400, 64.0, NoteKind::GoldenRap));
    assert!((notes[0].pitch.hz() - 261.63).abs() < 0.01);
    assert!(notes.iter().all(|n| n.voice == Voice::P1));
}

const DUET: &str = "\
#TITLE:Oh! Susanna (Duet)
#ARTIST:Stephen Foster
#DUETSINGERP1:Anna
#DUETSINGERP2:Ben
#BPM:240,5
#GAP:2000,5
P1
: 0 4 2 I
: 4 4 4  come
- 10
: 40 4 5 Oh
: 44 4 7  Su
P2
: 20 4 -3 From
: 24 4 0  Ala
- 30
: 40 4 5 Oh
: 44 4 7  Su
E
";

#[test]
fn duet_voices_and_shared_lines() {
    let parsed = ultrastar::parse(DUET).unwrap();
    let lyrics = &parsed.lyrics;
    // One beat = 60000 / (240.5 × 4) ms ≈ 62.37 ms; GAP 2000.5 ms (decimal commas).
    let beat = 60_000.0 / (240.5 * 4.0);
    let at = |b: f64| ((2_000.5 + b * beat) * 1000.0).round() as i64;
    let got: Vec<(i64, &str, Voice)> = lyrics
        .lines
        .iter()
        .map(|l| (l.start.as_micros(), l.text.as_str(), l.voice))
        .collect();
    assert_eq!(
        got,
        [
            (at(0.0), "I come", Voice::P1),
            (at(20.0), "From Ala", Voice::P2),
            (at(40.0), "Oh Su", Voice::Both),
        ]
    );
    assert_eq!(
        lyrics.meta.voice_names,
        [Some("Anna".into()), Some("Ben".into())]
    );
    let p2_notes: Vec<f32> = lyrics
        .notes
        .iter()
        .filter(|n| n.voice == Voice::P2)
        .map(|n| n.pitch.midi())
        .collect();
    assert_eq!(p2_notes, [57.0, 60.0, 65.0, 67.0]);
    assert_eq!(lyrics.notes.len(), 8);
    // Duet sections are in voice order, not time order; that is the format, not an oddity.
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn relative_mode_counts_beats_from_each_line_break() {
    let text = "#TITLE:r\n#BPM:150\n#GAP:0\n#RELATIVE:YES\n: 0 2 0 a\n: 2 2 0 b\n- 4 10\n: 0 2 0 c\n- 4\n: 0 2 0 d\nE\n";
    // One beat = 100 ms. The second line starts at beat 10, the third at 10 + 4 = 14.
    let parsed = ultrastar::parse(text).unwrap();
    let starts: Vec<i64> = parsed
        .lyrics
        .lines
        .iter()
        .map(|l| l.start.as_millis())
        .collect();
    assert_eq!(starts, [0, 1_000, 1_400]);
}

#[test]
fn oddities_are_repaired_with_warnings() {
    let text = "#TITLE:x\n#TITLE:y\n#BPM:300\n\n: 0 10 0 a\n: 5 10 0 b\nE\ntrailing words\n";
    let parsed = ultrastar::parse(text).unwrap();
    let kinds: Vec<(usize, WarningKind)> = parsed
        .warnings
        .iter()
        .map(|w| (w.line, w.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (2, WarningKind::DuplicateTag("TITLE".into())),
            (4, WarningKind::EmptyLine),
            (6, WarningKind::OverlappingNotes),
            (8, WarningKind::TrailingGarbage),
        ]
    );
    assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("x"));
    // The overlapped note was shortened to end where the next begins.
    assert_eq!(parsed.lyrics.notes[0].duration.as_millis(), 250);
}

#[test]
fn malformed_input_is_an_error_with_its_line() {
    let err = ultrastar::parse("#TITLE:x\n#BPM:300\n: 0 four 0 a\n").unwrap_err();
    assert_eq!(
        err,
        Error::Parse {
            format: Format::UltraStar,
            line: 3,
            kind: ParseErrorKind::BadNumber {
                what: "a length in beats",
                found: "four".into()
            }
        }
    );
    let err = ultrastar::parse("#TITLE:x\n: 0 4 0 a\n").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parse {
                line: 2,
                kind: ParseErrorKind::Missing(_),
                ..
            }
        ),
        "{err}"
    );
    let err = ultrastar::parse("#TITLE:x\n#BPM:0\n: 0 4 0 a\n").unwrap_err();
    assert!(matches!(err, Error::Parse { line: 2, .. }), "{err}");
    let err = ultrastar::parse("#TITLE:x\n#BPM:300\n: 0 4 0 a\nX what\n").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parse {
                line: 4,
                kind: ParseErrorKind::UnexpectedLine(_),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn ultrastar_round_trips_notes_and_words() {
    let parsed = ultrastar::parse(SOLO).unwrap();
    let written = ultrastar::write(&parsed.lyrics);
    assert!(
        written.starts_with("#TITLE:Twinkle Twinkle Little Star\n#ARTIST:Traditional\n"),
        "{written}"
    );
    assert!(written.contains("#MP3:twinkle.mp3\n"), "{written}");
    assert!(written.contains("#BPM:300\n#GAP:1000\n"), "{written}");
    assert!(
        written.contains(": 48 12 7  star\n: 60 4 5 ~\n- 64\nR 80 8 5 How\n"),
        "{written}"
    );
    let again = ultrastar::parse(&written).unwrap();
    assert_eq!(again.lyrics.lines, parsed.lyrics.lines);
    assert_eq!(again.lyrics.notes, parsed.lyrics.notes);
}

#[test]
fn duets_round_trip() {
    let parsed = ultrastar::parse(DUET).unwrap();
    let written = ultrastar::write(&parsed.lyrics);
    assert!(written.contains("#DUETSINGERP1:Anna\n"), "{written}");
    let again = ultrastar::parse(&written).unwrap();
    assert_eq!(again.lyrics.lines, parsed.lyrics.lines);
    assert_eq!(again.lyrics.notes, parsed.lyrics.notes);
}
