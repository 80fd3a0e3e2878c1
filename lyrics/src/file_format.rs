//! The lyrics file formats this crate knows: their names, extensions and which it can write.
//! A leaf that errors, detection and the readers all name.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A lyrics file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Format {
    /// LRC with line time stamps (`[mm:ss.xx]text`).
    Lrc,
    /// Enhanced LRC (A2): a `<mm:ss.xx>` stamp before each word.
    EnhancedLrc,
    /// UltraStar `.txt`: notes with pitch, the reference melody.
    UltraStar,
    /// ASS/SSA subtitles with karaoke tags (`\k`, `\K`, `\kf`, `\ko`).
    Ass,
    /// KRC plain text (after decryption): `[start,dur]<offset,dur,0>word`.
    Krc,
    /// QRC plain text, bare or in its XML wrapper: `[start,dur]word(start,dur)`.
    Qrc,
    /// YRC: `[start,dur](start,dur,0)word`.
    Yrc,
    /// KTV-catalogue XML with per-syllable pitch (`<song>…<midi_lrc>…<tone pitch>`).
    KtvXml,
}

impl Format {
    /// Every format, in the order they are listed to users.
    pub const ALL: [Format; 8] = [
        Format::Lrc,
        Format::EnhancedLrc,
        Format::UltraStar,
        Format::Ass,
        Format::Krc,
        Format::Qrc,
        Format::Yrc,
        Format::KtvXml,
    ];

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Lrc | Format::EnhancedLrc => "lrc",
            Format::UltraStar => "txt",
            Format::Ass => "ass",
            Format::Krc => "krc",
            Format::Qrc => "qrc",
            Format::Yrc => "yrc",
            Format::KtvXml => "xml",
        }
    }

    /// A short name, as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Lrc => "lrc",
            Format::EnhancedLrc => "elrc",
            Format::UltraStar => "ultrastar",
            Format::Ass => "ass",
            Format::Krc => "krc",
            Format::Qrc => "qrc",
            Format::Yrc => "yrc",
            Format::KtvXml => "xml",
        }
    }

    /// Whether [`crate::write`] can write this format.
    pub fn is_writable(self) -> bool {
        matches!(self, Format::Lrc | Format::EnhancedLrc | Format::UltraStar)
    }

    /// The format named `name` (as [`Format::name`] gives it, case-insensitive).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Lrc => "LRC",
            Format::EnhancedLrc => "enhanced LRC",
            Format::UltraStar => "UltraStar",
            Format::Ass => "ASS",
            Format::Krc => "KRC",
            Format::Qrc => "QRC",
            Format::Yrc => "YRC",
            Format::KtvXml => "KTV XML",
        })
    }
}
