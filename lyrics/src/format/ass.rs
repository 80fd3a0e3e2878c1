//! ASS/SSA subtitles with karaoke tags: `Dialogue` lines of the `[Events]` section whose text
//! times syllables with `{\k}` tags.
//!
//! `\k`, `\K`, `\kf` and `\ko` all give the duration, in centiseconds, of the syllable that
//! follows; syllables follow each other from the line's start. Styles, positions and other
//! override tags are ignored; `\N` and `\n` become spaces. A `Dialogue` line without karaoke
//! tags is line-timed. Read only.

use crate::error::{Error, ParseErrorKind, Result, Warnings};
use crate::file_format::Format;
use crate::finish::{Draft, finish};
use crate::format::Parsed;
use crate::model::{LineBuilder, Meta, Voice};
use crate::text::{self, MAX_LINES, MAX_WORDS_PER_LINE, check_limit};
use crate::time::SongTime;

/// The `[Events]` fields of ASS v4+ (and, position for position, SSA v4) when no `Format:`
/// line says otherwise.
const DEFAULT_FIELDS: [&str; 10] = [
    "layer", "start", "end", "style", "name", "marginl", "marginr", "marginv", "effect", "text",
];

/// Reads the karaoke lines of an ASS or SSA file.
pub fn parse(text: &str) -> Result<Parsed> {
    let mut warnings = Warnings::default();
    let mut meta = Meta::default();
    let mut section = String::new();
    let mut fields: Vec<String> = DEFAULT_FIELDS.iter().map(|f| f.to_string()).collect();
    let mut drafts = Vec::new();
    for (number, raw) in text::lines(text) {
        check_limit("line count", number, MAX_LINES)?;
        let line = raw.trim();
        if line.starts_with('[') && line.ends_with(']') {
            section = line.to_ascii_lowercase();
            continue;
        }
        let Some((kind, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim_start();
        match (section.as_str(), kind) {
            ("[script info]", "Title") if !value.is_empty() => {
                meta.title = Some(value.to_owned());
                meta.tags.push(("Title".into(), value.to_owned()));
            }
            ("[events]", "Format") => {
                fields = value
                    .split(',')
                    .map(|f| f.trim().to_ascii_lowercase())
                    .collect();
            }
            ("[events]", "Dialogue") => drafts.push(dialogue(number, value, &fields)?),
            _ => {}
        }
    }
    if drafts.is_empty() {
        return Err(Error::Parse {
            format: Format::Ass,
            line: text::lines(text).count().max(1),
            kind: ParseErrorKind::NoLyrics,
        });
    }
    let lyrics = finish(drafts, Vec::new(), meta, &mut warnings);
    Ok(Parsed::new(lyrics, Format::Ass, warnings))
}

fn dialogue(number: usize, value: &str, fields: &[String]) -> Result<Draft> {
    let error = |kind| Error::Parse {
        format: Format::Ass,
        line: number,
        kind,
    };
    // The text is the last field and may itself contain commas.
    let values: Vec<&str> = value.splitn(fields.len().max(1), ',').collect();
    let field = |name: &str| {
        fields
            .iter()
            .position(|f| f == name)
            .and_then(|i| values.get(i))
            .map(|v| v.trim())
            .ok_or_else(|| error(ParseErrorKind::Missing("a Start, End or Text field")))
    };
    let start = time(field("start")?).ok_or_else(|| {
        error(ParseErrorKind::BadTimestamp(
            field("start").unwrap_or_default().into(),
        ))
    })?;
    let end = time(field("end")?).ok_or_else(|| {
        error(ParseErrorKind::BadTimestamp(
            field("end").unwrap_or_default().into(),
        ))
    })?;
    let raw_text = fields
        .iter()
        .position(|f| f == "text")
        .and_then(|i| values.get(i).copied())
        .ok_or_else(|| error(ParseErrorKind::Missing("a Text field")))?;
    let (builder, timed) = syllables(raw_text, start)?;
    if !timed {
        return Ok(Draft {
            source_line: number,
            start,
            end: Some(end.max(start)),
            text: plain_text(raw_text),
            words: Vec::new(),
            open_last_word: false,
            voice: Voice::P1,
        });
    }
    let mut draft = Draft::from_builder(number, builder, Voice::P1);
    draft.start = start;
    draft.end = Some(end.max(draft.end.unwrap_or(start)));
    Ok(draft)
}

/// `h:mm:ss.cc` (or with milliseconds).
fn time(s: &str) -> Option<SongTime> {
    let mut parts = s.splitn(3, ':');
    let hours: i64 = parts.next()?.trim().parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next()?.parse().ok()?;
    if !(0..1000).contains(&hours) || !(0..60).contains(&minutes) || !(0.0..60.0).contains(&seconds)
    {
        return None;
    }
    Some(SongTime::from_secs_f64(
        (hours * 3600 + minutes * 60) as f64 + seconds,
    ))
}

/// Splits the text into syllables at karaoke tags; `false` if there were none.
fn syllables(raw: &str, start: SongTime) -> Result<(LineBuilder, bool)> {
    let mut builder = LineBuilder::new();
    let mut cursor = start;
    let mut pending: Option<(SongTime, SongTime)> = None;
    let mut text = String::new();
    let mut timed = false;
    let mut rest = raw;
    loop {
        let (plain, after) = match rest.find('{') {
            Some(open) => (&rest[..open], Some(&rest[open + 1..])),
            None => (rest, None),
        };
        text.push_str(&unescape(plain));
        let Some(after) = after else { break };
        let close = after.find('}').unwrap_or(after.len());
        for tag in after[..close].split('\\').skip(1) {
            let Some(centis) = karaoke_duration(tag) else {
                continue;
            };
            timed = true;
            if let Some((s, e)) = pending.take() {
                builder.push(s, e, &text);
            } else if !text.trim().is_empty() {
                builder.push(start, start, &text);
            }
            text.clear();
            let end = cursor + SongTime::from_millis(centis * 10);
            pending = Some((cursor, end));
            cursor = end;
            check_limit("words on one line", builder.len() + 1, MAX_WORDS_PER_LINE)?;
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    if let Some((s, e)) = pending {
        builder.push(s, e, &text);
    }
    Ok((builder, timed))
}

/// The duration in centiseconds of a `k`, `K`, `kf` or `ko` tag (without its backslash).
fn karaoke_duration(tag: &str) -> Option<i64> {
    let digits = tag
        .strip_prefix("kf")
        .or_else(|| tag.strip_prefix("ko"))
        .or_else(|| tag.strip_prefix('k'))
        .or_else(|| tag.strip_prefix('K'))?;
    let value: i64 = digits.trim().parse().ok()?;
    Some(value.clamp(0, 360_000))
}

/// Text without override blocks, with `\N`, `\n` and `\h` as spaces.
fn plain_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find('{') {
        out.push_str(&unescape(&rest[..open]));
        rest = rest[open..].find('}').map_or("", |c| &rest[open + c + 1..]);
    }
    out.push_str(&unescape(rest));
    out
}

fn unescape(s: &str) -> String {
    s.replace("\\N", " ")
        .replace("\\n", " ")
        .replace("\\h", " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_times_with_centiseconds_and_millis() {
        assert_eq!(time("0:01:02.50"), Some(SongTime::from_millis(62_500)));
        assert_eq!(time("1:00:00.005"), Some(SongTime::from_millis(3_600_005)));
        assert_eq!(time("0:61:00.00"), None);
        assert_eq!(time("x"), None);
    }

    #[test]
    fn karaoke_tags_of_every_kind() {
        assert_eq!(karaoke_duration("k50"), Some(50));
        assert_eq!(karaoke_duration("K20"), Some(20));
        assert_eq!(karaoke_duration("kf35"), Some(35));
        assert_eq!(karaoke_duration("ko5"), Some(5));
        assert_eq!(karaoke_duration("pos(1,2)"), None);
        assert_eq!(karaoke_duration("kt10x"), None);
    }
}
