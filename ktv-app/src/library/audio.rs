//! A song's audio as a client far from the library sees it: which media to fetch
//! (`/api/songs/{song}/media/{kind}`) and how the engine plays them once fetched. The
//! service describes the song; the client rebuilds the engine's [`engine::SongSource`] over
//! its own copies of the files.

use std::path::PathBuf;

use engine::{Original, SongFiles, SongLoudness, SongSource};
use serde::{Deserialize, Serialize};

use crate::library::MediaKind;

/// How a song's two tracks sit in its media files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "layout", rename_all = "kebab-case")]
pub enum AudioLayout {
    /// The accompaniment and the original in two files.
    TwoFiles,
    /// Two audio streams of one file (the accompaniment medium), by index among its audio
    /// streams.
    TwoStreams {
        /// The accompaniment's stream.
        accompaniment: usize,
        /// The original's stream.
        original: usize,
    },
    /// One stereo file: accompaniment left, original right.
    StereoSplit,
    /// The accompaniment alone.
    AccompanimentOnly,
}

/// What the original track holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OriginalTrack {
    /// The whole song with its vocal.
    FullMix,
    /// The vocal alone (a guide vocal).
    Vocal,
}

/// A song's measured loudness (LUFS), so a client levels it without measuring.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Loudness {
    /// The accompaniment's.
    pub accompaniment_lufs: f64,
    /// The original's.
    pub original_lufs: f64,
}

/// A song's audio, described for a client.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SongAudio {
    /// Where the tracks are.
    #[serde(flatten)]
    pub layout: AudioLayout,
    /// What the original holds.
    pub original: OriginalTrack,
    /// Its loudness, when the library measured it.
    pub loudness: Option<Loudness>,
}

impl SongAudio {
    /// The description of `source` (a song in the library).
    pub fn of(source: &SongSource) -> SongAudio {
        let layout = match source.files {
            SongFiles::TwoFiles { .. } => AudioLayout::TwoFiles,
            SongFiles::TwoStreams {
                accompaniment,
                original,
                ..
            } => AudioLayout::TwoStreams {
                accompaniment,
                original,
            },
            SongFiles::StereoSplit { .. } => AudioLayout::StereoSplit,
            SongFiles::AccompanimentOnly { .. } => AudioLayout::AccompanimentOnly,
        };
        SongAudio {
            layout,
            original: match source.original {
                Original::FullMix => OriginalTrack::FullMix,
                Original::VocalOnly => OriginalTrack::Vocal,
            },
            loudness: source.loudness.map(|l| Loudness {
                accompaniment_lufs: l.accompaniment_lufs,
                original_lufs: l.original_lufs,
            }),
        }
    }

    /// The media a client fetches to play the song: the accompaniment (or the one file
    /// holding both tracks) and, in two files, the original.
    pub fn media(&self) -> &'static [MediaKind] {
        match self.layout {
            AudioLayout::TwoFiles => &[MediaKind::Accompaniment, MediaKind::Original],
            _ => &[MediaKind::Accompaniment],
        }
    }

    /// The engine's source over fetched files: `files` holds one path per
    /// [`SongAudio::media`] entry, in that order.
    pub fn source(&self, files: &[PathBuf]) -> Option<SongSource> {
        let first = files.first()?.clone();
        let files = match self.layout {
            AudioLayout::TwoFiles => SongFiles::TwoFiles {
                accompaniment: first,
                original: files.get(1)?.clone(),
            },
            AudioLayout::TwoStreams {
                accompaniment,
                original,
            } => SongFiles::TwoStreams {
                file: first,
                accompaniment,
                original,
            },
            AudioLayout::StereoSplit => SongFiles::StereoSplit { file: first },
            AudioLayout::AccompanimentOnly => SongFiles::AccompanimentOnly { file: first },
        };
        Some(SongSource {
            files,
            original: match self.original {
                OriginalTrack::FullMix => Original::FullMix,
                OriginalTrack::Vocal => Original::VocalOnly,
            },
            loudness: self.loudness.map(|l| SongLoudness {
                accompaniment_lufs: l.accompaniment_lufs,
                original_lufs: l.original_lufs,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_described_song_is_rebuilt_over_fetched_files() {
        let library = SongSource {
            files: SongFiles::TwoFiles {
                accompaniment: "/lib/a/accompaniment.mp3".into(),
                original: "/lib/a/guide.m4a".into(),
            },
            original: Original::VocalOnly,
            loudness: Some(SongLoudness {
                accompaniment_lufs: -16.0,
                original_lufs: -19.5,
            }),
        };
        let audio = SongAudio::of(&library);
        let json = serde_json::to_string(&audio).unwrap();
        assert_eq!(
            json,
            r#"{"layout":"two-files","original":"vocal","loudness":{"accompaniment_lufs":-16.0,"original_lufs":-19.5}}"#
        );
        let audio: SongAudio = serde_json::from_str(&json).unwrap();
        assert_eq!(audio.media().len(), 2);
        let fetched = audio
            .source(&["/cache/a.mp3".into(), "/cache/g.m4a".into()])
            .unwrap();
        assert_eq!(
            fetched.files,
            SongFiles::TwoFiles {
                accompaniment: "/cache/a.mp3".into(),
                original: "/cache/g.m4a".into()
            }
        );
        assert_eq!(fetched.original, Original::VocalOnly);
        assert_eq!(fetched.loudness, library.loudness);
        // One file short is no song.
        assert!(audio.source(&["/cache/a.mp3".into()]).is_none());
    }

    #[test]
    fn one_file_layouts_fetch_one_medium() {
        let audio = SongAudio {
            layout: AudioLayout::TwoStreams {
                accompaniment: 1,
                original: 0,
            },
            original: OriginalTrack::FullMix,
            loudness: None,
        };
        assert_eq!(audio.media(), &[MediaKind::Accompaniment]);
        let source = audio.source(&["/cache/song.mkv".into()]).unwrap();
        assert_eq!(
            source.files,
            SongFiles::TwoStreams {
                file: "/cache/song.mkv".into(),
                accompaniment: 1,
                original: 0
            }
        );
    }
}
