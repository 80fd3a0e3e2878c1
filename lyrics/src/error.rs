//! Errors and warnings of the lyrics crate.
//!
//! A file that cannot be read gives an [`Error`]; a parse error names the line (1-based, as an
//! editor shows it) and what was wrong there. Oddities that real players tolerate are repaired
//! and reported as [`Warning`]s next to the parsed value.

use crate::file_format::Format;

/// Why lyrics could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A line of the file is malformed.
    #[error("{format} line {line}: {kind}")]
    Parse {
        /// The format being parsed.
        format: Format,
        /// The 1-based line number.
        line: usize,
        /// What was wrong.
        kind: ParseErrorKind,
    },
    /// A pitch file (the JSON that pairs with KRC or LRC) is malformed.
    #[error("pitch file line {line}: {kind}")]
    PitchFile {
        /// The 1-based line number.
        line: usize,
        /// What was wrong.
        kind: ParseErrorKind,
    },
    /// The file is not in any format this crate reads.
    #[error(
        "not a lyrics file in a known format (LRC, enhanced LRC, UltraStar, ASS, KRC, QRC, YRC, KTV XML)"
    )]
    UnknownFormat,
    /// The file declares a version of its format that this crate cannot read.
    #[error("{format} version {version} is not supported (newest known: {newest})")]
    UnsupportedVersion {
        /// The format.
        format: Format,
        /// The version the file declares.
        version: String,
        /// The newest version this crate reads.
        newest: &'static str,
    },
    /// The file is larger, or has more lines or words, than this crate accepts.
    #[error("{what} exceeds the limit of {limit}")]
    Limit {
        /// What was counted.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

/// What was wrong on a malformed line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A time stamp could not be read.
    #[error("bad time stamp {0:?}")]
    BadTimestamp(String),
    /// A number could not be read.
    #[error("expected {what}, found {found:?}")]
    BadNumber {
        /// What the number is.
        what: &'static str,
        /// What was there instead.
        found: String,
    },
    /// A required field or tag is missing.
    #[error("missing {0}")]
    Missing(&'static str),
    /// A line is not of any kind the format allows.
    #[error("unexpected line {0:?}")]
    UnexpectedLine(String),
    /// The structure is broken (XML, JSON), with the parser's own message.
    #[error("malformed: {0}")]
    Malformed(String),
    /// The file has no timed lyrics at all.
    #[error("no timed lyrics")]
    NoLyrics,
}

/// A repaired oddity, reported with the line it was found on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The 1-based line number (0 when the warning is about the whole file).
    pub line: usize,
    /// What was repaired.
    pub kind: WarningKind,
}

/// What was repaired.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WarningKind {
    /// Lines were not in time order; they were sorted.
    #[error("lines out of time order; sorted")]
    UnsortedLines,
    /// Notes were not in time order; they were sorted.
    #[error("notes out of time order; sorted")]
    UnsortedNotes,
    /// A word starts before the word before it; it was moved to start there.
    #[error("word starts before the previous word; moved")]
    OverlappingWords,
    /// A note starts before the previous note ends; the previous note was shortened.
    #[error("note overlaps the previous note; the previous one was shortened")]
    OverlappingNotes,
    /// An empty line where the format expects none; skipped.
    #[error("empty line skipped")]
    EmptyLine,
    /// A line without time stamps in a timed format; skipped.
    #[error("line without a time stamp skipped")]
    UntimedLine,
    /// Leading or trailing whitespace around a line; trimmed.
    #[error("stray whitespace trimmed")]
    StrayWhitespace,
    /// Byte-order marks inside the text; removed.
    #[error("byte-order mark inside the text removed")]
    BomInText,
    /// Text after the end of the lyrics (UltraStar `E`); ignored.
    #[error("text after the end marker ignored")]
    TrailingGarbage,
    /// A time before the song's start (after applying the offset); moved to zero.
    #[error("time before the song start moved to 00:00")]
    NegativeTime,
    /// A tag appeared more than once; the first value wins.
    #[error("tag {0:?} repeated; the first value is kept")]
    DuplicateTag(String),
    /// A field could not be read and was ignored (e.g. a non-numeric `offset`).
    #[error("{0}")]
    Ignored(String),
    /// More warnings were found than are reported.
    #[error("further warnings suppressed")]
    TooManyWarnings,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "line {}: {}", self.line, self.kind)
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects warnings up to a fixed number, so hostile input cannot grow the list without bound.
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    list: Vec<Warning>,
}

impl Warnings {
    /// The most warnings kept for one file; one more says the rest were suppressed.
    pub(crate) const MAX: usize = 1000;

    pub(crate) fn push(&mut self, line: usize, kind: WarningKind) {
        match self.list.len() {
            n if n < Self::MAX => self.list.push(Warning { line, kind }),
            n if n == Self::MAX => self.list.push(Warning {
                line: 0,
                kind: WarningKind::TooManyWarnings,
            }),
            _ => {}
        }
    }

    pub(crate) fn into_vec(self) -> Vec<Warning> {
        self.list
    }
}
