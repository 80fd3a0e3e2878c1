//! LRC: line time stamps, ID tags, and (enhanced LRC) word time stamps.
//!
//! `[mm:ss.xx]text` times a line; several stamps on one line repeat it (a chorus). ID tags
//! (`[ti:…]`, `[ar:…]`, `[al:…]`, `[au:…]`, `[by:…]`, `[length:…]`, `[offset:…]`) fill the
//! metadata; unknown ones are kept. `[offset:+N]` makes every time N ms *earlier*, as players
//! read it. A stamp with no text after it ends the line before it.
//!
//! Enhanced LRC (A2) puts `<mm:ss.xx>` before each word; a final stamp with no word after it
//! closes the line. The simple format's per-word variant uses `[mm:ss.xx]` inside the line
//! (`[00:12.00]He[00:12.40]llo`): a bracket stamp after the text has begun times a word, one
//! before it is a line stamp. This reader reads all three, and reports [`Format::EnhancedLrc`]
//! when any line has word stamps; [`write`] writes plain LRC and [`super::elrc::write`] the
//! enhanced form.
//!
//! Duets prefix a line with its singer: `M:` (first voice), `F:` (second), `D:` (both), or
//! the Chinese `男：`, `女：`, `合：`; a prefix holds until the next one. Writers put the prefix
//! where the singer changes.

use crate::error::{Error, ParseErrorKind, Result, WarningKind, Warnings};
use crate::file_format::Format;
use crate::finish::{Draft, finish};
use crate::format::{Parsed, stamp};
use crate::model::{Line, Lyrics, Meta, Voice, Word};
use crate::text::{self, MAX_LINES, MAX_WORDS_PER_LINE, check_limit};
use crate::time::SongTime;

/// Reads LRC or enhanced LRC.
pub fn parse(text: &str) -> Result<Parsed> {
    let mut warnings = Warnings::default();
    let mut meta = Meta::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut stamps: Vec<SongTime> = Vec::new();
    let mut stray_whitespace = false;
    let mut has_word_stamps = false;
    // Duet prefixes (`M:`, `F:`, `D:`) hold until the next one.
    let mut singer = Voice::P1;

    for (number, raw) in text::lines(text) {
        check_limit("line count", number, MAX_LINES)?;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if !stray_whitespace && line.len() != raw.len() {
            stray_whitespace = true;
            warnings.push(number, WarningKind::StrayWhitespace);
        }
        let error = |kind| Error::Parse {
            format: Format::Lrc,
            line: number,
            kind,
        };
        stamps.clear();
        let mut rest = line;
        let mut tagged = false;
        while let Some(inner_end) = rest.strip_prefix('[').and_then(|r| r.find(']')) {
            let inner = &rest[1..=inner_end];
            let after = &rest[inner_end + 2..];
            if inner.starts_with(|c: char| c.is_ascii_digit()) {
                let t = stamp::parse(inner)
                    .ok_or_else(|| error(ParseErrorKind::BadTimestamp(inner.to_owned())))?;
                stamps.push(t);
            } else if stamps.is_empty()
                && let Some((key, value)) = split_id_tag(inner)
            {
                read_id_tag(&mut meta, key, value, number, &mut warnings);
                tagged = true;
            } else {
                break;
            }
            rest = after;
        }
        if stamps.is_empty() {
            if !tagged {
                warnings.push(number, WarningKind::UntimedLine);
            }
            continue;
        }
        let rest = match duet_prefix(rest) {
            Some((voice, text)) => {
                singer = voice;
                text
            }
            None => rest,
        };
        let words = read_words(rest, stamps[0], number, &mut warnings)?;
        has_word_stamps |= words.is_some();
        let first = stamps[0];
        for &at in &stamps {
            let shift = at - first;
            entries.push(match &words {
                Some(words) => Entry {
                    source_line: number,
                    start: at.min(words.first_start + shift),
                    text: words.text.clone(),
                    words: words
                        .words
                        .iter()
                        .map(|w| Word {
                            start: w.start + shift,
                            end: w.end + shift,
                            ..*w
                        })
                        .collect(),
                    open_last_word: words.open_last_word,
                    voice: singer,
                },
                None => Entry {
                    source_line: number,
                    start: at,
                    text: unescape(rest).into_owned(),
                    words: Vec::new(),
                    open_last_word: false,
                    voice: singer,
                },
            });
        }
    }

    let offset = SongTime::from_millis(meta.applied_offset_ms);
    for entry in &mut entries {
        entry.start -= offset;
        for word in &mut entry.words {
            word.start -= offset;
            word.end -= offset;
        }
    }
    if let Some(pos) = entries.windows(2).position(|w| w[1].start < w[0].start) {
        warnings.push(entries[pos + 1].source_line, WarningKind::UnsortedLines);
        entries.sort_by_key(|e| e.start);
    }
    let drafts = entries_to_drafts(entries);
    if drafts.is_empty() {
        return Err(Error::Parse {
            format: Format::Lrc,
            line: text::lines(text).count().max(1),
            kind: ParseErrorKind::NoLyrics,
        });
    }
    let format = if has_word_stamps {
        Format::EnhancedLrc
    } else {
        Format::Lrc
    };
    let lyrics = finish(drafts, Vec::new(), meta, &mut warnings);
    Ok(Parsed::new(lyrics, format, warnings))
}

