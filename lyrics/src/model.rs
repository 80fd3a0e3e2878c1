//! The lyrics model every format reads into and writes from.
//!
//! `Lyrics { meta, lines, notes }`: metadata, word-timed lines and the reference melody. All
//! times are song times with the file's own offset already applied, lines are sorted by start,
//! and every line has word timing (estimated from line timing where the file had none, and
//! marked so).
//!
//! A line keeps its display text as one string and its words as byte ranges into it, so the
//! renderer lays out the line once and knows where each word sits, and parsing allocates per
//! line rather than per word.

use serde::{Deserialize, Serialize};

use crate::melody::ReferenceNote;
use crate::time::SongTime;

/// Word-timed lyrics and the reference melody of one song.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lyrics {
    /// Title, artist and the other tags of the file.
    pub meta: Meta,
    /// The lines, sorted by start time.
    pub lines: Vec<Line>,
    /// The reference melody, sorted by start time (empty when the format has no pitch).
    pub notes: Vec<ReferenceNote>,
}

/// Metadata of a lyrics file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Song title (LRC `ti`, UltraStar `#TITLE`).
    pub title: Option<String>,
    /// Performing artist (LRC `ar`, UltraStar `#ARTIST`).
    pub artist: Option<String>,
    /// Album (LRC `al`).
    pub album: Option<String>,
    /// Author of the song text (LRC `au`).
    pub lyricist: Option<String>,
    /// Creator of the lyrics file (LRC `by`, UltraStar `#CREATOR`).
    pub file_author: Option<String>,
    /// Language as written in the file (UltraStar `#LANGUAGE`, KRC `language` is not decoded).
    pub language: Option<String>,
    /// Song length stated by the file (LRC `length`), if any.
    pub length: Option<SongTime>,
    /// The offset the file declared, in milliseconds (LRC `offset`, KRC `offset`), already
    /// applied to every time in the model: a positive offset made everything earlier.
    pub applied_offset_ms: i64,
    /// The song's media files and play range, where the lyrics file names them (UltraStar).
    pub media: Media,
    /// Display names of the duet voices (UltraStar `#DUETSINGERP1`/`#P1`), if any.
    pub voice_names: [Option<String>; 2],
    /// Every tag of the file in file order, known or not, as `(key, value)` with the key as
    /// written. Writers of the same format use them to keep what the model does not interpret.
    pub tags: Vec<(String, String)>,
}

impl Meta {
    /// The value of the first tag named `key` (ASCII case-insensitive), if any.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Media files and the play range a lyrics file names (UltraStar headers), with times already
/// converted from the file's units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// The song's audio (`#AUDIO`, or `#MP3` in older files).
    pub audio: Option<String>,
    /// The vocals-only track (`#VOCALS`, UltraStar 1.0+).
    pub vocals: Option<String>,
    /// The accompaniment track (`#INSTRUMENTAL`, UltraStar 1.0+).
    pub instrumental: Option<String>,
    /// The music video (`#VIDEO`).
    pub video: Option<String>,
    /// The cover image (`#COVER`).
    pub cover: Option<String>,
    /// A background image (`#BACKGROUND`).
    pub background: Option<String>,
    /// How far into the audio the video starts (`#VIDEOGAP`).
    pub video_gap: Option<SongTime>,
    /// Where playback starts (`#START`).
    pub start: Option<SongTime>,
    /// Where playback ends (`#END`).
    pub end: Option<SongTime>,
    /// The medley section, start and end.
    pub medley: Option<(SongTime, SongTime)>,
}

/// Who sings a line or a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Voice {
    /// The only singer, or the first of a duet (UltraStar `P1`, LRC `M:`).
    #[default]
    P1,
    /// The second singer of a duet (UltraStar `P2`, LRC `F:`).
    P2,
    /// Both singers together (UltraStar `P3`, LRC `D:`, or the same line in `P1` and `P2`).
    Both,
}

