//! UltraStar `.txt`: header tags, then notes with pitch that are both the lyrics and the
//! reference melody.
//!
//! Header lines are `#TAG:value` (`#TITLE`, `#ARTIST`, `#BPM`, `#GAP`, `#MP3`, `#VIDEO`,
//! `#COVER`, `#RELATIVE`, `#DUETSINGERP1`, …; unknown ones are kept). Note lines are
//! `T start length pitch text` with `T` one of `:` normal, `*` golden, `F` freestyle, `R` rap,
//! `G` golden rap; `- beat` ends a line; `P1`/`P2` (and `P3`, both) switch the duet voice; `E`
//! ends the song. One beat lasts 60000 / (BPM × 4) ms, beat 0 is at `#GAP` ms, and pitch 0 is
//! middle C (MIDI 60). In relative mode (`#RELATIVE:YES`) beats count from the last line
//! break, which `- a b` moves on by `b` (or by `a` alone).
//!
//! A syllable starting with a space starts a new word; a syllable `~` holds the previous one
//! (a melisma), so it extends that word and adds a note.
//!
//! Versions (`#VERSION`): unversioned files and 1.0.0 give `#START` and `#VIDEOGAP` in seconds,
//! `#END` in ms and the medley in beats (`#MEDLEYSTARTBEAT`/`#MEDLEYENDBEAT`); 1.0.0 requires
//! UTF-8 and adds `#AUDIO`, `#VOCALS` and `#INSTRUMENTAL`. The 2.0.0 draft replaces `#MP3` with
//! `#AUDIO` and gives every time in ms (`#MEDLEYSTART`/`#MEDLEYEND`). A file of a later major
//! version is refused.

use crate::detect::Format;
use crate::error::{Error, ParseErrorKind, Result, WarningKind, Warnings};
use crate::finish::{Draft, finish};
use crate::format::Parsed;
use crate::melody::{NoteKind, Pitch, ReferenceNote};
use crate::model::{Line, LineBuilder, Lyrics, Media, Meta, Voice};
use crate::text::{self, MAX_LINES, MAX_WORDS_PER_LINE, check_limit};
use crate::time::SongTime;

/// The most notes accepted in one file.
pub const MAX_NOTES: usize = 100_000;

/// The BPM written when the lyrics came from a format without one: 10 ms per beat.
pub const DEFAULT_WRITE_BPM: f64 = 1500.0;

/// Reads an UltraStar file.
pub fn parse(text: &str) -> Result<Parsed> {
    let mut reader = Reader::default();
    for (number, raw) in text::lines(text) {
        check_limit("line count", number, MAX_LINES)?;
        if reader.ended {
            if !raw.trim().is_empty() && !reader.trailing_warned {
                reader.trailing_warned = true;
                reader.warnings.push(number, WarningKind::TrailingGarbage);
            }
            continue;
        }
        reader.line(number, raw)?;
    }
    reader.finish(text::lines(text).count())
}

#[derive(Default)]
struct Reader {
    meta: Meta,
    warnings: Warnings,
    bpm: Option<f64>,
    gap_ms: f64,
    relative: bool,
    voice: Voice,
    line_base: i64,
    builder: LineBuilder,
    builder_line: usize,
    drafts: Vec<Draft>,
    notes: Vec<ReferenceNote>,
    /// Indices in `notes` of the previous note of the current voice section (two for `P3`).
    prev_notes: std::ops::Range<usize>,
    ended: bool,
    trailing_warned: bool,
}

impl Reader {
    fn error(&self, line: usize, kind: ParseErrorKind) -> Error {
        Error::Parse {
            format: Format::UltraStar,
            line,
            kind,
        }
    }

