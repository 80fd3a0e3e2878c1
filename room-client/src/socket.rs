//! The member WebSocket as a client keeps it: a task connects, reads and writes, and
//! reconnects with backoff (250 ms doubling to 5 s) whenever the connection drops or the
//! service restarts, so the client sees one stream of typed events that says when it was
//! cut off and when it is back. Sync messages travel as the sync crate's binary frames,
//! scoring events as JSON text; nothing sent while cut off is kept (it would be stale).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use room_protocol::{Control, RoomMessage, RoomView};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_util::task::AbortOnDropHandle;

/// The first wait before reconnecting, doubled after each failure.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// With nothing heard for this long the connection is taken for dead (the service pings an
/// idle member every 30 s, and the room's beats come ten times a second).
const SILENCE: Duration = Duration::from_secs(45);
/// Messages waiting to be sent before new ones are dropped.
const OUTGOING: usize = 256;

/// What the socket hears.
#[derive(Debug)]
pub enum Incoming {
    /// Connected (again); the room's whole state comes next.
    Connected,
    /// The connection is gone (why); the socket is reconnecting.
    Disconnected(String),
    /// The room after a change.
    Room(Box<RoomView>),
    /// A live control for the song on stage.
    Control(Control),
    /// A sync message: the singer's timeline relayed, or a pong from the room's clock.
    Sync(sync::Message),
    /// A live scoring event of the singer on stage, as the service's referee judged it.
    Score(scoring::LiveEvent),
    /// A frame of the singer's voice (`sync::voice`), as it came.
    Voice(Vec<u8>),
    /// The room's offer of its UDP audio path: the port, and the ticket to say hello with.
    Udp {
        /// The room's UDP port.
        port: u16,
        /// The ticket (hex).
        ticket: String,
    },
}

/// A member WebSocket that stays connected.
pub struct RoomSocket {
    incoming: mpsc::Receiver<Incoming>,
    outgoing: mpsc::Sender<Vec<u8>>,
    // The connection's task ends with the socket.
    _task: AbortOnDropHandle<()>,
}

impl RoomSocket {
    /// Connects to `url` (and keeps reconnecting) on the current tokio runtime.
    pub fn open(url: String) -> RoomSocket {
        let (incoming_tx, incoming) = mpsc::channel(1024);
        let (outgoing, outgoing_rx) = mpsc::channel(OUTGOING);
        let task = tokio::spawn(keep_connected(url, incoming_tx, outgoing_rx));
        RoomSocket {
            incoming,
            outgoing,
            _task: AbortOnDropHandle::new(task),
        }
    }

    /// The next event (`None` only once the socket's task has ended).
    pub async fn recv(&mut self) -> Option<Incoming> {
        self.incoming.recv().await
    }

    /// Sends a sync message, if connected (dropped otherwise, or when the queue is full).
    pub fn send_sync(&self, message: &sync::Message) {
        if let Ok(bytes) = sync::wire::encode(message) {
            let _ = self.outgoing.try_send(bytes);
        }
    }

    /// Sends bytes already in the wire's binary form (a voice frame), if connected.
    pub fn send_binary(&self, bytes: Vec<u8>) {
        let _ = self.outgoing.try_send(bytes);
    }
}

async fn keep_connected(
    url: String,
    incoming: mpsc::Sender<Incoming>,
    mut outgoing: mpsc::Receiver<Vec<u8>>,
) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let why = match tokio_tungstenite::connect_async(&url).await {
            Ok((stream, _)) => {
                backoff = FIRST_BACKOFF;
                // What was queued while cut off is stale.
                while outgoing.try_recv().is_ok() {}
                if incoming.send(Incoming::Connected).await.is_err() {
                    return;
                }
                pump(stream, &incoming, &mut outgoing).await
            }
            Err(e) => format!("cannot connect: {e}"),
        };
        if incoming.send(Incoming::Disconnected(why)).await.is_err() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Carries one connection until it breaks; says why it ended.
async fn pump<S>(
    stream: tokio_tungstenite::WebSocketStream<S>,
    incoming: &mpsc::Sender<Incoming>,
    outgoing: &mut mpsc::Receiver<Vec<u8>>,
) -> String
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut sink, mut stream) = stream.split();
    loop {
        tokio::select! {
            frame = tokio::time::timeout(SILENCE, stream.next()) => {
                let event = match frame {
                    Err(_) => return format!("nothing heard for {} s", SILENCE.as_secs()),
                    Ok(None) | Ok(Some(Ok(WsMessage::Close(_)))) => {
                        return "the service closed the connection".into();
                    }
                    Ok(Some(Err(e))) => return e.to_string(),
                    Ok(Some(Ok(WsMessage::Text(text)))) => read_text(&text),
                    Ok(Some(Ok(WsMessage::Binary(bytes)))) if sync::voice::is_voice(&bytes) => {
                        Some(Incoming::Voice(bytes.to_vec()))
                    }
                    Ok(Some(Ok(WsMessage::Binary(bytes)))) => {
                        sync::wire::decode(&bytes).ok().flatten().map(Incoming::Sync)
                    }
                    Ok(Some(Ok(_))) => None,
                };
                if let Some(event) = event
                    && incoming.send(event).await.is_err()
                {
                    return "the client stopped".into();
                }
            }
            message = outgoing.recv() => {
                let Some(bytes) = message else {
                    return "the client stopped".into();
                };
                let frame = WsMessage::Binary(bytes.into());
                if let Err(e) = sink.send(frame).await {
                    return e.to_string();
                }
            }
        }
    }
}

/// A text frame: the room's state or a control, a sync message as JSON, or a scoring event.
/// Anything else (a newer service's message) is skipped.
fn read_text(text: &str) -> Option<Incoming> {
    if let Ok(room) = serde_json::from_str::<RoomMessage>(text) {
        return Some(match room {
            RoomMessage::Room { room } => Incoming::Room(room),
            RoomMessage::Control { control, .. } => Incoming::Control(control),
            RoomMessage::Udp { port, ticket } => Incoming::Udp { port, ticket },
        });
    }
    if let Ok(Some(message)) = sync::wire::from_json(text) {
        return Some(Incoming::Sync(message));
    }
    serde_json::from_str(text).ok().map(Incoming::Score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_frames_are_told_apart() {
        let control =
            r#"{"type":"control","version":4,"control":{"control":"key","semitones":2.0}}"#;
        assert!(matches!(
            read_text(control),
            Some(Incoming::Control(Control::Key { semitones })) if semitones == 2.0
        ));
        let score = r#"{"type":"line","voice":"P1","index":0,"score":93.0,"grade":"perfect"}"#;
        assert!(matches!(read_text(score), Some(Incoming::Score(_))));
        let ping = sync::wire::to_json(&sync::Message::Ping(sync::Ping {
            id: 3,
            sent: sync::HostTime::from_micros(5),
        }))
        .unwrap();
        assert!(matches!(read_text(&ping), Some(Incoming::Sync(_))));
        assert!(read_text(r#"{"type":"something new"}"#).is_none());
        assert!(read_text("not json").is_none());
    }
}