/// A timed line before end markers are resolved.
struct Entry {
    source_line: usize,
    start: SongTime,
    text: String,
    words: Vec<Word>,
    open_last_word: bool,
    voice: Voice,
}

/// Lines with no text are end markers: they end the line before them and are dropped.
fn entries_to_drafts(entries: Vec<Entry>) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::with_capacity(entries.len());
    for entry in entries {
        if entry.text.trim().is_empty() {
            if let Some(prev) = drafts.last_mut()
                && prev.end.is_none()
                && prev.words.is_empty()
            {
                prev.end = Some(entry.start);
            }
            continue;
        }
        drafts.push(Draft {
            source_line: entry.source_line,
            start: entry.start,
            end: None,
            text: entry.text,
            words: entry.words,
            open_last_word: entry.open_last_word,
            voice: entry.voice,
        });
    }
    drafts
}

/// The singer a duet prefix names, and the text after it: `M:` (male, first voice), `F:`
/// (female, second voice), `D:` (duet, both), and the Chinese `男：`, `女：`, `合：`.
fn duet_prefix(text: &str) -> Option<(Voice, &str)> {
    let mut chars = text.char_indices();
    let (_, who) = chars.next()?;
    let (colon_at, colon) = chars.next()?;
    if colon != ':' && colon != '：' {
        return None;
    }
    let voice = match who {
        'M' | '男' => Voice::P1,
        'F' | '女' => Voice::P2,
        'D' | '合' => Voice::Both,
        _ => return None,
    };
    // A prefix with nothing after it is just text.
    let rest = text[colon_at + colon.len_utf8()..].trim_start();
    (!rest.is_empty()).then_some((voice, rest))
}

/// The prefix [`duet_prefix`] reads for `voice`.
pub(crate) fn duet_marker(voice: Voice) -> &'static str {
    match voice {
        Voice::P2 => "F: ",
        Voice::Both => "D: ",
        _ => "M: ",
    }
}

/// `key:value` of an ID tag, the key being ASCII letters (e.g. `ti`, `offset`).
fn split_id_tag(inner: &str) -> Option<(&str, &str)> {
    let (key, value) = inner.split_once(':')?;
    is_id_key(key).then(|| (key, value.trim()))
}

/// Whether `key` can name an LRC ID tag: ASCII letters only.
fn is_id_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphabetic())
}

