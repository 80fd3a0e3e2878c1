//! UltraStar song folders, as singers' collections have them: a `.txt` whose header names the
//! audio (`#AUDIO`, or `#MP3` in older files), the video (`#VIDEO`) and the cover (`#COVER`),
//! next to those files. No `song.toml` needed.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The folder's UltraStar file and its lyrics: the first `.txt` (by name) that reads as
/// UltraStar.
pub fn read(folder: &Path) -> Result<(PathBuf, lyrics::Lyrics)> {
    let mut texts: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|source| Error::LibraryUnreadable {
            path: folder.to_owned(),
            source,
        })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")))
        .collect();
    texts.sort();
    let mut last_error = None;
    for path in texts {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        match lyrics::parse(&bytes, lyrics::Hint::from_path(&path)) {
            Ok(parsed) if parsed.format == lyrics::Format::UltraStar => {
                return Ok((path, parsed.lyrics));
            }
            Ok(_) => {}
            Err(e) => {
                last_error = Some(Error::Lyrics {
                    path: path.clone(),
                    reason: e.to_string(),
                })
            }
        }
    }
    Err(last_error.unwrap_or_else(|| Error::BadManifest {
        path: folder.to_owned(),
        reason: "no song.toml and no UltraStar .txt".into(),
    }))
}

/// Whether `folder` looks like an UltraStar song folder (a `.txt` and no `song.toml`).
pub fn is_song_folder(folder: &Path) -> bool {
    !folder.join(super::SONG_MANIFEST).exists()
        && std::fs::read_dir(folder).is_ok_and(|entries| {
            entries.filter_map(|e| e.ok()).any(|e| {
                e.path()
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("txt"))
            })
        })
}

/// What is wrong with the files an UltraStar song names (missing audio is a problem; a
/// missing video or cover too, as the header promises them).
pub fn problems(folder: &Path, lyrics: &lyrics::Lyrics) -> Vec<String> {
    let media = &lyrics.meta.media;
    let mut problems = Vec::new();
    match &media.audio {
        None => problems.push("the UltraStar file names no audio (#AUDIO or #MP3)".into()),
        Some(audio) if !folder.join(audio).is_file() => {
            problems.push(format!("audio {audio} is missing"));
        }
        Some(_) => {}
    }
    for (what, file) in [("video", &media.video), ("cover", &media.cover)] {
        if let Some(file) = file
            && !folder.join(file).is_file()
        {
            problems.push(format!("{what} {file} is missing"));
        }
    }
    problems
}
