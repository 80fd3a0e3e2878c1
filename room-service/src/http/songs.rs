//! The song library over HTTP: search, each song's lyrics as the lyrics crate's model (clients
//! never parse lyrics files), its media with range requests, its leaderboard.

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use room_protocol::{MediaKind, SongDetails};
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::http::AppState;
use crate::http::error::ErrorBody;
use crate::library::shifted::Shift;
use crate::library::{self, SongEntry};
use crate::{Error, Result};

/// A search.
#[derive(Debug, Default, Deserialize)]
pub struct Search {
    /// Title or artist substring, pinyin or pinyin initials.
    pub q: Option<String>,
}

/// `GET /api/songs?q=..`
#[utoipa::path(get, path = "/api/songs", params(("q" = Option<String>, Query, description = "title or artist substring, pinyin or initials")), responses((status = 200, body = Vec<SongEntry>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(search): Query<Search>,
) -> Json<Vec<SongEntry>> {
    let query = search.q.unwrap_or_default();
    Json(
        state
            .songs
            .iter()
            .filter(|s| s.search.matches(&query))
            .cloned()
            .collect(),
    )
}

/// `GET /api/songs/{song}`
#[utoipa::path(get, path = "/api/songs/{song}", params(("song" = String, Path)), responses((status = 200, body = SongDetails), (status = 404, body = ErrorBody)))]
pub async fn details(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SongDetails>> {
    let entry = song(&state, &id)?.clone();
    let folder = entry.folder.clone();
    let (audio, video) = tokio::task::spawn_blocking(move || {
        (
            library::song_source(&folder).map(|s| library::describe(&s)),
            library::media_file(&folder, MediaKind::Video),
        )
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?;
    let mut problem = entry.problem;
    let audio = match audio {
        Ok(audio) => Some(audio),
        Err(e) => {
            problem.get_or_insert_with(|| e.to_string());
            None
        }
    };
    Ok(Json(SongDetails {
        id: entry.id,
        title: entry.title,
        artist: entry.artist,
        duration: entry.duration,
        audio,
        video: matches!(video, Ok(Some(_))),
        problem,
    }))
}

/// The library's song `id`.
pub(super) fn song<'a>(state: &'a AppState, id: &str) -> Result<&'a SongEntry> {
    state
        .songs
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| Error::NotFound {
            what: "song",
            id: id.into(),
        })
}

/// `GET /api/songs/{song}/lyrics`
#[utoipa::path(get, path = "/api/songs/{song}/lyrics", params(("song" = String, Path)), responses((status = 200, description = "the lyrics crate's model as JSON", body = Object), (status = 404, body = ErrorBody)))]
pub async fn lyrics(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<lyrics::Lyrics>> {
    let folder = song(&state, &id)?.folder.clone();
    let lyrics = tokio::task::spawn_blocking(move || library::song_lyrics(&folder))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    Ok(Json(lyrics))
}

/// A key and tempo to play a song's audio at (the request's preset).
#[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::IntoParams)]
pub struct ShiftQuery {
    /// Semitones, −12 to 12 (default 0).
    key: Option<f32>,
    /// 0.8 to 1.2, pitch kept (default 1).
    tempo: Option<f32>,
}

/// `GET /api/songs/{song}/media/{kind}` (range requests answered with 206); with `key` or
/// `tempo`, the audio rendered so (once, then kept): for players that cannot shift it.
#[utoipa::path(get, path = "/api/songs/{song}/media/{kind}", params(("song" = String, Path), ("kind" = String, Path, description = "accompaniment, original or video"), ShiftQuery), responses((status = 200, description = "the file"), (status = 206, description = "the range asked for"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn media(
    State(state): State<AppState>,
    Path((id, kind)): Path<(String, MediaKind)>,
    Query(shift): Query<ShiftQuery>,
    request: Request,
) -> Result<Response> {
    let folder = song(&state, &id)?.folder.clone();
    let shift = Shift::new(shift.key.unwrap_or(0.0), shift.tempo.unwrap_or(1.0))?;
    let found = {
        let folder = folder.clone();
        tokio::task::spawn_blocking(move || library::media_file(&folder, kind))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??
    };
    let mut file = found.ok_or_else(|| Error::NotFound {
        what: "media of that kind for song",
        id: id.clone(),
    })?;
    if let Some(shift) = shift {
        let name = match kind {
            MediaKind::Accompaniment => "accompaniment",
            MediaKind::Original => "original",
            MediaKind::Video => {
                return Err(Error::BadRequest(
                    "only a song's audio plays at another key or tempo".into(),
                ));
            }
        };
        file = state.shifted.get(&id, name, &file, shift).await?;
    }
    let response = ServeFile::new(file)
        .oneshot(request)
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(response.into_response())
}
