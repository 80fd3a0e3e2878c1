//! KRC plain text (the decrypted form of Kugou's `.krc`):
//! `[lineStartMs,lineDurMs]<offsetMs,durMs,0>word<offsetMs,durMs,0>word…`.
//!
//! Word offsets count from the line's start. Header tags (`[ti:…]`, `[ar:…]`, `[offset:…]`,
//! `[language:…]`, …) are kept in the metadata; `offset` shifts times as in LRC. Read only;
//! encrypted files (`krc1` header) are out of scope.

use crate::error::{Error, ParseErrorKind, Result, WarningKind, Warnings};
use crate::file_format::Format;
use crate::finish::{Draft, finish};
use crate::format::Parsed;
use crate::format::timed_lines::{self, Row, millis};
use crate::model::{LineBuilder, Meta, Voice};
use crate::text::{self, MAX_LINES, MAX_WORDS_PER_LINE, check_limit};
use crate::time::SongTime;

/// Reads KRC plain text.
pub fn parse(text: &str) -> Result<Parsed> {
    read(text, Format::Krc, krc_words)
}

/// Reads a `[start,duration]` file whose words `words` reads; shared with QRC and YRC.
pub(crate) fn read(
    text: &str,
    format: Format,
    words: fn(SongTime, &str) -> Result<Option<LineBuilder>>,
) -> Result<Parsed> {
    let mut warnings = Warnings::default();
    let mut meta = Meta::default();
    let mut drafts = Vec::new();
    for (number, raw) in text::lines(text) {
        check_limit("line count", number, MAX_LINES)?;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        match timed_lines::row(line) {
            Row::Tag(key, value) => {
                timed_lines::read_tag(&mut meta, key, value, number, &mut warnings)
            }
            Row::Timed(start_ms, duration_ms, rest) => {
                let start = SongTime::from_millis(start_ms);
                let end = start + SongTime::from_millis(duration_ms);
                let draft = match words(start, rest)? {
                    Some(builder) => {
                        let mut draft = Draft::from_builder(number, builder, Voice::P1);
                        draft.start = draft.start.min(start);
                        draft.end = draft.end.map(|e| e.max(end));
                        draft
                    }
                    None => Draft {
                        source_line: number,
                        start,
                        end: Some(end),
                        text: rest.to_owned(),
                        words: Vec::new(),
                        open_last_word: false,
                        voice: Voice::P1,
                    },
                };
                drafts.push(draft);
            }
            Row::BadStamp(inner) => {
                return Err(Error::Parse {
                    format,
                    line: number,
                    kind: ParseErrorKind::BadTimestamp(format!("[{inner}]")),
                });
            }
            Row::Other => warnings.push(number, WarningKind::UntimedLine),
        }
    }
    if drafts.is_empty() {
        return Err(Error::Parse {
            format,
            line: text::lines(text).count().max(1),
            kind: ParseErrorKind::NoLyrics,
        });
    }
    timed_lines::apply_offset(&mut drafts, meta.applied_offset_ms);
    let lyrics = finish(drafts, Vec::new(), meta, &mut warnings);
    Ok(Parsed::new(lyrics, format, warnings))
}

/// `<offset,duration,x>word…`: each stamp times the text after it, relative to the line.
fn krc_words(start: SongTime, rest: &str) -> Result<Option<LineBuilder>> {
    let mut builder = LineBuilder::new();
    let mut current: Option<(SongTime, SongTime)> = None;
    let mut text_start = 0;
    let mut cursor = 0;
    let bytes = rest.as_bytes();
    while let Some(open) = memchr::memchr(b'<', &bytes[cursor..]).map(|i| cursor + i) {
        let close = memchr::memchr(b'>', &bytes[open..]).map(|i| open + i);
        let stamp = close.and_then(|c| word_stamp(&rest[open + 1..c]));
        let (Some(close), Some((offset, duration))) = (close, stamp) else {
            cursor = open + 1;
            continue;
        };
        let text = &rest[text_start..open];
        match current {
            Some((s, e)) => builder.push(s, e, text),
            None if !text.trim().is_empty() => builder.push(start, start, text),
            None => {}
        }
        let word_start = start + SongTime::from_millis(offset);
        current = Some((word_start, word_start + SongTime::from_millis(duration)));
        text_start = close + 1;
        cursor = close + 1;
        check_limit("words on one line", builder.len() + 1, MAX_WORDS_PER_LINE)?;
    }
    let Some((s, e)) = current else {
        return Ok(None);
    };
    builder.push(s, e, &rest[text_start..]);
    Ok(Some(builder))
}

/// `offset,duration,x` of a word stamp.
fn word_stamp(inner: &str) -> Option<(i64, i64)> {
    let mut parts = inner.split(',');
    let offset = millis(parts.next()?)?;
    let duration = millis(parts.next()?)?;
    parts.next()?.trim().parse::<i64>().ok()?;
    parts.next().is_none().then_some((offset, duration))
}
