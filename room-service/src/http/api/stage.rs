//! The song on stage: skipping it, its live controls, and the singer's client reporting on it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use room_protocol::{Control, RequestId};
use serde::Deserialize;

use super::{Body, Caller, no_content, now_ms};
use crate::Result;
use crate::http::AppState;
use crate::http::error::ErrorBody;

/// `POST /api/rooms/{room}/skip` (owner or the singer on stage)
#[utoipa::path(post, path = "/api/rooms/{room}/skip", params(("room" = String, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn skip(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.skip(me, now)
    })
    .await
}

/// `POST /api/rooms/{room}/controls` (owner or the singer on stage)
#[utoipa::path(post, path = "/api/rooms/{room}/controls", params(("room" = String, Path)), security(("member" = [])), request_body = Control, responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn control(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
    Body(body): Body<Control>,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.control(me, body, now)
    })
    .await
}

/// The singer's client on the song.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SongReport {
    /// The running (or final) score.
    pub score: Option<f32>,
    /// The request sung: a report about one no longer on stage is refused (409), so a late
    /// report never ends or keeps alive the next singer's song.
    #[serde(default)]
    pub request: Option<RequestId>,
}

/// `POST /api/rooms/{room}/performance/heartbeat`
#[utoipa::path(post, path = "/api/rooms/{room}/performance/heartbeat", params(("room" = String, Path)), security(("member" = [])), request_body = SongReport, responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn heartbeat(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
    Body(body): Body<SongReport>,
) -> Result<StatusCode> {
    state.rooms.get(&room_id)?.write(|room| {
        room.authenticate(caller.member, &caller.secret)?;
        room.heartbeat(caller.member, body.request, body.score, now_ms())
    })??;
    // Heartbeats are not stored: losing the last few seconds of a running score to a crash
    // is acceptable, storing every beat is not.
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/rooms/{room}/performance/finished`
#[utoipa::path(post, path = "/api/rooms/{room}/performance/finished", params(("room" = String, Path)), security(("member" = [])), request_body = SongReport, responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn finished(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
    Body(body): Body<SongReport>,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.finished(me, body.request, body.score, now)
    })
    .await
}