    fn line(&mut self, number: usize, raw: &str) -> Result<()> {
        // Trailing spaces can be part of a syllable; leading ones never mean anything.
        let line = raw.trim_start();
        if line.trim_end().is_empty() {
            self.warnings.push(number, WarningKind::EmptyLine);
            return Ok(());
        }
        let first = line.as_bytes()[0];
        match first {
            b'#' => self.header(number, line.trim_end()),
            b':' | b'*' | b'F' | b'R' | b'G' => self.note(number, line),
            b'-' => {
                self.line_break(number, line.trim_end())?;
                Ok(())
            }
            b'E' if line.trim_end() == "E" => {
                self.flush_line();
                self.ended = true;
                Ok(())
            }
            b'P' => {
                let which = line[1..].trim();
                let voice = match which {
                    "1" => Voice::P1,
                    "2" => Voice::P2,
                    "3" => Voice::Both,
                    _ => {
                        return Err(self.error(
                            number,
                            ParseErrorKind::UnexpectedLine(line.trim_end().to_owned()),
                        ));
                    }
                };
                self.flush_line();
                self.voice = voice;
                self.line_base = 0;
                self.prev_notes = 0..0;
                Ok(())
            }
            _ => Err(self.error(
                number,
                ParseErrorKind::UnexpectedLine(line.trim_end().to_owned()),
            )),
        }
    }

    fn header(&mut self, number: usize, line: &str) -> Result<()> {
        let Some((key, value)) = line[1..].split_once(':') else {
            self.warnings.push(
                number,
                WarningKind::Ignored(format!("header without a value: {line:?}")),
            );
            return Ok(());
        };
        let (key, value) = (key.trim(), value.trim());
        if self.meta.tag(key).is_some() {
            self.warnings
                .push(number, WarningKind::DuplicateTag(key.to_owned()));
            return Ok(());
        }
        self.meta.tags.push((key.to_owned(), value.to_owned()));
        let text = || (!value.is_empty()).then(|| value.to_owned());
        match key.to_ascii_uppercase().as_str() {
            "TITLE" => self.meta.title = text(),
            "ARTIST" => self.meta.artist = text(),
            "LANGUAGE" => self.meta.language = text(),
            "CREATOR" | "AUTHOR" => self.meta.file_author = text(),
            "DUETSINGERP1" | "P1" => self.meta.voice_names[0] = text(),
            "DUETSINGERP2" | "P2" => self.meta.voice_names[1] = text(),
            "RELATIVE" => self.relative = value.eq_ignore_ascii_case("yes"),
            "BPM" => {
                let bpm = decimal(value).filter(|&b| valid_bpm(b)).ok_or_else(|| {
                    self.error(
                        number,
                        ParseErrorKind::BadNumber {
                            what: "a positive #BPM",
                            found: value.to_owned(),
                        },
                    )
                })?;
                self.bpm = Some(bpm);
            }
            "GAP" => {
                self.gap_ms = decimal(value).filter(|&g| valid_gap(g)).ok_or_else(|| {
                    self.error(
                        number,
                        ParseErrorKind::BadNumber {
                            what: "#GAP in milliseconds",
                            found: value.to_owned(),
                        },
                    )
                })?;
            }
            _ => {}
        }
        Ok(())
    }

    fn time(&self, beat: i64) -> SongTime {
        let beat_ms = 60_000.0 / (self.bpm.unwrap_or(1.0) * 4.0);
        SongTime::from_secs_f64((self.gap_ms + beat as f64 * beat_ms) / 1000.0)
    }

    fn note(&mut self, number: usize, line: &str) -> Result<()> {
        if self.bpm.is_none() {
            return Err(self.error(
                number,
                ParseErrorKind::Missing("#BPM before the first note"),
            ));
        }
        check_limit("note count", self.notes.len() + 1, MAX_NOTES)?;
        let kind = match line.as_bytes()[0] {
            b'*' => NoteKind::Golden,
            b'F' => NoteKind::Freestyle,
            b'R' => NoteKind::Rap,
            b'G' => NoteKind::GoldenRap,
            _ => NoteKind::Normal,
        };
        let mut rest = &line[1..];
        let mut fields = [0i64; 3];
        for (field, what) in fields
            .iter_mut()
            .zip(["a start beat", "a length in beats", "a pitch"])
        {
            let trimmed = rest.trim_start_matches([' ', '\t']);
            let end = trimmed.find([' ', '\t']).unwrap_or(trimmed.len());
            *field = trimmed[..end].parse().map_err(|_| {
                self.error(
                    number,
                    ParseErrorKind::BadNumber {
                        what,
                        found: trimmed[..end].to_owned(),
                    },
                )
            })?;
            rest = &trimmed[end..];
        }
        // One separator, then the syllable exactly as written (a leading space starts a word).
        let syllable = rest.strip_prefix([' ', '\t']).unwrap_or(rest);
        let [beat, length, pitch] = fields;
        if !(-MAX_BEATS..=MAX_BEATS).contains(&beat) || !(0..=MAX_BEATS).contains(&length) {
            return Err(self.error(
                number,
                ParseErrorKind::BadNumber {
                    what: "a beat within the song",
                    found: line.trim_end().to_owned(),
                },
            ));
        }
        let beat = beat.saturating_add(if self.relative { self.line_base } else { 0 });
        let start = self.time(beat);
        let end = self.time(beat.saturating_add(length));
        self.add_note(number, start, end, pitch, kind);
        self.add_syllable(number, start, end, syllable)
    }

