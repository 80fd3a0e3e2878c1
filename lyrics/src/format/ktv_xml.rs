//! The KTV-catalogue XML format with per-syllable pitch, as Agora's LyricsView reads it:
//!
//! ```text
//! <song>
//!   <general><name>茉莉花</name><singer>江苏民歌</singer></general>
//!   <midi_lrc><paragraph><sentence>
//!     <tone begin="12.252" end="12.403" pitch="262" pronounce="hao" lang="1"><word>好</word></tone>
//!   …
//! ```
//!
//! A `sentence` is a line, a `tone` a syllable with its times in seconds. **`pitch` is a
//! frequency in Hz**, and 0 means "no pitch": LyricsView's `LyricsParserXml.readTone` reads it
//! unchanged and its scoring core compares it with the singer's pitch from the RTC SDK, which
//! is in Hz, through the same `pitchToToneC` (`12·log2(f/55)`, `karaoke_view_ex/src/main/cpp/
//! Algorithm.c`); its sample files hold 82–550. So a tone with a pitch becomes a
//! [`ReferenceNote`] at MIDI `69 + 12·log2(f/440)`, and the file is a reference melody exactly
//! as UltraStar notes are. Read only.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, ParseErrorKind, Result, Warnings};
use crate::file_format::Format;
use crate::finish::{Draft, finish};
use crate::format::Parsed;
use crate::melody::{NoteKind, Pitch, ReferenceNote};
use crate::model::{LineBuilder, Meta, Voice};
use crate::text::{MAX_LINES, MAX_WORDS_PER_LINE, check_limit};
use crate::time::SongTime;

/// The most tones accepted in one file.
const MAX_TONES: usize = 100_000;

