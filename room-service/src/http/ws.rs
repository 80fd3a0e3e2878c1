//! A member's WebSocket: the room's state after every change (text, JSON, in order, each with
//! the room's version), live controls for the singer's engine, and the sync relay. The room is
//! the time reference: clock pings are answered here with the room's clock. What the singer
//! on stage says about their player is relayed to everyone else, within per-type rate limits;
//! a member who cannot keep up is disconnected rather than slowing the room. The singer's
//! voice also goes to the song's referee, whose live scores the room gets instead of any the
//! singer's client would claim.
//!
//! Sync messages travel in the form the client speaks: binary frames (the `sync` crate's
//! envelope) or JSON text frames (the web page). The singer's audio frames are binary for
//! everyone (the page decodes them too): their voice, or their room mix for thin clients
//! (`?audio=mix`).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use sync::rate_limit::RateLimit;
use sync::voice::Stream;
use sync::{Message, wire};
use tokio::sync::broadcast;

use room_protocol::udp::ticket_hex;
use room_protocol::{MemberId, RoomMessage, Singer};

use crate::http::udp::UdpRoute;
use crate::http::{AppState, judging};
use crate::room::Room;
use crate::{Error, Result};

/// Who connects: a member (`member` and `secret`), or a watcher with the join link
/// (`token`, and `password` if the room has one).
#[derive(Debug, Deserialize)]
pub struct Credentials {
    /// The member.
    pub member: Option<MemberId>,
    /// Their secret.
    pub secret: Option<String>,
    /// A watcher's join token.
    pub token: Option<String>,
    /// A watcher's room password.
    pub password: Option<String>,
}

/// What the singer on stage sends the room, encoded once for every receiver.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A sync message (their player's timeline), in both forms members speak.
    Sync {
        /// The `sync` crate's binary envelope.
        binary: Bytes,
        /// Its JSON form, for the web page.
        json: Utf8Bytes,
    },
    /// A live scoring event of the service's referee (`scoring::LiveEvent` as JSON text).
    Score(Utf8Bytes),
    /// A frame of the singer's voice or room mix (`sync::voice`), passed on as it came, as a
    /// binary message to the members who want that stream.
    Audio(Stream, Bytes),
}

/// A relayed message, with who sent it.
#[derive(Debug, Clone)]
pub struct Relayed {
    /// The sender (not sent back to them); `None` for the service's own (the referee's
    /// judgements, which the singer sees too).
    pub from: Option<MemberId>,
    /// The message.
    pub payload: Payload,
}

/// What a socket asks for beyond the room: `?audio=voice` (the default: the singer's voice
/// alone, for clients that play their own copy of the song), `mix` (the room's mix, for thin
/// clients that play the stream instead) or `none`; and `udp=1`, that audio over UDP.
#[derive(Debug, Default, Deserialize)]
pub struct SocketOptions {
    /// The singer's audio stream wanted.
    #[serde(default)]
    pub audio: AudioWanted,
    /// `udp=1`: the audio over UDP where the client can receive it (see [`super::udp`]).
    #[serde(default)]
    pub udp: u8,
}

/// The singer's audio stream a socket gets.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioWanted {
    /// The voice alone.
    #[default]
    Voice,
    /// The room's mix.
    Mix,
    /// Neither.
    None,
}

impl AudioWanted {
    fn wants(self, stream: Stream) -> bool {
        matches!(
            (self, stream),
            (AudioWanted::Voice, Stream::Voice) | (AudioWanted::Mix, Stream::Mix)
        )
    }
}

/// How often an idle member's socket is pinged.
const KEEPALIVE: Duration = Duration::from_secs(30);

/// Read buffer of a member's socket: what members send is small (≤ 4 KiB a message), and
/// at ten thousand watchers per room the default 128 KiB each would be the service's memory.
const READ_BUFFER: usize = 4 * 1024;