impl Voice {
    /// Whether a part sung by `self` is sung by `singer` too (`Both` includes each).
    pub fn includes(self, singer: Voice) -> bool {
        self == singer || self == Voice::Both
    }
}

/// Where a line's word timing came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum WordTiming {
    /// The file timed every word.
    #[default]
    Exact,
    /// The file timed only the line; words were spread over it by character weight.
    Estimated,
}

/// One line of lyrics, shown together on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// When the first word starts.
    pub start: SongTime,
    /// When the last word ends.
    pub end: SongTime,
    /// The line's text as displayed: the words' texts in order.
    pub text: String,
    /// The timed pieces of the line (words, or syllables where the file times syllables), in
    /// order; each covers a byte range of `text`. Whitespace between words belongs to the end of
    /// the word before it.
    pub words: Vec<Word>,
    /// Who sings the line.
    pub voice: Voice,
    /// Whether word times are exact or estimated.
    pub timing: WordTiming,
}

/// A timed piece of a line: a word, or a syllable where the format times syllables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Word {
    /// When the word starts.
    pub start: SongTime,
    /// When the word ends (at or after `start`).
    pub end: SongTime,
    /// Byte offset of the word's text in the line's `text`.
    pub text_start: u32,
    /// Byte offset just past the word's text in the line's `text`.
    pub text_end: u32,
}

impl Line {
    /// The text of `word`, which must belong to this line; an empty string if it does not.
    pub fn word_text(&self, word: &Word) -> &str {
        self.text
            .get(word.text_start as usize..word.text_end as usize)
            .unwrap_or("")
    }

    /// The words with their texts.
    pub fn words_with_text(&self) -> impl Iterator<Item = (&Word, &str)> {
        self.words.iter().map(|w| (w, self.word_text(w)))
    }

    /// The line's duration.
    pub fn duration(&self) -> SongTime {
        self.end.saturating_sub(self.start)
    }
}

/// Builds a [`Line`] word by word, keeping text and ranges consistent.
#[derive(Debug, Default)]
pub struct LineBuilder {
    text: String,
    words: Vec<Word>,
}

impl LineBuilder {
    /// An empty line.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a word with its times. Empty text is allowed (a timed pause inside a line).
    /// Line breaks inside `text` (possible in XML formats) become spaces: a line is one row.
    pub fn push(&mut self, start: SongTime, end: SongTime, text: &str) {
        let text_start = self.text.len() as u32;
        push_one_row(&mut self.text, text);
        self.words.push(Word {
            start,
            end: end.max(start),
            text_start,
            text_end: self.text.len() as u32,
        });
    }

    /// Appends text to the last word (or to the line if there is none yet), e.g. a melisma.
    pub fn extend_last(&mut self, text: &str, end: SongTime) {
        push_one_row(&mut self.text, text);
        if let Some(last) = self.words.last_mut() {
            last.text_end = self.text.len() as u32;
            last.end = last.end.max(end);
        }
    }

    /// Whether the text so far ends with a character that `pred` accepts.
    pub fn last_text_ends_with(&self, pred: impl Fn(char) -> bool) -> bool {
        self.text.chars().next_back().is_some_and(pred)
    }

    /// The number of words so far.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether no word was pushed.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The finished line. Times span the words; a line without words starts and ends at
    /// `fallback_start`.
    pub fn finish(self, voice: Voice, timing: WordTiming, fallback_start: SongTime) -> Line {
        let start = self.words.first().map_or(fallback_start, |w| w.start);
        let end = self.words.iter().map(|w| w.end).max().unwrap_or(start);
        Line {
            start,
            end,
            text: self.text,
            words: self.words,
            voice,
            timing,
        }
    }
}

/// Appends `text` with any line break replaced by a space.
fn push_one_row(out: &mut String, text: &str) {
    if text.contains(['\n', '\r']) {
        out.extend(
            text.chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
        );
    } else {
        out.push_str(text);
    }
}
