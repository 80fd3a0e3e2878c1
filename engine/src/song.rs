//! What a song is made of, as the engine sees it: its files and how the two tracks (the
//! accompaniment and the original) are laid out in them.

use std::path::PathBuf;

/// Where a song's two tracks are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SongFiles {
    /// The accompaniment and the original in two files.
    TwoFiles {
        /// The accompaniment (伴奏).
        accompaniment: PathBuf,
        /// The original (原唱): the full mix, or the vocal alone (see [`Original`]).
        original: PathBuf,
    },
    /// Two audio streams of one file (e.g. an MKV or MP4 with two audio tracks), given as
    /// indices among the file's audio streams.
    TwoStreams {
        /// The file.
        file: PathBuf,
        /// The accompaniment's audio stream.
        accompaniment: usize,
        /// The original's audio stream.
        original: usize,
    },
    /// The old KTV stereo layout: accompaniment in the left channel, the original in the right.
    StereoSplit {
        /// The file.
        file: PathBuf,
    },
    /// An accompaniment only; selecting the original plays it too.
    AccompanimentOnly {
        /// The file.
        file: PathBuf,
    },
}

/// What the original track holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Original {
    /// The whole song with its vocal: playing the original replaces the accompaniment.
    #[default]
    FullMix,
    /// The vocal alone (a guide vocal): playing the original adds it to the accompaniment.
    VocalOnly,
}

/// A song to load.
#[derive(Debug, Clone, PartialEq)]
pub struct SongSource {
    /// Its files.
    pub files: SongFiles,
    /// What its original track holds.
    pub original: Original,
    /// Its loudness, if already measured (see [`crate::loudness`]); measured at load when the
    /// engine normalises loudness and this is `None`.
    pub loudness: Option<SongLoudness>,
}

impl SongSource {
    /// A song with the accompaniment and a full-mix original in two files.
    pub fn two_files(accompaniment: impl Into<PathBuf>, original: impl Into<PathBuf>) -> Self {
        SongSource {
            files: SongFiles::TwoFiles {
                accompaniment: accompaniment.into(),
                original: original.into(),
            },
            original: Original::FullMix,
            loudness: None,
        }
    }

    /// A song with only an accompaniment.
    pub fn accompaniment_only(file: impl Into<PathBuf>) -> Self {
        SongSource {
            files: SongFiles::AccompanimentOnly { file: file.into() },
            original: Original::FullMix,
            loudness: None,
        }
    }

    /// The same song with `original` describing its original track.
    pub fn with_original(mut self, original: Original) -> Self {
        self.original = original;
        self
    }

    /// The same song with its loudness already known (from a library scan).
    pub fn with_loudness(mut self, loudness: SongLoudness) -> Self {
        self.loudness = Some(loudness);
        self
    }
}

/// A song's measured loudness (what it means for playback: [`crate::loudness`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SongLoudness {
    /// The accompaniment's integrated loudness, LUFS (−∞ when silent).
    pub accompaniment_lufs: f64,
    /// The original's integrated loudness, LUFS.
    pub original_lufs: f64,
}

/// Which track each side hears (the KTV track modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrackMode {
    /// Accompaniment (伴奏): singer and room hear the accompaniment.
    #[default]
    Accompaniment,
    /// Original (原唱): singer and room hear the original.
    Original,
    /// Guide (导唱): the singer's monitor carries the original vocal, the room hears only the
    /// accompaniment, so the singer can follow the melody without the audience hearing it.
    Guide,
}

impl TrackMode {
    /// How much of the original the monitor and the room hear: (monitor, room), each 0 or 1.
    pub(crate) fn original_gains(self) -> (f32, f32) {
        match self {
            TrackMode::Accompaniment => (0.0, 0.0),
            TrackMode::Original => (1.0, 1.0),
            TrackMode::Guide => (1.0, 0.0),
        }
    }
}

impl std::str::FromStr for TrackMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "accompaniment" | "伴奏" => Ok(TrackMode::Accompaniment),
            "original" | "原唱" => Ok(TrackMode::Original),
            "guide" | "导唱" => Ok(TrackMode::Guide),
            _ => Err(format!(
                "unknown track mode {s:?}: expected accompaniment, original or guide"
            )),
        }
    }
}