/// `GET /api/rooms/{room}/ws?member=..&secret=..` or `?token=..` (browsers cannot set
/// headers on a WebSocket, so the credentials come in the query).
pub async fn connect(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    Query(credentials): Query<Credentials>,
    Query(options): Query<SocketOptions>,
    upgrade: WebSocketUpgrade,
) -> Result<Response> {
    let live = state.rooms.get(&room_id)?;
    let (member, view) = live.read(|room| {
        let member = match (&credentials.member, &credentials.secret, &credentials.token) {
            (Some(member), Some(secret), _) => {
                room.authenticate(*member, secret)?;
                Some(*member)
            }
            (None, _, Some(token)) => {
                room.admit(token, credentials.password.as_deref(), "watch")?;
                None
            }
            _ => {
                return Err(Error::Unauthorized(
                    "give member and secret, or the join link's token".into(),
                ));
            }
        };
        Ok::<_, Error>((member, live.view(room)))
    })??;
    let events = live.subscribe();
    let relay = state.relay(&room_id)?;
    let first = serde_json::to_string(&RoomMessage::Room {
        room: Box::new(view),
    })
    .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(upgrade
        .max_message_size(wire::MAX_MESSAGE * 4)
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| async move {
            // Watchers are counted while connected.
            let _watching = member.is_none().then(|| live.watch());
            let connection = Connection {
                state,
                room_id,
                member,
                audio: options.audio,
                relay,
            };
            member_socket(socket, connection, options.udp == 1, first, events).await;
        }))
}

/// Messages per second a member may send, by kind (more are dropped, not relayed).
const BEATS_PER_SECOND: f64 = 30.0;
const PINGS_PER_SECOND: f64 = 30.0;
/// The singer's voice, and their room mix: 50 frames a second each (20 ms), with room for a
/// burst after a stall.
const VOICE_FRAMES_PER_SECOND: f64 = 60.0;

/// One open socket: whose, in which room, the audio it wants and the room's relay.
struct Connection {
    state: AppState,
    room_id: String,
    member: Option<MemberId>,
    audio: AudioWanted,
    relay: broadcast::Sender<Arc<Relayed>>,
}

async fn member_socket(
    socket: WebSocket,
    connection: Connection,
    wants_udp: bool,
    first: String,
    events: broadcast::Receiver<Arc<str>>,
) {
    let (mut sink, mut stream) = socket.split();
    if sink.send(WsMessage::Text(first.into())).await.is_err() {
        return;
    }
    // The audio over UDP, once the client says hello with its ticket; the route closes with
    // the socket (when `udp` drops).
    let udp = match &connection.state.udp {
        Some(udp) if wants_udp => udp.open(),
        _ => None,
    };
    if let Some(route) = &udp {
        let offer = RoomMessage::Udp {
            port: route.port(),
            ticket: ticket_hex(route.ticket()),
        };
        let Ok(text) = serde_json::to_string(&offer) else {
            return;
        };
        if sink.send(WsMessage::Text(text.into())).await.is_err() {
            return;
        }
    }
    let room = connection.state.rooms.get(&connection.room_id).ok();
    if let (Some(live), Some(member)) = (&room, connection.member) {
        let _ = live.write(|room| room.socket_opened(member));
    }
    relay_loop(&mut sink, &mut stream, &connection, udp.as_ref(), events).await;
    if let (Some(live), Some(member)) = (&room, connection.member) {
        let _ = live.write(|room| room.socket_closed(member, crate::http::now_ms()));
    }
}

