//! The queue: requesting a song (点歌), removing, pinning and moving requests.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use std::sync::Arc;

use room_protocol::{MediaKind, Preset, RequestId};
use serde::{Deserialize, Serialize};

use super::{Body, Caller, act, no_content};
use crate::http::AppState;
use crate::http::error::ErrorBody;
use crate::library::{self, shifted::Shift};
use crate::{Error, Result};

/// Requesting a song (点歌).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestSong {
    /// The library's song id.
    pub song_id: String,
    /// Key, tempo and track, applied when the song starts.
    #[serde(default)]
    pub preset: Preset,
    /// A walk-up singer's name (the owner only).
    pub walk_up: Option<String>,
}

/// The request made.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Requested {
    /// Its id.
    pub request: RequestId,
}

/// `POST /api/rooms/{room}/queue`
#[utoipa::path(post, path = "/api/rooms/{room}/queue", params(("room" = String, Path)), security(("member" = [])), request_body = RequestSong, responses((status = 201, body = Requested), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn request_song(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
    Body(body): Body<RequestSong>,
) -> Result<(StatusCode, Json<Requested>)> {
    let song = state
        .songs
        .iter()
        .find(|s| s.id == body.song_id)
        .ok_or_else(|| Error::NotFound {
            what: "song",
            id: body.song_id.clone(),
        })?;
    let seconds = song.duration.map_or(0, |d| d.ceil() as u32);
    let (folder, song_id, preset) = (song.folder.clone(), song.id.clone(), body.preset);
    let request = act(&state, &room_id, &caller, |room, me, now| {
        let id = room.request(me, (body.song_id, seconds), body.preset, body.walk_up, now)?;
        // An empty stage takes the first song at once.
        let effect = room.start_next(now);
        Ok((id, effect))
    })
    .await?;
    // A page plays a shifted song from the service's rendering: made now, while the song
    // waits, not when it comes on stage.
    if let Ok(Some(shift)) = Shift::new(preset.key, preset.tempo) {
        let shifted = Arc::clone(&state.shifted);
        tokio::spawn(async move {
            let mut rendered = Vec::new();
            for (kind, name) in [
                (MediaKind::Accompaniment, "accompaniment"),
                (MediaKind::Original, "original"),
            ] {
                // One file for both (a two-stream video): the page plays it as the one.
                let Ok(Some(file)) = library::media_file(&folder, kind) else {
                    continue;
                };
                if rendered.contains(&file) {
                    continue;
                }
                rendered.push(file.clone());
                if let Err(e) = shifted.get(&song_id, name, &file, shift).await {
                    tracing::warn!(song = %song_id, "{e}");
                }
            }
        });
    }
    Ok((StatusCode::CREATED, Json(Requested { request })))
}

/// `DELETE /api/rooms/{room}/queue/{request}`
#[utoipa::path(delete, path = "/api/rooms/{room}/queue/{request}", params(("room" = String, Path), ("request" = u64, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_request(
    State(state): State<AppState>,
    Path((room_id, request)): Path<(String, RequestId)>,
    caller: Caller,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.remove(me, request, now)
    })
    .await
}

/// `POST /api/rooms/{room}/queue/{request}/pin` (owner)
#[utoipa::path(post, path = "/api/rooms/{room}/queue/{request}/pin", params(("room" = String, Path), ("request" = u64, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn pin_request(
    State(state): State<AppState>,
    Path((room_id, request)): Path<(String, RequestId)>,
    caller: Caller,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.pin(me, request, now)
    })
    .await
}

/// Moving a request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// Its new index among the waiting songs.
    pub index: usize,
}

/// `POST /api/rooms/{room}/queue/{request}/move` (owner)
#[utoipa::path(post, path = "/api/rooms/{room}/queue/{request}/move", params(("room" = String, Path), ("request" = u64, Path)), security(("member" = [])), request_body = MoveRequest, responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn move_request(
    State(state): State<AppState>,
    Path((room_id, request)): Path<(String, RequestId)>,
    caller: Caller,
    Body(body): Body<MoveRequest>,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.reorder(me, request, body.index, now)
    })
    .await
}
