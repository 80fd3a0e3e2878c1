//! A room's sync relay for the adapters' loopback tests and small deployments: it answers
//! clock pings with its own clock (it is the room's time reference) and relays what one peer
//! says about its player to every other peer, over UDP and WebSocket alike. A newcomer is sent
//! the last song start and the last timeline at once, so a late joiner need not wait. (The
//! room service checks roles before relaying; this relay trusts its peers.)

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_util::task::AbortOnDropHandle;

use crate::net::NetClock;
use crate::ping;
use crate::proto::Message;
use crate::wire;

/// Where a peer is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PeerId {
    Udp(SocketAddr),
    Ws(u64),
}

#[derive(Default)]
struct State {
    udp: Vec<SocketAddr>,
    ws: HashMap<u64, mpsc::UnboundedSender<Vec<u8>>>,
    last_start: Option<Vec<u8>>,
    last_timeline: Option<Vec<u8>>,
    next_ws: u64,
}

/// Counters.
#[derive(Debug, Default, Clone, Copy)]
pub struct RoomStats {
    /// Pings answered.
    pub pings: u64,
    /// Messages relayed (one per receiving peer).
    pub relayed: u64,
}

/// The relay.
#[derive(Clone)]
pub struct Room {
    clock: NetClock,
    state: Arc<Mutex<State>>,
    stats: Arc<Mutex<RoomStats>>,
    udp: Arc<Mutex<Option<Arc<UdpSocket>>>>,
}

/// What to send where after a message came in.
type Sends = Vec<(PeerId, Vec<u8>)>;

impl Room {
    /// A room whose time reference is `clock`.
    pub fn new(clock: NetClock) -> Room {
        Room {
            clock,
            state: Arc::new(Mutex::new(State::default())),
            stats: Arc::new(Mutex::new(RoomStats::default())),
            udp: Arc::new(Mutex::new(None)),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> RoomStats {
        self.stats.lock().map(|s| *s).unwrap_or_default()
    }

    /// Takes `bytes` from `from` (received at `received` on the room's clock); returns what
    /// to send.
    fn take(&self, from: PeerId, bytes: &[u8], received: crate::HostTime) -> Sends {
        let Ok(Some(message)) = wire::decode(bytes) else {
            return Vec::new();
        };
        let Ok(mut state) = self.state.lock() else {
            return Vec::new();
        };
        let mut sends = Vec::new();
        let newcomer = match &from {
            PeerId::Udp(addr) if !state.udp.contains(addr) => {
                state.udp.push(*addr);
                true
            }
            _ => false,
        };
        if newcomer {
            for cached in [&state.last_start, &state.last_timeline]
                .into_iter()
                .flatten()
            {
                sends.push((from.clone(), cached.clone()));
            }
        }
        match message {
            Message::Ping(p) => {
                let pong = ping::answer(&p, received, self.clock.now());
                if let Ok(bytes) = wire::encode(&Message::Pong(pong)) {
                    sends.push((from, bytes));
                }
                if let Ok(mut stats) = self.stats.lock() {
                    stats.pings += 1;
                }
            }
            Message::Pong(_) => {}
            other => {
                match other {
                    Message::SongStart(_) => state.last_start = Some(bytes.to_vec()),
                    Message::Stop(_) => state.last_start = None,
                    _ => {}
                }
                state.last_timeline = Some(bytes.to_vec());
                let peers = state
                    .udp
                    .iter()
                    .map(|a| PeerId::Udp(*a))
                    .chain(state.ws.keys().map(|k| PeerId::Ws(*k)))
                    .filter(|p| *p != from)
                    .collect::<Vec<_>>();
                if let Ok(mut stats) = self.stats.lock() {
                    stats.relayed += peers.len() as u64;
                }
                sends.extend(peers.into_iter().map(|p| (p, bytes.to_vec())));
            }
        }
        sends
    }

    /// Sends each message to its peer: WebSocket peers through their writer tasks, UDP
    /// peers straight from the socket (without waiting: a full socket buffer drops the
    /// datagram, as the network would).
    fn dispatch(&self, sends: Sends) {
        let Ok(state) = self.state.lock() else {
            return;
        };
        let udp = self.udp.lock().ok().and_then(|u| u.clone());
        for (to, bytes) in sends {
            match to {
                PeerId::Ws(id) => {
                    if let Some(tx) = state.ws.get(&id) {
                        let _ = tx.send(bytes);
                    }
                }
                PeerId::Udp(addr) => {
                    if let Some(socket) = &udp {
                        let _ = socket.try_send_to(&bytes, addr);
                    }
                }
            }
        }
    }

    /// Serves UDP peers on `socket` until the task is dropped.
    pub async fn serve_udp(self, socket: UdpSocket) {
        let socket = Arc::new(socket);
        if let Ok(mut slot) = self.udp.lock() {
            *slot = Some(Arc::clone(&socket));
        }
        let mut buffer = vec![0u8; wire::MAX_MESSAGE + 1];
        loop {
            let Ok((n, from)) = socket.recv_from(&mut buffer).await else {
                continue;
            };
            let received = self.clock.now();
            let sends = self.take(PeerId::Udp(from), &buffer[..n], received);
            self.dispatch(sends);
        }
    }

    /// Serves WebSocket peers accepted on `listener` until the task is dropped.
    pub async fn serve_ws(self, listener: TcpListener) {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let room = self.clone();
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                let (mut sink, mut stream) = ws.split();
                let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
                let id = {
                    let Ok(mut state) = room.state.lock() else {
                        return;
                    };
                    state.next_ws += 1;
                    let id = state.next_ws;
                    for cached in [&state.last_start, &state.last_timeline]
                        .into_iter()
                        .flatten()
                    {
                        let _ = tx.send(cached.clone());
                    }
                    state.ws.insert(id, tx);
                    id
                };
                // The writer stops with this connection, however it ends.
                let _writer = AbortOnDropHandle::new(tokio::spawn(async move {
                    while let Some(bytes) = rx.recv().await {
                        if sink.send(WsMessage::Binary(bytes.into())).await.is_err() {
                            break;
                        }
                    }
                }));
                while let Some(Ok(message)) = stream.next().await {
                    if let WsMessage::Binary(bytes) = message {
                        let received = room.clock.now();
                        let sends = room.take(PeerId::Ws(id), &bytes, received);
                        room.dispatch(sends);
                    }
                }
                if let Ok(mut state) = room.state.lock() {
                    state.ws.remove(&id);
                }
            });
        }
    }
}
