//! KRC plain text (the decrypted form of Kugou's `.krc`):
//! `[lineStartMs,lineDurMs]<offsetMs,durMs,0>word<offsetMs,durMs,0>word…`.
//!
//! Word offsets count from the line's start. Header tags (`[ti:…]`, `[ar:…]`, `[offset:…]`,
//! `[language:…]`, …) are kept in the metadata; `offset` shifts times as in LRC. Read only;
//! encrypted files (`krc1` header) are out of scope.

use crate::detect::Format;
use crate::error::{Error, ParseErrorKind, Result, WarningKind, Warnings};
use crate::finish::{Draft, finish};
use crate::format::Parsed;
use crate::model::{LineBuilder, Meta, Voice};
use crate::text::{self, MAX_LINES, MAX_WORDS_PER_LINE, check_limit};
use crate::time::SongTime;

/// Reads KRC plain text.
pub fn parse(text: &str) -> Result<Parsed> {
    let mut warnings = Warnings::default();
    let mut meta = Meta::default();
    let mut drafts = Vec::new();
    for (number, raw) in text::lines(text) {
        check_limit("line count", number, MAX_LINES)?;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let error = |kind| Error::Parse {
            format: Format::Krc,
            line: number,
            kind,
        };
        let Some(close) = line.strip_prefix('[').and_then(|r| r.find(']')) else {
            warnings.push(number, WarningKind::UntimedLine);
            continue;
        };
        let inner = &line[1..=close];
        let rest = &line[close + 2..];
        if let Some((key, value)) = inner.split_once(':')
            && key.bytes().all(|b| b.is_ascii_alphabetic())
        {
            read_tag(&mut meta, key, value.trim(), number, &mut warnings);
            continue;
        }
        let (start, duration) =
            pair(inner).ok_or_else(|| error(ParseErrorKind::BadTimestamp(format!("[{inner}]"))))?;
        drafts.push(read_line(number, start, duration, rest)?);
    }
    if drafts.is_empty() {
        return Err(Error::Parse {
            format: Format::Krc,
            line: text::lines(text).count().max(1),
            kind: ParseErrorKind::NoLyrics,
        });
    }
    let offset = SongTime::from_millis(meta.applied_offset_ms);
    for draft in &mut drafts {
        draft.start -= offset;
        draft.end = draft.end.map(|e| e - offset);
        for word in &mut draft.words {
            word.start -= offset;
            word.end -= offset;
        }
    }
    let lyrics = finish(drafts, Vec::new(), meta, &mut warnings);
    Ok(Parsed::new(lyrics, Format::Krc, warnings))
}

fn read_tag(meta: &mut Meta, key: &str, value: &str, line: usize, warnings: &mut Warnings) {
    meta.tags.push((key.to_owned(), value.to_owned()));
    let text = || (!value.is_empty()).then(|| value.to_owned());
    match key.to_ascii_lowercase().as_str() {
        "ti" => meta.title = text(),
        "ar" => meta.artist = text(),
        "al" => meta.album = text(),
        "by" => meta.file_author = text(),
        "offset" => match value.trim_start_matches('+').parse::<i64>() {
            Ok(ms) if ms.abs() <= 86_400_000 => meta.applied_offset_ms = ms,
            _ => warnings.push(
                line,
                WarningKind::Ignored(format!("unreadable offset {value:?}")),
            ),
        },
        _ => {}
    }
}

/// `a,b` of non-negative integers (milliseconds).
fn pair(s: &str) -> Option<(i64, i64)> {
    let (a, b) = s.split_once(',')?;
    Some((millis(a)?, millis(b)?))
}

fn millis(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn read_line(number: usize, start_ms: i64, duration_ms: i64, rest: &str) -> Result<Draft> {
    let start = SongTime::from_millis(start_ms);
    let end = start + SongTime::from_millis(duration_ms);
    let mut builder = LineBuilder::new();
    // Pieces of (word start, word end, text) where each `<o,d,x>` times the text after it.
    let mut current: Option<(SongTime, SongTime)> = None;
    let mut text_start = 0;
    let mut cursor = 0;
    let mut timed = false;
    let bytes = rest.as_bytes();
    while let Some(open) = memchr::memchr(b'<', &bytes[cursor..]).map(|i| cursor + i) {
        let close = memchr::memchr(b'>', &bytes[open..]).map(|i| open + i);
        let stamp = close.and_then(|c| word_stamp(&rest[open + 1..c]));
        let (Some(close), Some((offset, duration))) = (close, stamp) else {
            cursor = open + 1;
            continue;
        };
        timed = true;
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
    if !timed {
        return Ok(Draft {
            source_line: number,
            start,
            end: Some(end),
            text: rest.to_owned(),
            words: Vec::new(),
            open_last_word: false,
            voice: Voice::P1,
        });
    }
    if let Some((s, e)) = current {
        builder.push(s, e, &rest[text_start..]);
    }
    let mut draft = Draft::from_builder(number, builder, Voice::P1);
    draft.start = draft.start.min(start);
    draft.end = draft.end.map(|e| e.max(end));
    Ok(draft)
}

/// `offset,duration,x` of a word stamp.
fn word_stamp(inner: &str) -> Option<(i64, i64)> {
    let mut parts = inner.split(',');
    let offset = millis(parts.next()?)?;
    let duration = millis(parts.next()?)?;
    parts.next()?.trim().parse::<i64>().ok()?;
    parts.next().is_none().then_some((offset, duration))
}