    fn add_note(
        &mut self,
        number: usize,
        start: SongTime,
        end: SongTime,
        pitch: i64,
        kind: NoteKind,
    ) {
        let pitch = Pitch::from_midi(60.0 + pitch.clamp(-200, 200) as f32);
        // The previous note of this voice section: one entry, or two for a `P3` (both) note.
        let prev = self.prev_notes.clone();
        if let Some(first) = prev.clone().next().map(|i| self.notes[i]) {
            if start < first.start {
                self.warnings.push(number, WarningKind::UnsortedNotes);
            } else if start < first.end() {
                self.warnings.push(number, WarningKind::OverlappingNotes);
                for i in prev {
                    self.notes[i].duration = start - self.notes[i].start;
                }
            }
        }
        let voices: &[Voice] = match self.voice {
            Voice::Both => &[Voice::P1, Voice::P2],
            Voice::P2 => &[Voice::P2],
            _ => &[Voice::P1],
        };
        for &voice in voices {
            self.notes.push(ReferenceNote {
                start,
                duration: end - start,
                pitch,
                kind,
                voice,
            });
        }
        self.prev_notes = self.notes.len() - voices.len()..self.notes.len();
    }

    fn add_syllable(
        &mut self,
        number: usize,
        start: SongTime,
        end: SongTime,
        syllable: &str,
    ) -> Result<()> {
        if self.builder.is_empty() {
            self.builder_line = number;
        }
        check_limit(
            "words on one line",
            self.builder.len() + 1,
            MAX_WORDS_PER_LINE,
        )?;
        match syllable.trim_start().strip_prefix('~') {
            Some(held) if !self.builder.is_empty() => self.builder.extend_last(held, end),
            Some(held) => self.builder.push(start, end, held),
            None => self.builder.push(start, end, syllable),
        }
        Ok(())
    }

    fn line_break(&mut self, number: usize, line: &str) -> Result<()> {
        let mut numbers = line[1..].split_whitespace().map(|n| {
            n.parse::<i64>().map_err(|_| {
                self.error(
                    number,
                    ParseErrorKind::BadNumber {
                        what: "a line-break beat",
                        found: n.to_owned(),
                    },
                )
            })
        });
        let first = numbers.next().transpose()?;
        let second = numbers.next().transpose()?;
        self.flush_line();
        if self.relative {
            let shift = second.or(first).unwrap_or(0);
            self.line_base = self
                .line_base
                .saturating_add(shift.clamp(-10_000_000, 10_000_000));
        }
        Ok(())
    }

    fn flush_line(&mut self) {
        if self.builder.is_empty() {
            return;
        }
        let builder = std::mem::take(&mut self.builder);
        self.drafts
            .push(Draft::from_builder(self.builder_line, builder, self.voice));
    }

    fn finish(mut self, line_count: usize) -> Result<Parsed> {
        self.flush_line();
        let major = version_major(&self.meta)?;
        self.meta.media = self.media(major);
        if self.bpm.is_none() {
            return Err(self.error(line_count.max(1), ParseErrorKind::Missing("#BPM")));
        }
        if self.drafts.is_empty() {
            return Err(self.error(line_count.max(1), ParseErrorKind::NoLyrics));
        }
        merge_shared_lines(&mut self.drafts);
        // Duet sections come one after the other; interleaving them by time is not a repair.
        self.drafts.sort_by_key(|d| d.start);
        self.notes.sort_by_key(|n| n.start);
        let lyrics = finish(self.drafts, self.notes, self.meta, &mut self.warnings);
        Ok(Parsed::new(lyrics, Format::UltraStar, self.warnings))
    }
}

