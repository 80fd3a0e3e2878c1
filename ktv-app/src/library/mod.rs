//! The song library: song folders found under one library folder.
//!
//! A song folder holds a `song.toml` that names the song and its files. This module only finds
//! and describes songs; validating their audio and lyrics comes with the room service.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

pub mod audio;
pub mod search;
pub mod ultrastar;

pub use audio::SongAudio;
pub use search::SearchKeys;

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
        Err(e) => SongEntry {
            search: SearchKeys::new(&id, None),
            title: id.clone(),
            artist: None,
            duration: None,
            id,
            folder,
            problem: Some(e.to_string()),
        },
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
        Err(reason) => SongEntry {
            search: SearchKeys::new(&id, None),
            title: id.clone(),
            artist: None,
            duration: None,
            id,
            folder,
            problem: Some(format!("{}: {reason}", manifest_path.display())),
        },
    }
}

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
fn read_manifest<T: serde::de::DeserializeOwned>(folder: &Path) -> Result<T> {
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

/// A media file a client may fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// The accompaniment (or the file holding it).
    Accompaniment,
    /// The original (or the file holding it).
    Original,
    /// The music video.
    Video,
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
        assert!(
            err.contains("song.toml") && err.contains("cassette"),
            "{err}"
        );
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
        assert!(problem.contains("video.mp4 is missing"), "{problem}");
        assert!(!problem.contains("audio"), "{problem}");
        assert!(song_lyrics(&jasmine.folder).unwrap().lines.len() > 4);
        assert_eq!(
            media_file(&jasmine.folder, MediaKind::Original).unwrap(),
            Some(jasmine.folder.join("accompaniment.mp3"))
        );
        let broken = songs[1].problem.as_deref().unwrap_or_default();
        assert!(
            broken.contains("audio accompaniment.mp3 is missing"),
            "{broken}"
        );
        let toml = songs[2].problem.as_deref().unwrap_or_default();
        assert!(
            toml.contains("gone.mp3 is missing") && toml.contains("l.lrc"),
            "{toml}"
        );
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
        assert!(
            problem.contains("duration = 150.0 s but the audio lasts 101."),
            "{problem}"
        );
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
            assert!(problem.contains("files"), "{problem}");
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
        assert!(problem.contains("broken/song.toml"), "{problem}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
