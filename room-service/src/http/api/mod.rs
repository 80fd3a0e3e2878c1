//! The room API: JSON over HTTP. Every call but creating and joining a room names its caller
//! with `Authorization: Bearer <member>.<secret>`; the room checks the caller's role. A change
//! is acknowledged (2xx) only after it is stored.

mod queue;
mod rooms;
mod seats;
mod stage;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use room_protocol::MemberId;

pub use queue::*;
pub use rooms::*;
pub use seats::*;
pub use stage::*;

use crate::http::{AppState, judging};
use crate::room::{Effect, Room};
use crate::store::Store;
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
    if let Effect::Ended(request, result) = effect {
        judging::store_result(state, room_id, request, result).await?;
    }
    Ok(value)
}

/// Runs `f` as `caller` on the room, stores the result and answers 204 No Content: the shape
/// of every call that changes a room and returns nothing.
async fn no_content<E: Into<Effect>>(
    state: &AppState,
    room_id: &str,
    caller: &Caller,
    f: impl FnOnce(&mut Room, MemberId, u64) -> Result<E>,
) -> Result<StatusCode> {
    act(state, room_id, caller, |room, me, now| {
        Ok(((), f(room, me, now)?.into()))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unknown API paths get the error shape too.
pub async fn not_found() -> Response {
    Error::NotFound {
        what: "API path",
        id: String::new(),
    }
    .into_response()
}
