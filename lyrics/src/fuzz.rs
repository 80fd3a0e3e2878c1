//! The checks the fuzz targets run, shared with the corpus replay test so that stable CI
//! replays every input the fuzzer ever kept.
//!
//! Reading must never panic, and whatever a reader accepts must survive every writer: the
//! written text must read back (with the same number of lines, for the LRC forms).

use crate::{Format, Hint, Lyrics};

/// Reads `text` as `format`; if it reads, checks every writer.
pub fn check_text(text: &str, format: Format) {
    if let Ok(parsed) = crate::parse_as(text, format) {
        check_writers(&parsed.lyrics);
    }
}

/// Reads `bytes` as a file (encoding and format detected); if it reads, checks every writer.
pub fn check_bytes(bytes: &[u8]) {
    if let Ok(parsed) = crate::parse(bytes, Hint::none()) {
        check_writers(&parsed.lyrics);
    }
}

/// Reads `text` as a pitch file; it must not panic, whatever it is.
pub fn check_pitch(text: &str) {
    let _ = crate::format::pitch::parse(text);
}

fn check_writers(lyrics: &Lyrics) {
    if lyrics.lines.is_empty() {
        // Nothing to write: every writable format needs at least one line.
        return;
    }
    for format in [Format::Lrc, Format::EnhancedLrc, Format::UltraStar] {
        let Some(written) = crate::write(lyrics, format) else {
            continue;
        };
        let again = crate::parse_as(&written, format).unwrap_or_else(|e| {
            panic!("{format} written from parsed lyrics does not read: {e}\n{written}")
        });
        // UltraStar only says "both singers" through identical P1 and P2 lines, and repairs
        // overlapping notes by shortening them, so a hostile file may regroup its lines on the
        // second read; it must still read, with lines. The LRC forms keep every line.
        if format == Format::UltraStar {
            assert!(
                !again.lyrics.lines.is_empty(),
                "UltraStar lost every line:\n{written}"
            );
        } else {
            assert_eq!(
                again.lyrics.lines.len(),
                lyrics.lines.len(),
                "{format} lost or gained lines:\n{written}"
            );
        }
    }
}
