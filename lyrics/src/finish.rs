//! Finishing what a format reader found into the model's promises.
//!
//! Every reader produces [`Draft`] lines; [`finish`] sorts them, fills in line ends the file
//! left open, spreads word timing over lines that have only line timing (by character weight,
//! marked [`WordTiming::Estimated`]), moves whitespace to the end of the word before it, and
//! moves times before the song start to zero. The rules live here once so that every format
//! agrees on them.

use crate::error::{WarningKind, Warnings};
use crate::melody::ReferenceNote;
use crate::model::{Line, LineBuilder, Lyrics, Meta, Voice, Word, WordTiming};
use crate::time::SongTime;

/// How long a line-timed line may last when the file does not say where it ends: it ends at the
/// next line's start, but no later than this, so a long instrumental break shows as a break.
pub const MAX_OPEN_LINE: SongTime = SongTime::from_millis(10_000);

/// How long the last word of a line may last when the file gives no closing time.
pub const MAX_OPEN_WORD: SongTime = SongTime::from_millis(3_000);

/// A line as a reader found it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Draft {
    /// The 1-based source line, for warnings.
    pub source_line: usize,
    /// When the line starts.
    pub start: SongTime,
    /// When it ends, if the file says.
    pub end: Option<SongTime>,
    /// Its text.
    pub text: String,
    /// Timed words (byte ranges into `text`); empty if the file timed only the line.
    pub words: Vec<Word>,
    /// Whether the last word's end is unknown (no closing stamp).
    pub open_last_word: bool,
    /// Who sings it.
    pub voice: Voice,
}

impl Draft {
    /// A draft from a built line.
    pub fn from_builder(source_line: usize, builder: LineBuilder, voice: Voice) -> Draft {
        let line = builder.finish(voice, WordTiming::Exact, SongTime::ZERO);
        Draft {
            source_line,
            start: line.start,
            end: Some(line.end),
            text: line.text,
            words: line.words,
            open_last_word: false,
            voice,
        }
    }
}

/// Turns drafts and notes into the model.
pub(crate) fn finish(
    mut drafts: Vec<Draft>,
    mut notes: Vec<ReferenceNote>,
    meta: Meta,
    warnings: &mut Warnings,
) -> Lyrics {
    if let Some(pos) = drafts.windows(2).position(|w| w[1].start < w[0].start) {
        warnings.push(drafts[pos + 1].source_line, WarningKind::UnsortedLines);
        drafts.sort_by_key(|d| d.start);
    }
    if notes.windows(2).any(|w| w[1].start < w[0].start) {
        warnings.push(0, WarningKind::UnsortedNotes);
        notes.sort_by_key(|n| n.start);
    }
    // Where each line without an end stops at the latest: the next line that starts later.
    let next_starts: Vec<Option<SongTime>> = drafts
        .iter()
        .map(|d| {
            let later = drafts.partition_point(|other| other.start <= d.start);
            drafts.get(later).map(|next| next.start)
        })
        .collect();
    let song_end = meta.length.unwrap_or(SongTime::MAX);
    let mut negative = false;
    let mut lines = Vec::with_capacity(drafts.len());
    for (draft, next_start) in drafts.into_iter().zip(next_starts) {
        negative |= draft.start < SongTime::ZERO;
        lines.push(finish_line(draft, next_start.unwrap_or(song_end)));
    }
    for note in &mut notes {
        if note.start < SongTime::ZERO {
            negative = true;
            let end = note.end().max_zero();
            note.start = SongTime::ZERO;
            note.duration = end;
        }
    }
    if negative {
        warnings.push(0, WarningKind::NegativeTime);
        for line in &mut lines {
            clamp_line(line);
        }
    }
    // A line with nothing to show (only spaces, or empty syllables) is not a line; its notes,
    // if any, stay in the melody.
    lines.retain(|l| !l.text.is_empty());
    // A line starts at its first word, which a file may put later than its line stamp.
    lines.sort_by_key(|l| l.start);
    Lyrics { meta, lines, notes }
}

/// Completes one line; `limit` is the latest it may end when the file left its end open.
fn finish_line(draft: Draft, limit: SongTime) -> Line {
    let Draft {
        start,
        end,
        text,
        mut words,
        open_last_word,
        voice,
        ..
    } = draft;
    if words.is_empty() {
        let end = end
            .unwrap_or_else(|| limit.min(start + MAX_OPEN_LINE))
            .max(start);
        return estimate_words(&text, start, end, voice);
    }
    if open_last_word && let Some(last) = words.last_mut() {
        let cap = end.unwrap_or_else(|| limit.min(last.start + MAX_OPEN_WORD));
        last.end = cap.max(last.start);
    }
    normalize_spacing(&text, &words, voice)
}

/// Rebuilds a word-timed line so that whitespace between words ends the word before it and the
/// line has none at either end; words that are only whitespace merge into the one before.
fn normalize_spacing(text: &str, words: &[Word], voice: Voice) -> Line {
    let mut builder = LineBuilder::new();
    let mut pending_space = false;
    for word in words {
        let piece = text
            .get(word.text_start as usize..word.text_end as usize)
            .unwrap_or("");
        let core = piece.trim();
        if core.is_empty() {
            pending_space |= !piece.is_empty();
            continue;
        }
        if (pending_space || piece.starts_with(char::is_whitespace)) && !builder.is_empty() {
            builder.extend_last(" ", SongTime::ZERO);
        }
        builder.push(word.start, word.end, core);
        pending_space = piece.ends_with(char::is_whitespace);
    }
    let fallback = words.first().map_or(SongTime::ZERO, |w| w.start);
    builder.finish(voice, WordTiming::Exact, fallback)
}

