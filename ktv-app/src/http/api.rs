//! The room API: JSON over HTTP. Every call but creating and joining a room names its caller
//! with `Authorization: Bearer <member>.<secret>`; the room checks the caller's role. A change
//! is acknowledged (2xx) only after it is stored.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::http::AppState;
use crate::http::error::ErrorBody;
use crate::room::queue::{MemberId, Preset, QueueRules, RequestId};
use crate::room::registry::RoomView;
use crate::room::{Control, Effect, Room, RoomSettings};
use crate::store::{Store, StoredResult};
use crate::{Error, Result};

/// Who is calling: a member's id and secret from the `Authorization` header.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The member.
    pub member: MemberId,
    /// Their secret.
    pub secret: String,
}

impl Caller {
    /// Parses `Bearer <member>.<secret>`.
    pub fn parse(header: &str) -> Result<Caller> {
        let bad =
            || Error::Unauthorized("expected `Authorization: Bearer <member>.<secret>`".into());
        let token = header.strip_prefix("Bearer ").ok_or_else(bad)?;
        let (member, secret) = token.split_once('.').ok_or_else(bad)?;
        Ok(Caller {
            member: member.parse().map_err(|_| bad())?,
            secret: secret.to_owned(),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Caller> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Error::Unauthorized("no Authorization header".into()))?;
        Caller::parse(header)
    }
}

/// A JSON body whose rejection is our error shape.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = Error;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Body<T>> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(Error::BadRequest(rejection.body_text())),
        }
    }
}

/// Milliseconds since the Unix epoch: the rooms' clock for ages and ordering.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A random token of `n` URL-safe characters.
pub fn token(n: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

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

/// A member's credentials (after creating or joining).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    /// The room.
    pub room: String,
    /// Who may join: the token in the join link.
    pub join_token: String,
    /// The member.
    pub member: MemberId,
    /// Their secret (send as `Bearer <member>.<secret>`).
    pub secret: String,
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

/// Runs `f` as `caller` on the room and stores the result before answering.
async fn act<T>(
    state: &AppState,
    room_id: &str,
    caller: &Caller,
    f: impl FnOnce(&mut Room, MemberId, u64) -> Result<(T, Effect)>,
) -> Result<T> {
    let live = state.rooms.get(room_id)?;
    let (value, effect, room) = live.act(|room| {
        room.authenticate(caller.member, &caller.secret)?;
        f(room, caller.member, now_ms())
    })?;
    state.store.save_room(&room).await?;
    if let Effect::Ended(result) = effect {
        state.store.add_result(room_id, &result).await?;
    }
    Ok(value)
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
    act(&state, &room_id, &caller, |room, me, now| {
        Ok(((), room.leave(me, member, now)?))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    act(&state, &room_id, &caller, |room, me, now| {
        Ok((room.leave_seat(me, now)?, Effect::State))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
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
    act(&state, &room_id, &caller, |room, me, now| {
        Ok((room.mute_seat(me, seat, body.muted, now)?, Effect::State))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/rooms/{room}/seats/{seat}` (owner)
#[utoipa::path(delete, path = "/api/rooms/{room}/seats/{seat}", params(("room" = String, Path), ("seat" = usize, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn free_seat(
    State(state): State<AppState>,
    Path((room_id, seat)): Path<(String, usize)>,
    caller: Caller,
) -> Result<StatusCode> {
    act(&state, &room_id, &caller, |room, me, now| {
        Ok((room.free_seat(me, seat, now)?, Effect::State))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    let request = act(&state, &room_id, &caller, |room, me, now| {
        let id = room.request(me, (body.song_id, seconds), body.preset, body.walk_up, now)?;
        // An empty stage takes the first song at once.
        let effect = room.start_next(now);
        Ok((id, effect))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(Requested { request })))
}

/// `DELETE /api/rooms/{room}/queue/{request}`
#[utoipa::path(delete, path = "/api/rooms/{room}/queue/{request}", params(("room" = String, Path), ("request" = u64, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_request(
    State(state): State<AppState>,
    Path((room_id, request)): Path<(String, RequestId)>,
    caller: Caller,
) -> Result<StatusCode> {
    act(&state, &room_id, &caller, |room, me, now| {
        Ok((room.remove(me, request, now)?, Effect::State))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/rooms/{room}/queue/{request}/pin` (owner)
#[utoipa::path(post, path = "/api/rooms/{room}/queue/{request}/pin", params(("room" = String, Path), ("request" = u64, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn pin_request(
    State(state): State<AppState>,
    Path((room_id, request)): Path<(String, RequestId)>,
    caller: Caller,
) -> Result<StatusCode> {
    act(&state, &room_id, &caller, |room, me, now| {
        Ok((room.pin(me, request, now)?, Effect::State))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
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
    act(&state, &room_id, &caller, |room, me, now| {
        Ok((room.reorder(me, request, body.index, now)?, Effect::State))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/rooms/{room}/skip` (owner or the singer on stage)
#[utoipa::path(post, path = "/api/rooms/{room}/skip", params(("room" = String, Path)), security(("member" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn skip(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
) -> Result<StatusCode> {
    act(&state, &room_id, &caller, |room, me, now| {
        Ok(((), room.skip(me, now)?))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/rooms/{room}/controls` (owner or the singer on stage)
#[utoipa::path(post, path = "/api/rooms/{room}/controls", params(("room" = String, Path)), security(("member" = [])), request_body = Control, responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn control(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    caller: Caller,
    Body(body): Body<Control>,
) -> Result<StatusCode> {
    act(&state, &room_id, &caller, |room, me, now| {
        Ok(((), room.control(me, body, now)?))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
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
    act(&state, &room_id, &caller, |room, me, now| {
        Ok(((), room.finished(me, body.request, body.score, now)?))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
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

/// Unknown API paths get the error shape too.
pub async fn not_found() -> Response {
    Error::NotFound {
        what: "API path",
        id: String::new(),
    }
    .into_response()
}
