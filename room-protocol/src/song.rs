//! A song as a client far from the library sees it: what it is, which media to fetch
//! (`/api/songs/{song}/media/{kind}`) and how its two tracks sit in them. The service
//! describes a song from its files; a client rebuilds the engine's source over its own
//! copies.

use serde::{Deserialize, Serialize};

/// A song as a client sees it before singing or playing it: what it is and what to fetch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SongDetails {
    /// The song's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its artist, if known.
    pub artist: Option<String>,
    /// Its length in seconds, if known.
    pub duration: Option<f64>,
    /// Its audio: the media to fetch and how to play them (`None` if the song's files do not
    /// say; `problem` says why).
    pub audio: Option<SongAudio>,
    /// Whether it has a music video (`media/video`).
    pub video: bool,
    /// What is wrong with the song, if anything.
    pub problem: Option<String>,
}

/// A media file a client may fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// The accompaniment (or the file holding it).
    Accompaniment,
    /// The original (or the file holding it).
    Original,
    /// The music video.
    Video,
}

impl MediaKind {
    /// Its name in the media URL.
    pub fn name(self) -> &'static str {
        match self {
            MediaKind::Accompaniment => "accompaniment",
            MediaKind::Original => "original",
            MediaKind::Video => "video",
        }
    }
}

/// How a song's two tracks sit in its media files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum OriginalTrack {
    /// The whole song with its vocal.
    FullMix,
    /// The vocal alone (a guide vocal).
    Vocal,
}

/// A song's measured loudness (LUFS), so a client levels it without measuring.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Loudness {
    /// The accompaniment's.
    pub accompaniment_lufs: f64,
    /// The original's.
    pub original_lufs: f64,
}

/// A song's audio, described for a client.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The media a client fetches to play the song: the accompaniment (or the one file
    /// holding both tracks) and, in two files, the original.
    pub fn media(&self) -> &'static [MediaKind] {
        match self.layout {
            AudioLayout::TwoFiles => &[MediaKind::Accompaniment, MediaKind::Original],
            _ => &[MediaKind::Accompaniment],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_layouts_fetch_one_medium() {
        let one_file = [
            AudioLayout::TwoStreams {
                accompaniment: 1,
                original: 0,
            },
            AudioLayout::StereoSplit,
            AudioLayout::AccompanimentOnly,
        ];
        for layout in one_file {
            let original = OriginalTrack::FullMix;
            let audio = SongAudio {
                layout,
                original,
                loudness: None,
            };
            assert_eq!(audio.media(), &[MediaKind::Accompaniment], "{layout:?}");
        }
        let two: SongAudio =
            serde_json::from_str(r#"{"layout":"two-files","original":"vocal","loudness":null}"#)
                .unwrap();
        assert_eq!(
            two.media(),
            &[MediaKind::Accompaniment, MediaKind::Original]
        );
    }

    #[test]
    fn media_kinds_are_named_as_their_urls_are() {
        for kind in [
            MediaKind::Accompaniment,
            MediaKind::Original,
            MediaKind::Video,
        ] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
    }
}