/// Reads a KTV-catalogue XML file.
pub fn parse(text: &str) -> Result<Parsed> {
    let mut reader = Reader::from_str(text);
    // Errors need the line of any position; sentences, in order, count forwards.
    let line_at = |pos: u64| {
        let pos = (pos as usize).min(text.len());
        memchr::memchr_iter(b'\n', &text.as_bytes()[..pos]).count() + 1
    };
    let mut lines_seen = LineCounter::default();
    let error = |pos: u64, kind| Error::Parse {
        format: Format::KtvXml,
        line: line_at(pos),
        kind,
    };
    let mut meta = Meta::default();
    let mut drafts = Vec::new();
    let mut notes = Vec::new();
    let mut builder = LineBuilder::new();
    let mut sentence_line = 0;
    // The element whose text is being read, and the tone being read.
    let mut reading: Option<&'static str> = None;
    let mut buffer = String::new();
    let mut tone: Option<Tone> = None;
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            error(
                reader.buffer_position(),
                ParseErrorKind::Malformed(e.to_string()),
            )
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "tone" => {
                tone = Some(read_tone(&e).map_err(|kind| error(pos, kind))?);
                check_limit("tone count", notes.len() + 1, MAX_TONES)?;
            }
            Event::Start(e) => match e.local_name().as_ref() {
                "sentence" => {
                    sentence_line = lines_seen.line_at(text, pos);
                    check_limit("line count", drafts.len() + 1, MAX_LINES)?;
                }
                "name" => reading = Some("name"),
                "singer" => reading = Some("singer"),
                "word" => reading = Some("word"),
                _ => {}
            },
            Event::Text(t) if reading.is_some() => buffer.push_str(&t.xml10_content()),
            Event::CData(t) if reading.is_some() => {
                buffer.push_str(&t.into_inner());
            }
            Event::GeneralRef(r) if reading.is_some() => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => {
                        quick_xml::escape::resolve_predefined_entity(r.as_ref()).map(str::to_owned)
                    }
                };
                let resolved = resolved.ok_or_else(|| {
                    error(
                        pos,
                        ParseErrorKind::Malformed(format!(
                            "unknown entity &{};",
                            r.as_ref() as &str
                        )),
                    )
                })?;
                buffer.push_str(&resolved);
            }
            Event::End(e) => match e.local_name().as_ref() {
                "name" | "singer" => {
                    let value = std::mem::take(&mut buffer).trim().to_owned();
                    let key = reading.take().unwrap_or("name");
                    meta.tags.push((key.to_owned(), value.clone()));
                    let slot = if key == "name" {
                        &mut meta.title
                    } else {
                        &mut meta.artist
                    };
                    if !value.is_empty() {
                        *slot = Some(value);
                    }
                }
                "word" => reading = None,
                "tone" => {
                    if let Some(tone) = tone.take() {
                        let word = std::mem::take(&mut buffer);
                        push_tone(&mut builder, &mut notes, &tone, word.trim());
                        check_limit("words on one line", builder.len(), MAX_WORDS_PER_LINE)?;
                    }
                }
                "sentence" => {
                    let done = std::mem::take(&mut builder);
                    if !done.is_empty() {
                        drafts.push(Draft::from_builder(sentence_line, done, Voice::P1));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if drafts.is_empty() {
        return Err(error(text.len() as u64, ParseErrorKind::NoLyrics));
    }
    let mut warnings = Warnings::default();
    let lyrics = finish(drafts, notes, meta, &mut warnings);
    Ok(Parsed::new(lyrics, Format::KtvXml, warnings))
}

/// Line numbers of increasing positions, counting only the text between them.
#[derive(Default)]
struct LineCounter {
    pos: usize,
    line: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, pos: u64) -> usize {
        let pos = (pos as usize).clamp(self.pos, text.len());
        self.line += memchr::memchr_iter(b'\n', &text.as_bytes()[self.pos..pos]).count();
        self.pos = pos;
        self.line + 1
    }
}

struct Tone {
    begin: SongTime,
    end: SongTime,
    pitch_hz: f32,
}

fn read_tone(element: &BytesStart<'_>) -> Result<Tone, ParseErrorKind> {
    let number = |name: &'static str| -> Result<Option<f64>, ParseErrorKind> {
        let attribute = element
            .try_get_attribute(name)
            .map_err(|e| ParseErrorKind::Malformed(e.to_string()))?;
        let Some(attribute) = attribute else {
            return Ok(None);
        };
        let value = attribute.value.into_owned();
        value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(Some)
            .ok_or(ParseErrorKind::BadNumber {
                what: name_for(name),
                found: value,
            })
    };
    let begin = number("begin")?.ok_or(ParseErrorKind::Missing("the tone's begin"))?;
    let end = number("end")?.ok_or(ParseErrorKind::Missing("the tone's end"))?;
    let pitch_hz = number("pitch")?.unwrap_or(0.0) as f32;
    Ok(Tone {
        begin: SongTime::from_secs_f64(begin),
        end: SongTime::from_secs_f64(end.max(begin)),
        pitch_hz,
    })
}

fn name_for(attribute: &str) -> &'static str {
    match attribute {
        "begin" => "a begin time in seconds",
        "end" => "an end time in seconds",
        _ => "a pitch in Hz",
    }
}

/// Adds a tone's syllable to the line and, if it has a pitch, its note to the melody.
fn push_tone(builder: &mut LineBuilder, notes: &mut Vec<ReferenceNote>, tone: &Tone, word: &str) {
    if let Some(pitch) = Pitch::from_hz(tone.pitch_hz) {
        notes.push(ReferenceNote {
            start: tone.begin,
            duration: tone.end - tone.begin,
            pitch,
            kind: NoteKind::Normal,
            voice: Voice::P1,
        });
    }
    // Latin words are separate tones with no space between them in the file.
    let needs_space = builder.last_text_ends_with(|c| c.is_ascii_alphanumeric())
        && word.starts_with(|c: char| c.is_ascii_alphanumeric());
    if needs_space {
        builder.extend_last(" ", SongTime::ZERO);
    }
    builder.push(tone.begin, tone.end, word);
}
