//! Word-timed lyrics: the base of ktv's song domain.
//!
//! This crate turns the lyric files that users have into one model and answers "where are we"
//! for any song time, fast enough to be asked every audio block and every video frame. It
//! depends on none of ktv's other crates; `scoring` and `render` build on it.
//!
//! # Layout
//! - [`time`]: [`SongTime`], the one type for a position in a song (lyrics, scoring, render).
//! - [`model`]: [`Lyrics`] `{ meta, lines, notes }`, word-timed [`Line`]s and [`Word`]s.
//! - [`melody`]: the reference melody, [`ReferenceNote`] `{ start, duration, pitch, kind, voice }`.
//! - [`format`]: one module per format (LRC and enhanced LRC, UltraStar, ASS, KRC, QRC, YRC,
//!   KTV-catalogue XML, and the pitch file that pairs with KRC/LRC), each with `parse` and,
//!   where the format can hold the model, `write`.
//! - [`encoding`] and [`detect`]: bytes to text (BOMs, UTF-16, GBK/GB18030, Windows-1252), and
//!   which format the text is in, by content with the file name as a hint.
//! - [`timeline`]: [`Timeline`] and [`Cursor`], the fast "where are we" queries.
//! - [`error`]: [`Error`] with line numbers, and the [`Warning`]s of repaired oddities.
//!
//! # Example
//! ```
//! use lyrics::{Hint, SongTime, Timeline};
//!
//! let file = "[ti:Twinkle]\n[00:01.00]<00:01.00>Twin<00:01.40>kle <00:01.80>star<00:02.60>\n";
//! let parsed = lyrics::parse(file.as_bytes(), Hint::none())?;
//! assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("Twinkle"));
//!
//! let timeline = Timeline::new(&parsed.lyrics);
//! let now = timeline.at(SongTime::from_millis(1_600));
//! assert_eq!(now.word, Some(1)); // "kle", half sung
//! assert!((now.word_progress - 0.5).abs() < 1e-6);
//! # Ok::<(), lyrics::Error>(())
//! ```

#![warn(clippy::unwrap_used)] // input data must never panic the process

pub mod detect;
pub mod encoding;
pub mod error;
mod file_format;
mod finish;
pub mod format;
#[doc(hidden)]
pub mod fuzz;
pub mod melody;
pub mod model;
mod text;
pub mod time;
pub mod timeline;

pub use detect::{Format, Hint, detect};
pub use error::{Error, ParseErrorKind, Result, Warning, WarningKind};
pub use format::Parsed;
pub use melody::{NoteKind, Pitch, ReferenceNote};
pub use model::{Line, LineBuilder, Lyrics, Media, Meta, Voice, Word, WordTiming};
pub use text::{MAX_FILE_BYTES, MAX_LINES, MAX_WORDS_PER_LINE};
pub use time::{ParseSongTimeError, SongTime};
pub use timeline::{Cursor, Phase, Position, Timeline, TimelineSettings};

/// Reads lyrics from the bytes of a file: detects the encoding and the format (by content,
/// with `hint` breaking ties), then parses.
pub fn parse(bytes: &[u8], hint: Hint) -> Result<Parsed> {
    text::check_limit("file size in bytes", bytes.len(), MAX_FILE_BYTES)?;
    let mut warnings = error::Warnings::default();
    let decoded = encoding::decode_with_warnings(bytes, &mut warnings);
    let format = detect(&decoded.text, hint).ok_or(Error::UnknownFormat)?;
    let mut parsed = parse_as(&decoded.text, format)?;
    parsed.encoding = decoded.encoding.name();
    if format == Format::UltraStar
        && format::ultrastar::requires_utf8(&parsed.lyrics.meta)
        && decoded.encoding != encoding_rs::UTF_8
    {
        warnings.push(
            0,
            WarningKind::Ignored(format!(
                "UltraStar 1.0 and later must be UTF-8; read as {}",
                decoded.encoding.name()
            )),
        );
    }
    let mut all = warnings.into_vec();
    all.append(&mut parsed.warnings);
    parsed.warnings = all;
    Ok(parsed)
}

/// Parses text known to be in `format`.
pub fn parse_as(text: &str, format: Format) -> Result<Parsed> {
    text::check_limit("file size in bytes", text.len(), MAX_FILE_BYTES)?;
    match format {
        Format::Lrc | Format::EnhancedLrc => format::lrc::parse(text),
        Format::UltraStar => format::ultrastar::parse(text),
        Format::Ass => format::ass::parse(text),
        Format::Krc => format::krc::parse(text),
        Format::Qrc => format::qrc::parse(text),
        Format::Yrc => format::yrc::parse(text),
        Format::KtvXml => format::ktv_xml::parse(text),
    }
}

/// Writes `lyrics` in `format`; `None` for formats this crate only reads (see
/// [`Format::is_writable`]).
pub fn write(lyrics: &Lyrics, format: Format) -> Option<String> {
    match format {
        Format::Lrc => Some(format::lrc::write(lyrics)),
        Format::EnhancedLrc => Some(format::elrc::write(lyrics)),
        Format::UltraStar => Some(format::ultrastar::write(lyrics)),
        _ => None,
    }
}
