//! The reader: note lines, line breaks, duet voice switches and the end, into lines of
//! syllables and the reference melody.

use super::header::{self, version_major};
use super::numbers::{MAX_BEATS, decimal, valid_bpm, valid_gap};
use crate::error::{Error, ParseErrorKind, Result, WarningKind, Warnings};
use crate::file_format::Format;
use crate::finish::{Draft, finish};
use crate::format::Parsed;
use crate::melody::{NoteKind, Pitch, ReferenceNote};
use crate::model::{LineBuilder, Meta, Voice};
use crate::text::{self, MAX_LINES, MAX_WORDS_PER_LINE, check_limit};
use crate::time::SongTime;

/// The most notes accepted in one file.
pub const MAX_NOTES: usize = 100_000;

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
        self.meta.media = header::media(&self.meta, major, |beat| self.time(beat));
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
