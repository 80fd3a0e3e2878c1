//! The mic seats: taking and leaving one, the owner muting and freeing them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::{Body, Caller, act, no_content};
use crate::Result;
use crate::http::AppState;
use crate::http::error::ErrorBody;
use crate::room::Effect;

/// Taking a seat.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakeSeat {
    /// Which (the first free one if none).
    pub seat: Option<usize>,
}

/// The seat taken.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeatTaken {
    /// Its index.
    pub seat: usize,
}

/// `POST /api/rooms/{room}/seats`
#[utoipa::path(post, path = "/api/rooms/{room}/seats", params(("room" = String, Path)), security(("member" = [])), request_body = TakeSeat, responses((status = 200, body = SeatTaken), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn take_seat(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
    Body(body): Body<TakeSeat>,
) -> Result<Json<SeatTaken>> {
    let seat = act(&state, &room_id, &caller, |room, me, now| {
        Ok((room.take_seat(me, body.seat, now)?, Effect::State))
    })
    .await?;
    Ok(Json(SeatTaken { seat }))
}

/// `DELETE /api/rooms/{room}/seats/mine`
#[utoipa::path(delete, path = "/api/rooms/{room}/seats/mine", params(("room" = String, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn leave_seat(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.leave_seat(me, now)
    })
    .await
}

/// Muting a seat.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MuteSeat {
    /// Muted or not.
    pub muted: bool,
}

/// `POST /api/rooms/{room}/seats/{seat}/mute` (owner)
#[utoipa::path(post, path = "/api/rooms/{room}/seats/{seat}/mute", params(("room" = String, Path), ("seat" = usize, Path)), security(("member" = [])), request_body = MuteSeat, responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn mute_seat(
    State(state): State<AppState>,
    Path((room_id, seat)): Path<(String, usize)>,
    caller: Caller,
    Body(body): Body<MuteSeat>,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.mute_seat(me, seat, body.muted, now)
    })
    .await
}

/// `DELETE /api/rooms/{room}/seats/{seat}` (owner)
#[utoipa::path(delete, path = "/api/rooms/{room}/seats/{seat}", params(("room" = String, Path), ("seat" = usize, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn free_seat(
    State(state): State<AppState>,
    Path((room_id, seat)): Path<(String, usize)>,
    caller: Caller,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.free_seat(me, seat, now)
    })
    .await
}
