//! One peer on a socket: the loop that feeds a [`Machine`] what arrives (messages, player
//! reports, the user's commands, the deadline) and carries out what it outputs. The timer is
//! reset only when the deadline moves (quinn's `drive_timer`).

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::error::{Result, SyncError};
use crate::net::{Machine, NetClock, Player};
use crate::steer::Output;
use crate::time::HostTime;
use crate::wire;

/// A command from the app, applied to the machine at the instant it is taken.
pub type Control<M> = Box<dyn FnOnce(&mut M, HostTime) + Send>;

fn io(what: &'static str) -> impl Fn(std::io::Error) -> SyncError {
    move |e| SyncError::Io {
        what,
        reason: e.to_string(),
    }
}

/// How a peer reaches its room.
pub enum Link {
    /// A UDP socket connected to the room.
    Udp(UdpSocket),
    /// A WebSocket to the room (binary frames).
    Ws(Box<WebSocketStream<MaybeTlsStream<TcpStream>>>),
}

impl Link {
    /// A UDP socket on an ephemeral local port, connected to `room`.
    pub async fn udp(room: SocketAddr) -> Result<Link> {
        let local: SocketAddr = if room.is_ipv4() {
            "0.0.0.0:0"
        } else {
            "[::]:0"
        }
        .parse()
        .map_err(|_| SyncError::Io {
            what: "binding UDP",
            reason: "bad local address".into(),
        })?;
        let socket = UdpSocket::bind(local).await.map_err(io("binding UDP"))?;
        socket.connect(room).await.map_err(io("connecting UDP"))?;
        Ok(Link::Udp(socket))
    }

    /// A WebSocket to `url` (`ws://host:port/path`).
    pub async fn websocket(url: &str) -> Result<Link> {
        let (stream, _) =
            tokio_tungstenite::connect_async(url)
                .await
                .map_err(|e| SyncError::Io {
                    what: "opening the WebSocket",
                    reason: e.to_string(),
                })?;
        Ok(Link::Ws(Box::new(stream)))
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Link::Udp(socket) => {
                // A datagram refused (the room not up yet) is a lost one.
                let _ = socket.send(bytes).await;
                Ok(())
            }
            Link::Ws(stream) => stream
                .send(WsMessage::Binary(bytes.to_vec().into()))
                .await
                .map_err(|e| SyncError::Io {
                    what: "sending on the WebSocket",
                    reason: e.to_string(),
                }),
        }
    }

    /// The next message's bytes; `None` when the connection is gone.
    async fn recv(&mut self, buffer: &mut Vec<u8>) -> Result<Option<()>> {
        match self {
            Link::Udp(socket) => {
                buffer.resize(wire::MAX_MESSAGE, 0);
                match socket.recv(buffer).await {
                    Ok(n) => {
                        buffer.truncate(n);
                        Ok(Some(()))
                    }
                    // ICMP "port unreachable" from an earlier send: not fatal for UDP.
                    Err(_) => {
                        buffer.clear();
                        Ok(Some(()))
                    }
                }
            }
            Link::Ws(stream) => loop {
                match stream.next().await {
                    None => return Ok(None),
                    Some(Err(e)) => {
                        return Err(SyncError::Io {
                            what: "reading the WebSocket",
                            reason: e.to_string(),
                        });
                    }
                    Some(Ok(WsMessage::Binary(bytes))) => {
                        buffer.clear();
                        buffer.extend_from_slice(&bytes);
                        return Ok(Some(()));
                    }
                    Some(Ok(WsMessage::Close(_))) => return Ok(None),
                    Some(Ok(_)) => {}
                }
            },
        }
    }
}

/// What a peer runs with.
pub struct Peer<M, P> {
    /// The state machine.
    pub machine: M,
    /// The local player.
    pub player: P,
    /// The local clock.
    pub clock: NetClock,
    /// How often the player is asked where it is (its audio block).
    pub report_every: Duration,
}

impl<M: Machine, P: Player> Peer<M, P> {
    /// Runs until `stop` turns true or the link closes; returns the machine and player.
    pub async fn run(
        mut self,
        mut link: Link,
        mut controls: mpsc::UnboundedReceiver<Control<M>>,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(M, P)> {
        let mut reports = tokio::time::interval(self.report_every);
        reports.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut buffer = Vec::with_capacity(wire::MAX_MESSAGE);
        let mut out = Vec::with_capacity(wire::MAX_MESSAGE);
        let mut deadline: Option<HostTime> = None;
        let mut controls_open = true;
        let timer = tokio::time::sleep(std::time::Duration::ZERO);
        tokio::pin!(timer);
        loop {
            // Drain: send, steer, until the machine names its next deadline.
            loop {
                match self.machine.poll_output() {
                    Output::Send(message) => {
                        out.clear();
                        if wire::encode_into(&message, &mut out).is_ok() {
                            link.send(&out).await?;
                        }
                    }
                    Output::Steer(steer) => self.player.steer(&steer),
                    Output::Timeout(at) => {
                        if deadline != Some(at) {
                            deadline = Some(at);
                            timer.as_mut().reset(self.clock.instant_at(at));
                        }
                        break;
                    }
                }
            }
            tokio::select! {
                received = link.recv(&mut buffer) => {
                    if received?.is_none() {
                        return Ok((self.machine, self.player));
                    }
                    // Unknown types and malformed datagrams are dropped here: a hostile
                    // peer's bytes never reach the machine.
                    if let Ok(Some(message)) = wire::decode(&buffer) {
                        self.machine.handle_message(self.clock.now(), &message);
                    }
                }
                () = &mut timer => {
                    deadline = None;
                    self.machine.handle_timeout(self.clock.now());
                }
                _ = reports.tick() => {
                    if let Some(report) = self.player.report() {
                        self.machine.handle_player(self.clock.now(), report);
                    }
                }
                control = controls.recv(), if controls_open => {
                    match control {
                        Some(control) => control(&mut self.machine, self.clock.now()),
                        None => controls_open = false,
                    }
                }
                _ = stop.changed() => {
                    return Ok((self.machine, self.player));
                }
            }
        }
    }
}
