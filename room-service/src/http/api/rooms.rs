//! Rooms: creating and joining one, reading it, leaving it, and its results.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use room_protocol::{Credentials, MemberId, QueueRules, RoomView};
use serde::Deserialize;

use super::{Body, Caller, no_content, now_ms, token};
use crate::http::AppState;
use crate::http::error::ErrorBody;
use crate::room::{Effect, Room, RoomSettings};
use crate::store::{Store, StoredResult};
use crate::{Error, Result};

/// Creating a room.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRoom {
    /// The room's name.
    pub name: String,
    /// The owner's display name.
    pub owner_name: String,
    /// A password to join, if any.
    pub password: Option<String>,
    /// Mic seats (default 8).
    pub seats: Option<usize>,
    /// Queue rules (default: 5 songs per member, no time limit, no rotation).
    pub rules: Option<QueueRules>,
}

/// `POST /api/rooms`
#[utoipa::path(post, path = "/api/rooms", request_body = CreateRoom, responses((status = 201, body = Credentials), (status = 400, body = ErrorBody)))]
pub async fn create_room(
    State(state): State<AppState>,
    Body(body): Body<CreateRoom>,
) -> Result<(StatusCode, Json<Credentials>)> {
    let settings = RoomSettings {
        name: body.name,
        password: body.password.filter(|p| !p.is_empty()),
        seats: body.seats.unwrap_or(crate::room::DEFAULT_SEATS),
        rules: body.rules.unwrap_or_default(),
        ..RoomSettings::default()
    };
    if settings.name.trim().is_empty() || settings.name.chars().count() > 60 {
        return Err(Error::BadRequest(
            "a room's name is 1 to 60 characters".into(),
        ));
    }
    let (id, join_token, secret) = (token(8), token(16), token(24));
    let room = Room::new(
        id.clone(),
        join_token.clone(),
        settings,
        (body.owner_name, secret.clone()),
        now_ms(),
    )?;
    let member = room.owner;
    state.store.save_room(&room).await?;
    state.rooms.insert(room)?;
    Ok((
        StatusCode::CREATED,
        Json(Credentials {
            room: id,
            join_token,
            member,
            secret,
        }),
    ))
}

/// Joining a room.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRoom {
    /// The token from the join link.
    pub token: String,
    /// The member's display name.
    pub name: String,
    /// The room's password, if it has one.
    pub password: Option<String>,
}

/// `POST /api/rooms/{room}/members`
#[utoipa::path(post, path = "/api/rooms/{room}/members", params(("room" = String, Path)), request_body = JoinRoom, responses((status = 201, body = Credentials), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn join_room(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    Body(body): Body<JoinRoom>,
) -> Result<(StatusCode, Json<Credentials>)> {
    let live = state.rooms.get(&room_id)?;
    let secret = token(24);
    let (member, _, room) = live.act(|room| {
        let id = room.join(
            &body.token,
            body.password.as_deref(),
            (body.name, secret.clone()),
            now_ms(),
        )?;
        Ok((id, Effect::State))
    })?;
    state.store.save_room(&room).await?;
    Ok((
        StatusCode::CREATED,
        Json(Credentials {
            room: room_id,
            join_token: room.join_token,
            member,
            secret,
        }),
    ))
}

/// `GET /api/rooms/{room}`
#[utoipa::path(get, path = "/api/rooms/{room}", params(("room" = String, Path)), security(("member" = [])), responses((status = 200, body = RoomView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_room(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
) -> Result<Json<RoomView>> {
    let live = state.rooms.get(&room_id)?;
    live.read(|room| {
        room.authenticate(caller.member, &caller.secret)?;
        Ok(Json(live.view(room)))
    })?
}

/// `DELETE /api/rooms/{room}/members/{member}`: leave, or (the owner) remove someone.
#[utoipa::path(delete, path = "/api/rooms/{room}/members/{member}", params(("room" = String, Path), ("member" = u64, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    Path((room_id, member)): Path<(String, MemberId)>,
    caller: Caller,
) -> Result<StatusCode> {
    no_content(&state, &room_id, &caller, |room, me, now| {
        room.leave(me, member, now)
    })
    .await
}

/// `GET /api/rooms/{room}/history`
#[utoipa::path(get, path = "/api/rooms/{room}/history", params(("room" = String, Path)), security(("member" = [])), responses((status = 200, body = Vec<StoredResult>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
) -> Result<Json<Vec<StoredResult>>> {
    let live = state.rooms.get(&room_id)?;
    live.read(|room| room.authenticate(caller.member, &caller.secret).map(|_| ()))??;
    Ok(Json(state.store.history(&room_id, 100).await?))
}

/// `GET /api/songs/{song}/leaderboard`
#[utoipa::path(get, path = "/api/songs/{song}/leaderboard", params(("song" = String, Path)), responses((status = 200, body = Vec<StoredResult>)))]
pub async fn leaderboard(
    State(state): State<AppState>,
    Path(song_id): Path<String>,
) -> Result<Json<Vec<StoredResult>>> {
    Ok(Json(state.store.leaderboard(&song_id, 20).await?))
}
