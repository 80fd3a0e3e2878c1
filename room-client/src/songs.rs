//! Songs fetched from the service for a client's engine: the media its details name and the
//! lyrics, kept in a cache folder (one sub-folder per song) so a song sung or heard twice,
//! or after a reconnect, is fetched once.

use std::path::{Path, PathBuf};

use engine::{Original, SongFiles, SongLoudness, SongSource};
use room_protocol::{AudioLayout, OriginalTrack, SongAudio, SongDetails};

use crate::api::Api;
use crate::{Error, Result};

/// A song ready for the engine.
#[derive(Debug, Clone)]
pub struct LocalSong {
    /// What the service says of it.
    pub details: SongDetails,
    /// Its files here, as the engine plays them.
    pub source: SongSource,
    /// Its lyrics and reference melody.
    pub lyrics: lyrics::Lyrics,
}

/// The default cache folder: `$XDG_CACHE_HOME/ktv/songs` or `~/.cache/ktv/songs`.
pub fn default_cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("ktv/songs")
}

/// Fetches song `id` into `cache` (what is there already is not fetched again).
pub async fn fetch(api: &Api, cache: &Path, id: &str) -> Result<LocalSong> {
    if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
        return Err(Error::BadRequest(format!("{id:?} is not a song id")));
    }
    let details = api.song(id).await?;
    let audio = details.audio.ok_or_else(|| Error::NotFound {
        what: "playable audio for song",
        id: format!(
            "{id} ({})",
            details.problem.as_deref().unwrap_or("no reason given")
        ),
    })?;
    let folder = cache.join(id);
    tokio::fs::create_dir_all(&folder)
        .await
        .map_err(|error| Error::File {
            path: folder.clone(),
            error,
        })?;
    let mut files = Vec::new();
    for &kind in audio.media() {
        let file = folder.join(kind.name());
        if !file.is_file() {
            api.download(id, kind, &file).await?;
        }
        files.push(file);
    }
    let source = source(&audio, &files).ok_or_else(|| Error::NotFound {
        what: "media files for song",
        id: id.into(),
    })?;
    let lyrics = api.lyrics(id).await?;
    Ok(LocalSong {
        details,
        source,
        lyrics,
    })
}

/// The engine's source over fetched files: `files` holds one path per [`SongAudio::media`]
/// entry, in that order.
pub fn source(audio: &SongAudio, files: &[PathBuf]) -> Option<SongSource> {
    let first = files.first()?.clone();
    let files = match audio.layout {
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
        original: match audio.original {
            OriginalTrack::FullMix => Original::FullMix,
            OriginalTrack::Vocal => Original::VocalOnly,
        },
        loudness: audio.loudness.map(|l| SongLoudness {
            accompaniment_lufs: l.accompaniment_lufs,
            original_lufs: l.original_lufs,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The service's half (describing a library song as this JSON) is room-service's
    // `library::audio::tests`.
    #[test]
    fn a_described_song_is_rebuilt_over_fetched_files() {
        let audio: SongAudio = serde_json::from_str(
            r#"{"layout":"two-files","original":"vocal","loudness":{"accompaniment_lufs":-16.0,"original_lufs":-19.5}}"#,
        )
        .unwrap();
        assert_eq!(audio.media().len(), 2);
        let fetched = source(&audio, &["/cache/a.mp3".into(), "/cache/g.m4a".into()]).unwrap();
        assert_eq!(
            fetched.files,
            SongFiles::TwoFiles {
                accompaniment: "/cache/a.mp3".into(),
                original: "/cache/g.m4a".into()
            }
        );
        assert_eq!(fetched.original, Original::VocalOnly);
        assert_eq!(
            fetched.loudness,
            Some(SongLoudness {
                accompaniment_lufs: -16.0,
                original_lufs: -19.5,
            })
        );
        // One file short is no song.
        assert!(source(&audio, &["/cache/a.mp3".into()]).is_none());
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
        let source = source(&audio, &["/cache/song.mkv".into()]).unwrap();
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
