//! The song library: song folders found under one library folder.
//!
//! A song folder holds a `song.toml` that names the song and its files. This module only finds
//! and describes songs; validating their audio and lyrics comes with the room service.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The file in a song folder that describes the song.
pub const SONG_MANIFEST: &str = "song.toml";

/// A song found in the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SongEntry {
    /// The song's id: its folder name, unique within the library.
    pub id: String,
    /// The title from `song.toml`, or the id when the manifest names none.
    pub title: String,
    /// The artist or origin from `song.toml`, if any.
    pub artist: Option<String>,
    /// The song folder.
    pub folder: PathBuf,
    /// Why the manifest could not be read, if it could not; the song is still listed so a
    /// content team sees it.
    pub problem: Option<String>,
}

/// The fields of `song.toml` this module reads; the rest belong to later issues.
#[derive(Debug, Deserialize)]
struct Manifest {
    title: Option<String>,
    artist: Option<String>,
}

/// Scans `folder` for song folders (sub-folders holding a `song.toml`), sorted by id.
///
/// A missing library folder is an empty library, so a fresh checkout serves an empty list.
/// A manifest that cannot be read or parsed does not hide the song: it is listed with the
/// problem, named by file and reason.
pub fn scan(folder: &Path) -> Result<Vec<SongEntry>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::LibraryUnreadable {
                path: folder.to_owned(),
                source,
            });
        }
    };
    let mut songs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::LibraryUnreadable {
            path: folder.to_owned(),
            source,
        })?;
        let song_folder = entry.path();
        let manifest_path = song_folder.join(SONG_MANIFEST);
        if !manifest_path.is_file() {
            continue;
        }
        let id = entry.file_name().to_string_lossy().into_owned();
        songs.push(read_entry(id, song_folder, &manifest_path));
    }
    songs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(songs)
}

fn read_entry(id: String, folder: PathBuf, manifest_path: &Path) -> SongEntry {
    let parsed = std::fs::read_to_string(manifest_path)
        .map_err(|err| err.to_string())
        .and_then(|text| toml::from_str::<Manifest>(&text).map_err(|err| err.to_string()));
    match parsed {
        Ok(manifest) => SongEntry {
            title: manifest.title.unwrap_or_else(|| id.clone()),
            artist: manifest.artist,
            id,
            folder,
            problem: None,
        },
        Err(reason) => SongEntry {
            title: id.clone(),
            artist: None,
            id,
            folder,
            problem: Some(format!("{}: {reason}", manifest_path.display())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_library(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ktv-library-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_folder_is_an_empty_library() {
        let songs = scan(Path::new("/nonexistent/ktv/library")).unwrap();
        assert!(songs.is_empty());
    }

    #[test]
    fn lists_song_folders_sorted_and_skips_other_folders() {
        let dir = temp_library("list");
        std::fs::create_dir_all(dir.join("b-song")).unwrap();
        std::fs::write(
            dir.join("b-song/song.toml"),
            "title = \"茉莉花\"\nartist = \"Jiangsu folk song\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.join("a-song")).unwrap();
        std::fs::write(dir.join("a-song/song.toml"), "artist = \"Trad.\"\n").unwrap();
        std::fs::create_dir_all(dir.join("not-a-song")).unwrap();

        let songs = scan(&dir).unwrap();
        let ids: Vec<&str> = songs.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a-song", "b-song"]);
        assert_eq!(
            songs[0].title, "a-song",
            "a song without a title shows its id"
        );
        assert_eq!(songs[1].title, "茉莉花");
        assert_eq!(songs[1].artist.as_deref(), Some("Jiangsu folk song"));
        assert!(songs.iter().all(|s| s.problem.is_none()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_broken_manifest_is_listed_with_its_problem() {
        let dir = temp_library("broken");
        std::fs::create_dir_all(dir.join("broken")).unwrap();
        std::fs::write(dir.join("broken/song.toml"), "title = \"unterminated\n").unwrap();

        let songs = scan(&dir).unwrap();
        assert_eq!(songs.len(), 1);
        let problem = songs[0].problem.as_deref().unwrap();
        assert!(problem.contains("broken/song.toml"), "{problem}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