fn read_id_tag(meta: &mut Meta, key: &str, value: &str, line: usize, warnings: &mut Warnings) {
    let lower = key.to_ascii_lowercase();
    if meta.tag(key).is_some() {
        warnings.push(line, WarningKind::DuplicateTag(key.to_owned()));
        return;
    }
    meta.tags.push((key.to_owned(), value.to_owned()));
    let text = || (!value.is_empty()).then(|| value.to_owned());
    match lower.as_str() {
        "ti" => meta.title = text(),
        "ar" => meta.artist = text(),
        "al" => meta.album = text(),
        "au" => meta.lyricist = text(),
        "by" => meta.file_author = text(),
        "la" | "language" => meta.language = text(),
        "length" => {
            meta.length = stamp::parse(value).or_else(|| {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(SongTime::from_secs_f64)
            });
            if meta.length.is_none() && !value.is_empty() {
                warnings.push(
                    line,
                    WarningKind::Ignored(format!("unreadable length {value:?}")),
                );
            }
        }
        "offset" => match value.trim_start_matches('+').trim().parse::<i64>() {
            // Larger offsets than a day are not offsets; ignore them rather than overflow.
            Ok(ms) if ms.abs() <= 86_400_000 => meta.applied_offset_ms = ms,
            _ => warnings.push(
                line,
                WarningKind::Ignored(format!("unreadable offset {value:?}")),
            ),
        },
        _ => {}
    }
}

/// The words of one line of enhanced LRC.
struct LineWords {
    text: String,
    words: Vec<Word>,
    first_start: SongTime,
    open_last_word: bool,
}

/// Reads `<mm:ss.xx>` word stamps in `rest`; `None` if the line has none.
fn read_words(
    rest: &str,
    line_start: SongTime,
    number: usize,
    warnings: &mut Warnings,
) -> Result<Option<LineWords>> {
    // Pieces of (stamp, text following it); text before the first stamp starts at the line.
    let mut pieces: Vec<(SongTime, &str)> = Vec::new();
    let mut cursor = 0;
    let mut text_start = 0;
    let mut current = line_start;
    let mut bad_stamp_warned = false;
    let bytes = rest.as_bytes();
    // Word stamps are `<mm:ss.xx>` (enhanced LRC) or, after the line's text has begun,
    // `[mm:ss.xx]` (the simple format's per-word variant).
    while let Some(open) = memchr::memchr2(b'<', b'[', &bytes[cursor..]).map(|i| cursor + i) {
        let closer = if bytes[open] == b'<' { b'>' } else { b']' };
        let close = memchr::memchr(closer, &bytes[open..]).map(|i| open + i);
        let Some((close, t)) = close.and_then(|c| stamp::parse(&rest[open + 1..c]).map(|t| (c, t)))
        else {
            if looks_like_stamp(&rest[open + 1..]) && !bad_stamp_warned {
                bad_stamp_warned = true;
                warnings.push(
                    number,
                    WarningKind::Ignored("unreadable word stamp kept as text".into()),
                );
            }
            cursor = open + 1;
            continue;
        };
        if open > text_start || !pieces.is_empty() {
            pieces.push((current, &rest[text_start..open]));
        }
        current = t;
        text_start = close + 1;
        cursor = close + 1;
        check_limit("words on one line", pieces.len(), MAX_WORDS_PER_LINE)?;
    }
    if pieces.is_empty() && text_start == 0 {
        return Ok(None);
    }
    let tail = &rest[text_start..];
    let open_last_word = !tail.trim().is_empty();
    pieces.push((current, tail));

    let mut text = String::with_capacity(rest.len());
    let mut words = Vec::with_capacity(pieces.len());
    let mut last_start = SongTime::from_micros(i64::MIN);
    let mut overlapped = false;
    for (i, &(start, piece)) in pieces.iter().enumerate() {
        let start = if start < last_start {
            overlapped = true;
            last_start
        } else {
            start
        };
        last_start = start;
        let end = pieces
            .get(i + 1)
            .map_or(start, |&(next, _)| next.max(start));
        if piece.is_empty() {
            continue;
        }
        let text_start = text.len() as u32;
        text.push_str(&unescape(piece));
        words.push(Word {
            start,
            end,
            text_start,
            text_end: text.len() as u32,
        });
    }
    if overlapped {
        warnings.push(number, WarningKind::OverlappingWords);
    }
    let first_start = words.first().map_or(line_start, |w| w.start);
    Ok(Some(LineWords {
        text,
        words,
        first_start,
        open_last_word,
    }))
}

