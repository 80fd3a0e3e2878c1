//! Songs fetched from the service for a client's engine: the media its details name and the
//! lyrics, kept in a cache folder (one sub-folder per song) so a song sung or heard twice,
//! or after a reconnect, is fetched once.

use std::path::{Path, PathBuf};

use engine::SongSource;

use crate::client::api::Api;
use crate::http::SongDetails;
use crate::library::MediaKind;
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
        let file = folder.join(match kind {
            MediaKind::Accompaniment => "accompaniment",
            MediaKind::Original => "original",
            MediaKind::Video => "video",
        });
        if !file.is_file() {
            api.download(id, kind, &file).await?;
        }
        files.push(file);
    }
    let source = audio.source(&files).ok_or_else(|| Error::NotFound {
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
