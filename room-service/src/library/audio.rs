//! A library song's audio described for a client far from the library (the protocol's
//! [`SongAudio`]): which media to fetch and how its tracks sit in them. The client rebuilds
//! the engine's [`SongSource`] over its own copies of the files.

use engine::{Original, SongFiles, SongSource};
use room_protocol::{AudioLayout, Loudness, OriginalTrack, SongAudio};

/// The description of `source` (a song in the library).
pub fn describe(source: &SongSource) -> SongAudio {
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

#[cfg(test)]
mod tests {
    use engine::SongLoudness;

    use super::*;

    // The client's half (rebuilding the source from this JSON) is room-client's
    // `songs::tests`.
    #[test]
    fn a_song_is_described_for_clients() {
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
        let audio = describe(&library);
        let json = serde_json::to_string(&audio).unwrap();
        assert_eq!(
            json,
            r#"{"layout":"two-files","original":"vocal","loudness":{"accompaniment_lufs":-16.0,"original_lufs":-19.5}}"#
        );
        let audio: SongAudio = serde_json::from_str(&json).unwrap();
        assert_eq!(audio.media().len(), 2);
    }
}
