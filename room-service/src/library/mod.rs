//! The song library: song folders found under one library folder.
//!
//! A song folder holds a `song.toml` that names the song and its files. This module only finds
//! and describes songs; validating their audio and lyrics comes with the room service.

use std::path::{Path, PathBuf};

use room_protocol::MediaKind;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};
use song_files::read_manifest;

pub mod audio;
pub mod search;
pub mod shifted;
mod song_files;
pub mod ultrastar;

pub use audio::describe;
pub use search::SearchKeys;
pub use song_files::{media_file, song_lyrics, song_source, song_video};

/// The file in a song folder that describes the song.
pub const SONG_MANIFEST: &str = "song.toml";

/// A song found in the library.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SongEntry {
    /// The song's id: its folder name, unique within the library.
    pub id: String,
    /// The title from `song.toml`, or the id when the manifest names none.
    pub title: String,
    /// The artist or origin from `song.toml`, if any.
    pub artist: Option<String>,
    /// The song's length in seconds from `song.toml`, if it says.
    pub duration: Option<f64>,
    /// The song folder.
    #[schema(value_type = String)]
    pub folder: PathBuf,
    /// Why the manifest could not be read, if it could not; the song is still listed so a
    /// content team sees it.
    pub problem: Option<String>,
    /// What the song is found by.
    #[serde(skip)]
    pub search: SearchKeys,
}

/// The fields of `song.toml` this module reads; the rest belong to later issues.
#[derive(Debug, Deserialize)]
struct Manifest {
    title: Option<String>,
    artist: Option<String>,
    duration: Option<f64>,
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
        let id = entry.file_name().to_string_lossy().into_owned();
        if manifest_path.is_file() {
            let mut song = read_entry(id, song_folder, &manifest_path);
            if song.problem.is_none() {
                let problems = problems(&song.folder);
                if !problems.is_empty() {
                    song.problem = Some(problems.join("; "));
                }
            }
            songs.push(song);
        } else if song_folder.is_dir() && ultrastar::is_song_folder(&song_folder) {
            songs.push(read_ultrastar(id, song_folder));
        }
    }
    songs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(songs)
}

/// An UltraStar folder's entry (a problem, not an error, if its file does not read).
fn read_ultrastar(id: String, folder: PathBuf) -> SongEntry {
    match ultrastar::read(&folder) {
        Ok((_, lyrics)) => {
            let title = lyrics.meta.title.clone().unwrap_or_else(|| id.clone());
            let artist = lyrics.meta.artist.clone();
            let problems = ultrastar::problems(&folder, &lyrics);
            SongEntry {
                search: SearchKeys::new(&title, artist.as_deref()),
                duration: lyrics.lines.last().map(|l| l.end.as_secs_f64()),
                title,
                artist,
                id,
                folder,
                problem: (!problems.is_empty()).then(|| problems.join("; ")),
            }
        }
        Err(e) => unreadable(id, folder, e.to_string()),
    }
}

/// What is wrong with a `song.toml` song's files: missing audio, video or lyrics, lyrics that
/// do not read. Reported with the song, never fatal.
fn problems(folder: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for kind in [
        MediaKind::Accompaniment,
        MediaKind::Original,
        MediaKind::Video,
    ] {
        match media_file(folder, kind) {
            Ok(Some(file)) if !file.is_file() => {
                problems.push(format!("{} is missing", file.display()));
            }
            Err(e) => problems.push(e.to_string()),
            _ => {}
        }
    }
    if let Err(e) = song_lyrics(folder) {
        problems.push(e.to_string());
    }
    if problems.is_empty()
        && let Some(problem) = duration_problem(folder)
    {
        problems.push(problem);
    }
    problems.dedup();
    problems
}

/// How far `song.toml`'s duration may be from the audio's before it is reported.
const DURATION_TOLERANCE_SECONDS: f64 = 2.0;

/// `song.toml`'s duration against the audio's own (read from the files' headers).
fn duration_problem(folder: &Path) -> Option<String> {
    #[derive(Deserialize)]
    struct Duration {
        duration: Option<f64>,
    }
    let stated = read_manifest::<Duration>(folder).ok()?.duration?;
    const RATE: u32 = 48_000;
    let info = match song_source(folder).and_then(|song| {
        engine::source::stream::probe(&song, RATE).map_err(|e| Error::BadManifest {
            path: folder.join(SONG_MANIFEST),
            reason: format!("the audio cannot be opened: {e}"),
        })
    }) {
        Ok(info) => info,
        Err(e) => return Some(e.to_string()),
    };
    let actual = info.duration_frames? as f64 / f64::from(RATE);
    ((stated - actual).abs() > DURATION_TOLERANCE_SECONDS).then(|| {
        format!(
            "{}: duration = {stated:.1} s but the audio lasts {actual:.1} s",
            folder.join(SONG_MANIFEST).display()
        )
    })
}

fn read_entry(id: String, folder: PathBuf, manifest_path: &Path) -> SongEntry {
    let parsed = std::fs::read_to_string(manifest_path)
        .map_err(|err| err.to_string())
        .and_then(|text| toml::from_str::<Manifest>(&text).map_err(|err| err.to_string()));
    match parsed {
        Ok(manifest) => SongEntry {
            search: SearchKeys::new(
                manifest.title.as_deref().unwrap_or(&id),
                manifest.artist.as_deref(),
            ),
            title: manifest.title.unwrap_or_else(|| id.clone()),
            artist: manifest.artist,
            duration: manifest.duration.filter(|d| d.is_finite() && *d > 0.0),
            id,
            folder,
            problem: None,
        },
        Err(reason) => unreadable(id, folder, format!("{}: {reason}", manifest_path.display())),
    }
}

