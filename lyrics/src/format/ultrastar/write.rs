//! The writer: the model's lines and reference melody as note lines on a beat grid.

use super::numbers::{MAX_BEATS, decimal, valid_bpm, valid_gap};
use crate::melody::{NoteKind, ReferenceNote};
use crate::model::{Line, Lyrics, Voice};
use crate::time::SongTime;

/// The BPM written when the lyrics came from a format without one: 10 ms per beat.
pub const DEFAULT_WRITE_BPM: f64 = 1500.0;

/// Writes an UltraStar file. Notes come from the reference melody where it has them (a word's
/// first note carries its text, further notes in the word are `~`); words without notes become
/// freestyle notes at pitch 0, so lyrics from any word-timed format convert. Times are rounded to
/// the beat grid of the file's `#BPM` and `#GAP` when it had them, else to 10 ms beats.
pub fn write(lyrics: &Lyrics) -> String {
    let meta = &lyrics.meta;
    let bpm = meta
        .tag("BPM")
        .and_then(decimal)
        .filter(|&b| valid_bpm(b))
        .unwrap_or(DEFAULT_WRITE_BPM);
    let gap_ms = meta
        .tag("GAP")
        .and_then(decimal)
        .filter(|&g| valid_gap(g))
        .unwrap_or_else(|| {
            let first_line = lyrics.lines.first().map(|l| l.start);
            let first_note = lyrics.notes.first().map(|n| n.start);
            first_line
                .into_iter()
                .chain(first_note)
                .min()
                .map_or(0, |t| t.as_millis()) as f64
        });
    let tagged = Grid { bpm, gap_ms };
    // A file's own grid is kept when every time lands on a beat the reader accepts; a hostile
    // #BPM with far-away times would not, and 10 ms beats from the first line always do.
    let grid = if tagged.holds(lyrics) {
        tagged
    } else {
        let first = lyrics.lines.iter().map(|l| l.start);
        let first = first.chain(lyrics.notes.iter().map(|n| n.start)).min();
        Grid {
            bpm: DEFAULT_WRITE_BPM,
            gap_ms: first.map_or(0, |t| t.as_millis()) as f64,
        }
    };

    let mut out = String::new();
    // A header is one row: line breaks inside a value (possible from XML) become spaces.
    let mut header = |key: &str, value: &str| {
        out.push_str(&format!("#{key}:{}\n", value.replace(['\n', '\r'], " ")))
    };
    if let Some(title) = &meta.title {
        header("TITLE", title);
    }
    if let Some(artist) = &meta.artist {
        header("ARTIST", artist);
    }
    if let Some(language) = &meta.language {
        header("LANGUAGE", language);
    }
    if let Some(author) = &meta.file_author {
        header("CREATOR", author);
    }
    let duet = lyrics.lines.iter().any(|l| l.voice != Voice::P1);
    for (i, name) in meta.voice_names.iter().enumerate() {
        if let (true, Some(name)) = (duet, name) {
            header(&format!("DUETSINGERP{}", i + 1), name);
        }
    }
    const REWRITTEN: [&str; 11] = [
        "TITLE",
        "ARTIST",
        "LANGUAGE",
        "CREATOR",
        "BPM",
        "GAP",
        "RELATIVE",
        "ENCODING",
        "DUETSINGERP1",
        "DUETSINGERP2",
        "AUTHOR",
    ];
    for (key, value) in &meta.tags {
        let upper_case = key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let rewritten = REWRITTEN.contains(&key.as_str()) || key == "P1" || key == "P2";
        if upper_case && !rewritten {
            header(key, value);
        }
    }
    header("BPM", &format_decimal(bpm));
    header("GAP", &format_decimal(gap_ms));

    if duet {
        for (marker, voice) in [("P1", Voice::P1), ("P2", Voice::P2)] {
            out.push_str(marker);
            out.push('\n');
            write_voice(&mut out, lyrics, voice, &grid);
        }
    } else {
        write_voice(&mut out, lyrics, Voice::P1, &grid);
    }
    out.push_str("E\n");
    out
}

