//! Readers and writers, one module per format.
//!
//! Each module has `parse(text) -> Result<Parsed>` (and `write(&Lyrics) -> String` where the
//! format can hold what the model holds). Readers fail with the line number on malformed
//! input and repair what real players tolerate, reporting it in [`Parsed::warnings`].

pub mod ass;
pub mod elrc;
pub mod krc;
pub mod ktv_xml;
pub mod lrc;
pub mod pitch;
pub mod qrc;
pub(crate) mod stamp;
pub(crate) mod timed_lines;
pub mod ultrastar;
pub mod yrc;

use crate::error::Warning;
use crate::file_format::Format;
use crate::model::Lyrics;

/// Lyrics read from a file, with what had to be repaired.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The lyrics.
    pub lyrics: Lyrics,
    /// The format they were read as.
    pub format: Format,
    /// The text encoding of the file (`"UTF-8"` when parsed from a string).
    pub encoding: &'static str,
    /// Oddities that were repaired, in the order found.
    pub warnings: Vec<Warning>,
}

impl Parsed {
    pub(crate) fn new(lyrics: Lyrics, format: Format, warnings: crate::error::Warnings) -> Parsed {
        Parsed {
            lyrics,
            format,
            encoding: "UTF-8",
            warnings: warnings.into_vec(),
        }
    }
}
