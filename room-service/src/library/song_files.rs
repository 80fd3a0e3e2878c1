//! A song folder's files: the tables of `song.toml` that name them (or an UltraStar song's
//! headers), and what the service makes of them: a medium to send, the lyrics, the video and
//! the engine's source.

use std::path::{Path, PathBuf};

use room_protocol::MediaKind;
use serde::Deserialize;

use super::{SONG_MANIFEST, ultrastar};
use crate::{Error, Result};

/// The `[files]` and `[loudness]` tables of `song.toml`: how the song's audio is laid out.
#[derive(Debug, Deserialize)]
struct AudioManifest {
    files: FilesTable,
    loudness: Option<LoudnessTable>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "layout", rename_all = "kebab-case")]
enum FilesTable {
    /// Two files: the accompaniment and the original (a guide vocal or the full song).
    TwoFiles {
        accompaniment: PathBuf,
        original: PathBuf,
        #[serde(default)]
        original_kind: OriginalKind,
    },
    /// One file with two audio streams.
    TwoStreams {
        file: PathBuf,
        accompaniment: usize,
        original: usize,
        #[serde(default)]
        original_kind: OriginalKind,
    },
    /// One stereo file: the accompaniment on the left, the original on the right (VCD/KTV).
    StereoSplit {
        file: PathBuf,
        #[serde(default)]
        original_kind: OriginalKind,
    },
    /// The accompaniment alone.
    AccompanimentOnly { accompaniment: PathBuf },
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum OriginalKind {
    /// The whole song with its vocal.
    #[default]
    FullMix,
    /// The vocal alone.
    Vocal,
}

#[derive(Debug, Deserialize)]
struct LoudnessTable {
    accompaniment: f64,
    original: f64,
}

/// The lyrics files `song.toml` names.
#[derive(Debug, Deserialize)]
struct LyricsManifest {
    title: Option<String>,
    artist: Option<String>,
    #[serde(default)]
    files: LyricsFiles,
}

#[derive(Debug, Default, Deserialize)]
struct LyricsFiles {
    lyrics: Option<PathBuf>,
    ultrastar: Option<PathBuf>,
    video: Option<PathBuf>,
}

/// Reads the tables of `folder`'s `song.toml` that `T` describes; errors name the file.
pub(super) fn read_manifest<T: serde::de::DeserializeOwned>(folder: &Path) -> Result<T> {
    let path = folder.join(SONG_MANIFEST);
    let bad = |reason: String| Error::BadManifest {
        path: path.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            bad("not found: a song folder holds a song.toml naming its files".into())
        }
        _ => bad(e.to_string()),
    })?;
    toml::from_str(&text).map_err(|e| bad(e.to_string()))
}

/// The file of `kind` in the song in `folder`, if it has one.
pub fn media_file(folder: &Path, kind: MediaKind) -> Result<Option<PathBuf>> {
    if ultrastar::is_song_folder(folder) {
        let (_, lyrics) = ultrastar::read(folder)?;
        let media = lyrics.meta.media;
        let file = match kind {
            MediaKind::Accompaniment => media.instrumental,
            MediaKind::Original => media.audio,
            MediaKind::Video => media.video,
        };
        return Ok(file.map(|f| folder.join(f)));
    }
    if kind == MediaKind::Video {
        return song_video(folder);
    }
    let manifest: AudioManifest = read_manifest(folder)?;
    let file = match (manifest.files, kind) {
        (FilesTable::TwoFiles { accompaniment, .. }, MediaKind::Accompaniment)
        | (FilesTable::AccompanimentOnly { accompaniment }, MediaKind::Accompaniment) => {
            Some(accompaniment)
        }
        (FilesTable::TwoFiles { original, .. }, _) => Some(original),
        (FilesTable::TwoStreams { file, .. }, _) | (FilesTable::StereoSplit { file, .. }, _) => {
            Some(file)
        }
        (FilesTable::AccompanimentOnly { .. }, _) => None,
    };
    Ok(file.map(|f| folder.join(f)))
}

/// The song's music video, if `song.toml` names one.
pub fn song_video(folder: &Path) -> Result<Option<PathBuf>> {
    let manifest: LyricsManifest = read_manifest(folder)?;
    Ok(manifest.files.video.map(|video| folder.join(video)))
}

/// The song's lyrics: its UltraStar file when it has one (words and the reference melody),
/// else its lyrics file; title and artist from `song.toml` where the lyrics name none.
pub fn song_lyrics(folder: &Path) -> Result<lyrics::Lyrics> {
    if ultrastar::is_song_folder(folder) {
        return ultrastar::read(folder).map(|(_, lyrics)| lyrics);
    }
    let manifest: LyricsManifest = read_manifest(folder)?;
    let file = manifest
        .files
        .ultrastar
        .or(manifest.files.lyrics)
        .ok_or_else(|| Error::BadManifest {
            path: folder.join(SONG_MANIFEST),
            reason: "[files] names no lyrics (lyrics or ultrastar)".into(),
        })?;
    let file = folder.join(file);
    let bytes = std::fs::read(&file).map_err(|e| Error::Lyrics {
        path: file.clone(),
        reason: e.to_string(),
    })?;
    let mut lyrics = lyrics::parse(&bytes, lyrics::Hint::from_path(&file))
        .map_err(|e| Error::Lyrics {
            path: file.clone(),
            reason: e.to_string(),
        })?
        .lyrics;
    if lyrics.meta.title.is_none() {
        lyrics.meta.title = manifest.title;
    }
    if lyrics.meta.artist.is_none() {
        lyrics.meta.artist = manifest.artist;
    }
    Ok(lyrics)
}

/// The song in `folder` as the engine loads it: its files (paths made absolute against the
/// folder), what its original holds, and its loudness when `song.toml` records it.
pub fn song_source(folder: &Path) -> Result<engine::SongSource> {
    use engine::{Original, SongFiles, SongLoudness, SongSource};
    let manifest: AudioManifest = read_manifest(folder)?;
    let original = |kind: OriginalKind| match kind {
        OriginalKind::FullMix => Original::FullMix,
        OriginalKind::Vocal => Original::VocalOnly,
    };
    let (files, original) = match manifest.files {
        FilesTable::TwoFiles {
            accompaniment,
            original: file,
            original_kind,
        } => (
            SongFiles::TwoFiles {
                accompaniment: folder.join(accompaniment),
                original: folder.join(file),
            },
            original(original_kind),
        ),
        FilesTable::TwoStreams {
            file,
            accompaniment,
            original: stream,
            original_kind,
        } => (
            SongFiles::TwoStreams {
                file: folder.join(file),
                accompaniment,
                original: stream,
            },
            original(original_kind),
        ),
        FilesTable::StereoSplit {
            file,
            original_kind,
        } => (
            SongFiles::StereoSplit {
                file: folder.join(file),
            },
            original(original_kind),
        ),
        FilesTable::AccompanimentOnly { accompaniment } => (
            SongFiles::AccompanimentOnly {
                file: folder.join(accompaniment),
            },
            Original::FullMix,
        ),
    };
    Ok(SongSource {
        files,
        original,
        loudness: manifest.loudness.map(|l| SongLoudness {
            accompaniment_lufs: l.accompaniment,
            original_lufs: l.original,
        }),
    })
}
