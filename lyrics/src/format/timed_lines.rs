//! What KRC, QRC and YRC share: LRC-like header tags and `[lineStartMs,lineDurMs]` line stamps,
//! with word stamps that differ per format.

use crate::error::{WarningKind, Warnings};
use crate::finish::Draft;
use crate::model::Meta;
use crate::time::SongTime;

/// One line of a `[start,duration]` file, classified.
pub(crate) enum Row<'a> {
    /// A header tag such as `[ti:…]`.
    Tag(&'a str, &'a str),
    /// A timed line: start and duration in ms, and the text after the stamp.
    Timed(i64, i64, &'a str),
    /// A line starting with `[` whose stamp cannot be read: the inside of the brackets.
    BadStamp(&'a str),
    /// Anything else.
    Other,
}

/// Classifies a trimmed line.
pub(crate) fn row(line: &str) -> Row<'_> {
    let Some(close) = line.strip_prefix('[').and_then(|r| r.find(']')) else {
        return Row::Other;
    };
    let inner = &line[1..=close];
    let rest = &line[close + 2..];
    if let Some((key, value)) = inner.split_once(':')
        && !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return Row::Tag(key, value.trim());
    }
    match inner
        .split_once(',')
        .and_then(|(a, b)| Some((millis(a)?, millis(b)?)))
    {
        Some((start, duration)) => Row::Timed(start, duration, rest),
        None => Row::BadStamp(inner),
    }
}

/// A non-negative whole number of milliseconds, at most twelve digits.
pub(crate) fn millis(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Reads a header tag into the metadata (all tags are kept in `meta.tags`).
pub(crate) fn read_tag(
    meta: &mut Meta,
    key: &str,
    value: &str,
    line: usize,
    warnings: &mut Warnings,
) {
    meta.tags.push((key.to_owned(), value.to_owned()));
    let text = || (!value.is_empty()).then(|| value.to_owned());
    match key.to_ascii_lowercase().as_str() {
        "ti" => meta.title = text(),
        "ar" => meta.artist = text(),
        "al" => meta.album = text(),
        "au" => meta.lyricist = text(),
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

/// Moves every time in `drafts` earlier by the file's offset, as LRC players read it.
pub(crate) fn apply_offset(drafts: &mut [Draft], offset_ms: i64) {
    let offset = SongTime::from_millis(offset_ms);
    for draft in drafts {
        draft.start -= offset;
        draft.end = draft.end.map(|e| e - offset);
        for word in &mut draft.words {
            word.start -= offset;
            word.end -= offset;
        }
    }
}