/// How much singing time a character takes, relative to others: an ideograph, kana or hangul
/// syllable is one sung syllable (weight 3); a Latin letter or digit is about a third of one.
fn char_weight(c: char) -> u32 {
    if is_syllabic(c) {
        3
    } else if c.is_alphanumeric() {
        1
    } else {
        0
    }
}

/// Characters that are one syllable each and are written without spaces between words.
fn is_syllabic(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // hiragana, katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}' // hangul syllables
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}')
}

/// Splits a line-timed line into words (a syllabic character each, or a space-separated word,
/// punctuation staying with the word before) and spreads `start..end` over them by weight.
fn estimate_words(text: &str, start: SongTime, end: SongTime, voice: Voice) -> Line {
    let text = text.trim();
    // (byte start, byte end, weight) of each word.
    let mut pieces: Vec<(usize, usize, u32)> = Vec::new();
    let mut after_space = false;
    let mut prev_syllabic = false;
    for (i, c) in text.char_indices() {
        let syllabic = is_syllabic(c);
        let starts_word = match pieces.last() {
            None => true,
            Some(_) if c.is_whitespace() => false,
            Some(_) => after_space || syllabic || (prev_syllabic && c.is_alphanumeric()),
        };
        if starts_word {
            pieces.push((i, i, 0));
        }
        if let Some(piece) = pieces.last_mut() {
            piece.1 = i + c.len_utf8();
            piece.2 += char_weight(c);
        }
        after_space = c.is_whitespace();
        if !c.is_whitespace() {
            prev_syllabic = syllabic;
        }
    }
    let total: u64 = pieces.iter().map(|p| u64::from(p.2.max(1))).sum();
    let span = (end - start).as_micros().max(0);
    let mut builder = LineBuilder::new();
    let mut acc = 0u64;
    for &(from, to, weight) in &pieces {
        let at = |acc: u64| {
            start
                + SongTime::from_micros((span as i128 * acc as i128 / total.max(1) as i128) as i64)
        };
        let word_start = at(acc);
        acc += u64::from(weight.max(1));
        builder.push(word_start, at(acc), &text[from..to]);
    }
    let mut line = builder.finish(voice, WordTiming::Estimated, start);
    line.start = start;
    line.end = end;
    line
}

/// Moves a line's times before zero to zero.
fn clamp_line(line: &mut Line) {
    line.start = line.start.max_zero();
    line.end = line.end.max_zero();
    for word in &mut line.words {
        word.start = word.start.max_zero();
        word.end = word.end.max_zero();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: i64) -> SongTime {
        SongTime::from_millis(v)
    }

    fn draft(start: i64, text: &str) -> Draft {
        Draft {
            source_line: 1,
            start: ms(start),
            end: None,
            text: text.into(),
            words: Vec::new(),
            open_last_word: false,
            voice: Voice::P1,
        }
    }

    #[test]
    fn line_timed_lines_end_at_the_next_start_at_most_ten_seconds_later() {
        let drafts = vec![draft(1000, "a"), draft(3000, "b"), draft(30_000, "c")];
        let lyrics = finish(drafts, vec![], Meta::default(), &mut Warnings::default());
        let ends: Vec<i64> = lyrics.lines.iter().map(|l| l.end.as_millis()).collect();
        assert_eq!(ends, [3000, 13_000, 40_000]);
    }

    #[test]
    fn estimated_words_follow_character_weight() {
        // 好一朵 = three syllables of weight 3; "la la" = two words of weight 2.
        let line = estimate_words("好一朵 la la", ms(0), ms(1300), Voice::P1);
        let texts: Vec<&str> = line.words_with_text().map(|(_, t)| t).collect();
        assert_eq!(texts, ["好", "一", "朵 ", "la ", "la"]);
        let starts: Vec<i64> = line.words.iter().map(|w| w.start.as_millis()).collect();
        assert_eq!(starts, [0, 300, 600, 900, 1100]);
        assert_eq!(line.timing, WordTiming::Estimated);
        assert_eq!(line.words.last().unwrap().end, ms(1300));
    }

    #[test]
    fn spacing_moves_to_the_end_of_the_previous_word() {
        let mut b = LineBuilder::new();
        b.push(ms(0), ms(100), " Hel");
        b.push(ms(100), ms(200), "lo");
        b.push(ms(200), ms(300), " world ");
        let raw = b.finish(Voice::P1, WordTiming::Exact, ms(0));
        let line = normalize_spacing(&raw.text, &raw.words, Voice::P1);
        let texts: Vec<&str> = line.words_with_text().map(|(_, t)| t).collect();
        assert_eq!(texts, ["Hel", "lo ", "world"]);
        assert_eq!(line.text, "Hello world");
    }

    #[test]
    fn unsorted_lines_are_sorted_with_a_warning() {
        let mut warnings = Warnings::default();
        let lyrics = finish(
            vec![draft(5000, "b"), draft(1000, "a")],
            vec![],
            Meta::default(),
            &mut warnings,
        );
        assert_eq!(lyrics.lines[0].text, "a");
        assert_eq!(warnings.into_vec()[0].kind, WarningKind::UnsortedLines);
    }
}