struct Grid {
    bpm: f64,
    gap_ms: f64,
}

impl Grid {
    fn beat(&self, t: SongTime) -> i64 {
        let beat_ms = 60_000.0 / (self.bpm * 4.0);
        ((t.as_micros() as f64 / 1000.0 - self.gap_ms) / beat_ms).round() as i64
    }

    /// Whether every time in `lyrics` lands on a beat (and every span on a length) within
    /// [`MAX_BEATS`], so the written file reads back.
    fn holds(&self, lyrics: &Lyrics) -> bool {
        let spans = lyrics.lines.iter().flat_map(|line| {
            let words = line.words.iter().map(|w| (w.start, w.end));
            std::iter::once((line.start, line.end)).chain(words)
        });
        let mut spans = spans.chain(lyrics.notes.iter().map(|n| (n.start, n.end())));
        spans.all(|(start, end)| {
            let (start, end) = (self.beat(start), self.beat(end));
            let beats = -MAX_BEATS..=MAX_BEATS;
            beats.contains(&start)
                && beats.contains(&end)
                && beats.contains(&end.saturating_sub(start))
        })
    }
}

fn write_voice(out: &mut String, lyrics: &Lyrics, voice: Voice, grid: &Grid) {
    let notes: Vec<&ReferenceNote> = lyrics.notes.iter().filter(|n| n.voice == voice).collect();
    let lines: Vec<&Line> = lyrics
        .lines
        .iter()
        .filter(|l| l.voice.includes(voice))
        .collect();
    let mut next_note = 0;
    for (i, line) in lines.iter().enumerate() {
        let mut prev_ended_with_space = false;
        for (w, (word, text)) in line.words_with_text().enumerate() {
            // A word's notes: those starting in [word.start, next word's start).
            let word_end = line
                .words
                .get(w + 1)
                .map_or(line.end, |n| n.start)
                .max(word.end);
            while notes.get(next_note).is_some_and(|n| n.start < word.start) {
                next_note += 1;
            }
            let first = next_note;
            while notes
                .get(next_note)
                .is_some_and(|n| n.start < word_end || (n.start == word.start))
            {
                next_note += 1;
            }
            // A syllable starting with `~` would read back as a held note; the full-width
            // tilde looks the same and stays a word.
            let word_text = match text.trim_end().strip_prefix('~') {
                Some(rest) => format!("～{rest}"),
                None => text.trim_end().to_owned(),
            };
            let syllable = if prev_ended_with_space {
                format!(" {word_text}")
            } else {
                word_text
            };
            prev_ended_with_space = text.ends_with(char::is_whitespace);
            if first == next_note {
                let (start, end) = (grid.beat(word.start), grid.beat(word.end));
                out.push_str(&format!(
                    "F {start} {} 0 {syllable}\n",
                    (end - start).max(1)
                ));
                continue;
            }
            for (k, note) in notes[first..next_note].iter().enumerate() {
                let (start, end) = (grid.beat(note.start), grid.beat(note.end()));
                let kind = match note.kind {
                    NoteKind::Golden => '*',
                    NoteKind::Freestyle => 'F',
                    NoteKind::Rap => 'R',
                    NoteKind::GoldenRap => 'G',
                    _ => ':',
                };
                let pitch = (note.pitch.midi() - 60.0).round() as i64;
                let text = if k == 0 { syllable.as_str() } else { "~" };
                out.push_str(&format!(
                    "{kind} {start} {} {pitch} {text}\n",
                    (end - start).max(0)
                ));
            }
        }
        if let Some(next) = lines.get(i + 1) {
            let at = grid.beat(line.end).min(grid.beat(next.start));
            out.push_str(&format!("- {at}\n"));
        }
    }
}

/// `300` for whole numbers, `300.5` otherwise.
fn format_decimal(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