impl Reader {
    /// The media headers, with times in the units of the file's version.
    fn media(&self, major: u64) -> Media {
        let meta = &self.meta;
        let text = |key: &str| meta.tag(key).filter(|v| !v.is_empty()).map(str::to_owned);
        let number = |key: &str| meta.tag(key).and_then(decimal).filter(|v| valid_gap(*v));
        let millis = |v: f64| SongTime::from_secs_f64(v / 1000.0);
        let seconds = SongTime::from_secs_f64;
        let (start, video_gap, medley) = if major >= 2 {
            let medley = number("MEDLEYSTART").zip(number("MEDLEYEND"));
            (
                number("START").map(millis),
                number("VIDEOGAP").map(millis),
                medley.map(|(a, b)| (millis(a), millis(b))),
            )
        } else {
            let beat = |key: &str| meta.tag(key).and_then(|v| v.trim().parse::<i64>().ok());
            let medley = beat("MEDLEYSTARTBEAT").zip(beat("MEDLEYENDBEAT"));
            (
                number("START").map(seconds),
                number("VIDEOGAP").map(seconds),
                medley.map(|(a, b)| (self.time(a), self.time(b))),
            )
        };
        Media {
            audio: text("AUDIO").or_else(|| text("MP3")),
            vocals: text("VOCALS"),
            instrumental: text("INSTRUMENTAL"),
            video: text("VIDEO"),
            cover: text("COVER"),
            background: text("BACKGROUND"),
            video_gap,
            start,
            end: number("END").map(millis),
            medley,
        }
    }
}

/// The newest UltraStar format version this reader knows.
pub const NEWEST_VERSION: &str = "2.0.0";

/// The major version the file declares (0 when it declares none); an error for a major
/// version newer than [`NEWEST_VERSION`]'s.
fn version_major(meta: &Meta) -> Result<u64> {
    let Some(version) = meta.tag("VERSION") else {
        return Ok(0);
    };
    let major = version
        .trim()
        .split('.')
        .next()
        .and_then(|m| m.trim().parse::<u64>().ok());
    match major {
        Some(major) if major <= 2 => Ok(major),
        _ => Err(Error::UnsupportedVersion {
            format: Format::UltraStar,
            version: version.to_owned(),
            newest: NEWEST_VERSION,
        }),
    }
}

/// Whether the file's version requires UTF-8 (1.0.0 and later).
pub fn requires_utf8(meta: &Meta) -> bool {
    version_major(meta).is_ok_and(|major| major >= 1)
}

/// A line that `P1` and `P2` both sing, at the same times, is one line sung by both.
fn merge_shared_lines(drafts: &mut Vec<Draft>) {
    let mut keep = vec![true; drafts.len()];
    for i in 0..drafts.len() {
        if drafts[i].voice != Voice::P1 {
            continue;
        }
        let twin = (0..drafts.len()).find(|&j| {
            keep[j]
                && drafts[j].voice == Voice::P2
                && drafts[j].start == drafts[i].start
                && drafts[j].end == drafts[i].end
                && drafts[j].text.trim() == drafts[i].text.trim()
        });
        if let Some(j) = twin {
            keep[j] = false;
            drafts[i].voice = Voice::Both;
        }
    }
    let mut flags = keep.into_iter();
    drafts.retain(|_| flags.next().unwrap_or(true));
}

/// The largest beat number (and note length) read or written: wide enough for any time the model
/// holds at 10 ms beats, narrow enough that beat arithmetic cannot overflow.
const MAX_BEATS: i64 = 100_000_000_000_000_000;

/// A BPM this crate reads and writes: positive and below a million.
fn valid_bpm(bpm: f64) -> bool {
    bpm.is_finite() && bpm > 0.0 && bpm < 1e6
}

/// A GAP (ms) this crate reads and writes: within the times the model can hold.
fn valid_gap(gap_ms: f64) -> bool {
    gap_ms.is_finite() && gap_ms.abs() < 1e16
}

/// A decimal number with `.` or `,` as the separator (UltraStar files use both).
fn decimal(s: &str) -> Option<f64> {
    s.replace(',', ".").parse().ok()
}

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
