//! QRC plain text (QQ Music's word-timed lyrics, after decryption):
//! `[lineStartMs,lineDurMs]word(startMs,durMs)word(startMs,durMs)…`.
//!
//! Each word comes *before* its stamp and the times are absolute. Files usually sit inside an
//! XML wrapper, `<QrcInfos>…<Lyric_1 LyricType="1" LyricContent="…"/>…`; the content attribute
//! is unwrapped and its XML entities decoded. Header tags and `offset` work as in KRC. Read
//! only; encrypted downloads are out of scope.

use std::borrow::Cow;

use crate::error::{Error, ParseErrorKind, Result};
use crate::file_format::Format;
use crate::format::Parsed;
use crate::format::krc;
use crate::format::timed_lines::millis;
use crate::model::LineBuilder;
use crate::text::{MAX_WORDS_PER_LINE, check_limit};
use crate::time::SongTime;

/// Reads QRC plain text, bare or in its XML wrapper.
pub fn parse(text: &str) -> Result<Parsed> {
    let content = unwrap_xml(text)?;
    krc::read(&content, Format::Qrc, qrc_words)
}

/// The `LyricContent` attribute's text with entities decoded, or `text` if it is not wrapped.
fn unwrap_xml(text: &str) -> Result<Cow<'_, str>> {
    const ATTRIBUTE: &str = "LyricContent=\"";
    let Some(at) = text.find(ATTRIBUTE) else {
        return Ok(Cow::Borrowed(text));
    };
    let value_start = at + ATTRIBUTE.len();
    let line = text[..at].bytes().filter(|&b| b == b'\n').count() + 1;
    let value_end = text[value_start..]
        .find('"')
        .map(|i| value_start + i)
        .ok_or(Error::Parse {
            format: Format::Qrc,
            line,
            kind: ParseErrorKind::Missing("the closing quote of LyricContent"),
        })?;
    let value = &text[value_start..value_end];
    quick_xml::escape::unescape(value)
        .map(|v| Cow::Owned(v.into_owned()))
        .map_err(|e| Error::Parse {
            format: Format::Qrc,
            line,
            kind: ParseErrorKind::Malformed(format!("LyricContent: {e}")),
        })
}

/// `word(start,duration)…`: each stamp times the text before it, in absolute ms.
fn qrc_words(_line_start: SongTime, rest: &str) -> Result<Option<LineBuilder>> {
    let mut builder = LineBuilder::new();
    let mut text_start = 0;
    let mut cursor = 0;
    let bytes = rest.as_bytes();
    while let Some(open) = memchr::memchr(b'(', &bytes[cursor..]).map(|i| cursor + i) {
        let close = memchr::memchr(b')', &bytes[open..]).map(|i| open + i);
        let stamp = close.and_then(|c| {
            let (a, b) = rest[open + 1..c].split_once(',')?;
            Some((millis(a)?, millis(b)?))
        });
        let (Some(close), Some((start, duration))) = (close, stamp) else {
            cursor = open + 1;
            continue;
        };
        let start = SongTime::from_millis(start);
        builder.push(
            start,
            start + SongTime::from_millis(duration),
            &rest[text_start..open],
        );
        text_start = close + 1;
        cursor = close + 1;
        check_limit("words on one line", builder.len() + 1, MAX_WORDS_PER_LINE)?;
    }
    if builder.is_empty() {
        return Ok(None);
    }
    // Text after the last stamp has no time of its own: it belongs to the last word.
    let tail = &rest[text_start..];
    if !tail.trim().is_empty() {
        builder.extend_last(tail, SongTime::ZERO);
    }
    Ok(Some(builder))
}
