//! YRC (NetEase Cloud Music's word-timed lyrics):
//! `[lineStartMs,lineDurMs](startMs,durMs,0)word(startMs,durMs,0)word…`.
//!
//! Each stamp comes *before* its word and the times are absolute; the third field is unused.
//! JSON credit lines at the top (`{"t":0,"c":[{"tx":"作词: "},{"tx":"…"}]}`) are kept in the
//! metadata as `credit` tags, and a `作词` credit names the lyricist. Read only.

use serde::Deserialize;

use crate::error::{Result, WarningKind};
use crate::file_format::Format;
use crate::format::Parsed;
use crate::format::krc;
use crate::format::timed_lines::millis;
use crate::model::LineBuilder;
use crate::text::{self, MAX_WORDS_PER_LINE, check_limit};
use crate::time::SongTime;

/// Reads YRC.
pub fn parse(text: &str) -> Result<Parsed> {
    let mut credits = Vec::new();
    let mut body = String::with_capacity(text.len());
    for (number, line) in text::lines(text) {
        if line.trim_start().starts_with('{') {
            credits.push((number, credit(line)));
        } else {
            body.push_str(line);
        }
        // Keep line numbers: the body has one line for every line of the file.
        body.push('\n');
    }
    let mut parsed = krc::read(&body, Format::Yrc, yrc_words)?;
    for (number, credit) in credits {
        match credit {
            Some(credit) => {
                if let Some(name) = credit
                    .strip_prefix("作词")
                    .map(|r| r.trim_start_matches([':', '：', ' ']).trim())
                {
                    parsed.lyrics.meta.lyricist = Some(name.to_owned());
                }
                parsed.lyrics.meta.tags.push(("credit".into(), credit));
            }
            None => parsed.warnings.push(crate::Warning {
                line: number,
                kind: WarningKind::Ignored("unreadable JSON credit line".into()),
            }),
        }
    }
    Ok(parsed)
}

#[derive(Deserialize)]
struct Credit {
    c: Vec<Piece>,
}

#[derive(Deserialize)]
struct Piece {
    tx: String,
}

/// The text of a JSON credit line, its pieces joined.
fn credit(line: &str) -> Option<String> {
    let credit: Credit = serde_json::from_str(line).ok()?;
    let text: String = credit.c.iter().map(|p| p.tx.as_str()).collect();
    Some(text.trim().to_owned())
}

/// `(start,duration,x)word…`: each stamp times the text after it, in absolute ms.
fn yrc_words(line_start: SongTime, rest: &str) -> Result<Option<LineBuilder>> {
    let mut builder = LineBuilder::new();
    let mut current: Option<(SongTime, SongTime)> = None;
    let mut text_start = 0;
    let mut cursor = 0;
    let bytes = rest.as_bytes();
    while let Some(open) = memchr::memchr(b'(', &bytes[cursor..]).map(|i| cursor + i) {
        let close = memchr::memchr(b')', &bytes[open..]).map(|i| open + i);
        let stamp = close.and_then(|c| {
            let mut parts = rest[open + 1..c].split(',');
            let start = millis(parts.next()?)?;
            let duration = millis(parts.next()?)?;
            parts.next()?.trim().parse::<i64>().ok()?;
            parts.next().is_none().then_some((start, duration))
        });
        let (Some(close), Some((start, duration))) = (close, stamp) else {
            cursor = open + 1;
            continue;
        };
        let text = &rest[text_start..open];
        match current {
            Some((s, e)) => builder.push(s, e, text),
            None if !text.trim().is_empty() => builder.push(line_start, line_start, text),
            None => {}
        }
        let start = SongTime::from_millis(start);
        current = Some((start, start + SongTime::from_millis(duration)));
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
