//! The song on stage: skipping it, its live controls, and the singer's client reporting on it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use room_protocol::{Control, RequestId};
use serde::Deserialize;

use super::{Body, Caller, no_content, now_ms};
use crate::Result;
use crate::http::AppState;
use crate::http::error::ErrorBody;
use crate::http::judging;

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
    let restart = body == Control::Restart;
    let answer = no_content(&state, &room_id, &caller, |room, me, now| {
        room.control(me, body, now)
    })
    .await?;
    if restart {
        judging::start_over(&state, &room_id);
    }
    Ok(answer)
}

/// The singer's client on the song. It carries no score: scores are the service's own
/// (its referee judges the voice the singer sends), and a report with one is refused (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SongReport {
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
        room.heartbeat(caller.member, body.request, now_ms())
    })??;
    // Heartbeats are not stored: a restarted service gives its singers time to come back
    // (`Room::restored`); storing every beat is not worth it.
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
        room.finished(me, body.request, now)
    })
    .await
}