/// A song whose description cannot be read: listed under its folder's name with why, so the
/// library shows it rather than losing it.
fn unreadable(id: String, folder: PathBuf, problem: String) -> SongEntry {
    SongEntry {
        search: SearchKeys::new(&id, None),
        title: id.clone(),
        artist: None,
        duration: None,
        id,
        folder,
        problem: Some(problem),
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

    /// Asserts that a message names every one of `parts`.
    fn assert_mentions(message: &str, parts: &[&str]) {
        for part in parts {
            assert!(message.contains(part), "{part:?} not in {message:?}");
        }
    }

    #[test]
    fn song_source_reads_the_layouts_and_names_what_is_wrong() {
        let dir = temp_library("source");
        std::fs::write(
            dir.join("song.toml"),
            "title = \"x\"\n[files]\nlayout = \"two-files\"\naccompaniment = \"a.m4a\"\n\
             original = \"g.flac\"\noriginal_kind = \"vocal\"\n[loudness]\n\
             accompaniment = -16.0\noriginal = -18.0\n",
        )
        .unwrap();
        let song = song_source(&dir).unwrap();
        assert_eq!(
            song.files,
            engine::SongFiles::TwoFiles {
                accompaniment: dir.join("a.m4a"),
                original: dir.join("g.flac"),
            }
        );
        assert_eq!(song.original, engine::Original::VocalOnly);
        assert_eq!(song.loudness.map(|l| l.original_lufs), Some(-18.0));

        std::fs::write(
            dir.join("song.toml"),
            "[files]\nlayout = \"stereo-split\"\nfile = \"ktv.ogg\"\n",
        )
        .unwrap();
        let song = song_source(&dir).unwrap();
        assert_eq!(song.original, engine::Original::FullMix);
        assert!(song.loudness.is_none());

        std::fs::write(dir.join("song.toml"), "[files]\nlayout = \"cassette\"\n").unwrap();
        let err = song_source(&dir).unwrap_err().to_string();
        assert_mentions(&err, &["song.toml", "cassette"]);
    }

    #[test]
    fn ultrastar_folders_are_songs_and_missing_files_are_reported_not_fatal() {
        let dir = temp_library("ultrastar");
        let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/jasmine");
        // A singer's UltraStar folder: the .txt and the files its header names.
        std::fs::create_dir_all(dir.join("Jasmine - Folk")).unwrap();
        std::fs::copy(
            demo.join("song.txt"),
            dir.join("Jasmine - Folk/Jasmine.txt"),
        )
        .unwrap();
        std::fs::copy(
            demo.join("accompaniment.mp3"),
            dir.join("Jasmine - Folk/accompaniment.mp3"),
        )
        .unwrap();
        // The same without its audio.
        std::fs::create_dir_all(dir.join("broken")).unwrap();
        std::fs::copy(demo.join("song.txt"), dir.join("broken/x.txt")).unwrap();
        // A song.toml whose accompaniment is missing.
        std::fs::create_dir_all(dir.join("toml")).unwrap();
        std::fs::write(
            dir.join("toml/song.toml"),
            "title = \"t\"\n[files]\nlayout = \"accompaniment-only\"\naccompaniment = \"gone.mp3\"\nlyrics = \"l.lrc\"\n",
        )
        .unwrap();

        let songs = scan(&dir).unwrap();
        let ids: Vec<&str> = songs.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["Jasmine - Folk", "broken", "toml"]);
        let jasmine = &songs[0];
        assert_eq!(jasmine.title, "茉莉花");
        assert!(jasmine.search.matches("mlh"));
        let problem = jasmine.problem.as_deref().unwrap_or_default();
        assert_mentions(problem, &["video.mp4 is missing"]);
        assert!(!problem.contains("audio"), "{problem}");
        assert!(song_lyrics(&jasmine.folder).unwrap().lines.len() > 4);
        assert_eq!(
            media_file(&jasmine.folder, MediaKind::Original).unwrap(),
            Some(jasmine.folder.join("accompaniment.mp3"))
        );
        let broken = songs[1].problem.as_deref().unwrap_or_default();
        assert_mentions(broken, &["audio accompaniment.mp3 is missing"]);
        let toml = songs[2].problem.as_deref().unwrap_or_default();
        assert_mentions(toml, &["gone.mp3 is missing", "l.lrc"]);
    }

    #[test]
    fn a_wrong_duration_is_reported() {
        let dir = temp_library("duration");
        let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/jasmine");
        let song = dir.join("jasmine");
        std::fs::create_dir_all(&song).unwrap();
        for entry in std::fs::read_dir(&demo).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), song.join(entry.file_name())).unwrap();
        }
        assert!(
            scan(&dir).unwrap()[0].problem.is_none(),
            "the demo song is sound"
        );
        let manifest = std::fs::read_to_string(song.join("song.toml")).unwrap();
        let wrong = manifest.replace("duration = 101.818", "duration = 150.0");
        assert_ne!(manifest, wrong);
        std::fs::write(song.join("song.toml"), wrong).unwrap();
        let problem = scan(&dir).unwrap()[0].problem.clone().unwrap_or_default();
        assert_mentions(&problem, &["duration = 150.0 s but the audio lasts 101."]);
        std::fs::remove_dir_all(&dir).unwrap();
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
        // Listed, and what keeps them from playing said: no [files] table.
        for song in &songs {
            let problem = song.problem.as_deref().unwrap_or_default();
            assert_mentions(problem, &["files"]);
        }
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
        assert_mentions(problem, &["broken/song.toml"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