/// Whether text after a `<` looks like a time stamp (digits, then a colon), so that a malformed
/// one is reported, while text such as `I <3 you` stays text silently.
fn looks_like_stamp(after_open: &str) -> bool {
    let digits = after_open.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && after_open.as_bytes().get(digits) == Some(&b':')
}

/// Marks a `<` or `[` in text that a reader would take for a word stamp: the bracket then a
/// digit is written with U+2060 (word joiner, invisible) between them and read back without it.
const STAMP_ESCAPE: char = '\u{2060}';

/// Text as written: every `<` or `[` followed by a digit gets the invisible escape.
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = text
        .as_bytes()
        .windows(2)
        .any(|w| (w[0] == b'<' || w[0] == b'[') && w[1].is_ascii_digit());
    if !needs {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if (c == '<' || c == '[') && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push(STAMP_ESCAPE);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text as read: the escape after `<` is dropped.
fn unescape(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(STAMP_ESCAPE) {
        std::borrow::Cow::Owned(text.replace("<\u{2060}", "<").replace("[\u{2060}", "["))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Writes line-timed LRC: the metadata tags, then `[mm:ss.xx]text` per line, and an empty
/// stamp where a line ends well before the next one starts (so its end survives).
pub fn write(lyrics: &Lyrics) -> String {
    let mut out = String::new();
    write_meta(&mut out, &lyrics.meta);
    write_lines(&mut out, &lyrics.lines, false, true, |out, line| {
        out.push_str(&escape(line.text.trim()))
    });
    out
}

/// Writes the ID tags LRC knows, then the file's other tags; never `offset`, which the model
/// has already applied.
pub(crate) fn write_meta(out: &mut String, meta: &Meta) {
    let known = [
        ("ti", &meta.title),
        ("ar", &meta.artist),
        ("al", &meta.album),
        ("au", &meta.lyricist),
        ("by", &meta.file_author),
    ];
    // A tag ends at its first `]`, so a value cannot hold one: it becomes a full-width `］`.
    // A tag is one row: line breaks inside a value (possible from XML) become spaces.
    let tag = |out: &mut String, key: &str, value: &str| {
        let value = value.replace(']', "］").replace(['\n', '\r'], " ");
        out.push_str(&format!("[{key}:{value}]\n"));
    };
    for (key, value) in known {
        if let Some(value) = value {
            tag(out, key, value);
        }
    }
    if let Some(length) = meta.length {
        out.push_str("[length:");
        stamp::write(out, length, false);
        out.push_str("]\n");
    }
    for (key, value) in &meta.tags {
        let skip = ["ti", "ar", "al", "au", "by", "length", "offset"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key));
        // Only tags with an LRC-shaped key; UltraStar's `BPM` and the like do not belong here.
        if !skip && is_id_key(key) && key.bytes().all(|b| b.is_ascii_lowercase()) {
            tag(out, key, value);
        }
    }
}

/// How long a pause after a line must be before its end is written as an empty stamp.
const END_STAMP_GAP: SongTime = SongTime::from_millis(500);

/// Writes one `[stamp]…` row per line (the body from `body`), with a duet prefix where the
/// singer changes, and with `end_stamps`, an empty stamp after a line followed by a pause.
pub(crate) fn write_lines(
    out: &mut String,
    lines: &[Line],
    millis: bool,
    end_stamps: bool,
    mut body: impl FnMut(&mut String, &Line),
) {
    let duet = lines.iter().any(|l| l.voice != Voice::P1);
    let mut singer = None;
    for (i, line) in lines.iter().enumerate() {
        out.push('[');
        stamp::write(out, line.start, millis);
        out.push(']');
        if duet && singer != Some(line.voice) {
            singer = Some(line.voice);
            out.push_str(duet_marker(line.voice));
        }
        body(out, line);
        out.push('\n');
        let next = lines.get(i + 1).map(|l| l.start);
        if end_stamps && next.is_none_or(|next| next > line.end + END_STAMP_GAP) {
            out.push('[');
            stamp::write(out, line.end, millis);
            out.push_str("]\n");
        }
    }
}