/// Carries a member's socket: the room's events and the relay out, their messages in.
async fn relay_loop(
    sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    connection: &Connection,
    udp: Option<&UdpRoute>,
    mut events: broadcast::Receiver<Arc<str>>,
) {
    let Connection {
        state,
        room_id,
        member,
        audio,
        relay,
    } = connection;
    let (member, audio) = (*member, *audio);
    let mut relayed = relay.subscribe();
    let started = state.clock.now();
    let mut beats = RateLimit::new(BEATS_PER_SECOND, 10, started);
    let mut pings = RateLimit::new(PINGS_PER_SECOND, 40, started);
    let mut voice = RateLimit::new(VOICE_FRAMES_PER_SECOND, 25, started);
    let mut mix = RateLimit::new(VOICE_FRAMES_PER_SECOND, 25, started);
    let mut json = false;
    // A ping every half minute keeps idle connections (and the proxies between) open. One
    // timer per socket, not a new one per message: at thousands of sockets a room that
    // re-armed a timeout for every relayed beat spent its time in the timer wheel.
    let mut keepalive =
        tokio::time::interval_at(tokio::time::Instant::now() + KEEPALIVE, KEEPALIVE);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(text) => {
                    if sink.send(WsMessage::Text(text.to_string().into())).await.is_err() {
                        break;
                    }
                }
                // Too slow: drop the member rather than hold the room back; they reconnect
                // and get the whole state again.
                Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => break,
            },
            message = relayed.recv() => match message {
                Ok(relayed) if relayed.from.is_none() || relayed.from != member => {
                    let frame = match &relayed.payload {
                        Payload::Score(text) => WsMessage::Text(text.clone()),
                        Payload::Sync { json: text, .. } if json => WsMessage::Text(text.clone()),
                        Payload::Sync { binary, .. } => WsMessage::Binary(binary.clone()),
                        Payload::Audio(stream, bytes) if audio.wants(*stream) => {
                            if let Some(route) = udp
                                && route.send(bytes).await
                            {
                                continue;
                            }
                            WsMessage::Binary(bytes.clone())
                        }
                        Payload::Audio(..) => continue,
                    };
                    if sink.send(frame).await.is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => break,
            },
            incoming = stream.next() => {
                let received = state.clock.now();
                let message = match incoming {
                    Some(Ok(WsMessage::Binary(bytes))) if let Some(stream) = sync::voice::stream_of(&bytes) => {
                        // The singer's voice or room mix: relayed as it came, within its own
                        // limit.
                        let limit = match stream {
                            Stream::Voice => &mut voice,
                            Stream::Mix => &mut mix,
                        };
                        if let Some(member) = member
                            && bytes.len() <= wire::MAX_MESSAGE
                            && limit.try_take(received)
                            && match stream {
                                // The voice is judged here too, as it comes.
                                Stream::Voice => judging::hear_voice(state, room_id, member, &bytes),
                                Stream::Mix => on_stage(state, room_id, member),
                            }
                        {
                            let payload = Payload::Audio(stream, bytes);
                            let _ = relay.send(Arc::new(Relayed { from: Some(member), payload }));
                        }
                        None
                    }
                    Some(Ok(WsMessage::Binary(bytes))) => {
                        json = false;
                        wire::decode(&bytes).ok().flatten()
                    }
                    Some(Ok(WsMessage::Text(text))) => match wire::from_json(&text) {
                        Ok(message) => {
                            json = true;
                            message
                        }
                        // Not sync (a client's own scoring events are not the room's: its
                        // scores are the service's, judged from the voice).
                        Err(_) => None,
                    },
                    Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => None,
                };
                let Some(message) = message else { continue };
                match &message {
                    Message::Ping(ping) => {
                        if !pings.try_take(received) {
                            continue;
                        }
                        let pong = Message::Pong(sync::ping::answer(ping, received, state.clock.now()));
                        let frame = if json {
                            wire::to_json(&pong).ok().map(|t| WsMessage::Text(t.into()))
                        } else {
                            wire::encode(&pong).ok().map(|b| WsMessage::Binary(b.into()))
                        };
                        if let Some(frame) = frame
                            && sink.send(frame).await.is_err()
                        {
                            break;
                        }
                    }
                    Message::Pong(_) => {}
                    // Only the singer on stage speaks for the song; what they say about it
                    // also shows they are still there. Watchers only ask the time.
                    _ => {
                        let Some(member) = member else { continue };
                        let on_stage = state
                            .rooms
                            .get(room_id)
                            .and_then(|live| {
                                live.write(|room| {
                                    let on = is_on_stage(room, member);
                                    if on {
                                        let _ = room.heartbeat(member, None, crate::http::now_ms());
                                        if let Some(transport) = message.transport() {
                                            room.heard_timeline(*transport);
                                        }
                                    }
                                    on
                                })
                            })
                            .unwrap_or(false);
                        if on_stage
                            && beats.try_take(received)
                            && let Some(payload) = encode_once(&message)
                        {
                            let _ = relay.send(Arc::new(Relayed { from: Some(member), payload }));
                        }
                    }
                }
            }
            _ = keepalive.tick() => {
                if sink.send(WsMessage::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
}

/// A sync message in both the forms members read, for every receiver to share.
pub(crate) fn encode_once(message: &Message) -> Option<Payload> {
    Some(Payload::Sync {
        binary: wire::encode(message).ok()?.into(),
        json: wire::to_json(message).ok()?.into(),
    })
}

/// Whether `member` is the singer on stage in room `room_id`.
fn on_stage(state: &AppState, room_id: &str, member: MemberId) -> bool {
    state
        .rooms
        .get(room_id)
        .and_then(|live| live.read(|room| is_on_stage(room, member)))
        .unwrap_or(false)
}

fn is_on_stage(room: &Room, member: MemberId) -> bool {
    room.performance
        .as_ref()
        .is_some_and(|p| p.request.singer == Singer::Member(member))
}
