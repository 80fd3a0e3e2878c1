//! The listener's end of the room's UDP audio path (see the service's `http::udp`): a task
//! that says hello with the ticket the socket was given, every couple of seconds, and passes
//! on the audio frames that come back. Frames may come both ways while the path starts or
//! fails over; the voice receiver takes each once.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use room_protocol::udp::{HELLO_ANSWER, HELLO_EVERY, Ticket, hello, ticket_from_hex};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio_util::task::AbortOnDropHandle;

/// The UDP path while it runs; stops when dropped.
pub struct UdpAudio {
    _task: AbortOnDropHandle<()>,
    /// Frames received over it.
    pub frames: Arc<AtomicU64>,
}

impl UdpAudio {
    /// Starts saying hello to `room` with `ticket` (as the socket's offer gave it), passing
    /// on the frames it sends back; `None` if the ticket is malformed.
    pub fn start(room: SocketAddr, ticket: &str, out: mpsc::Sender<Vec<u8>>) -> Option<UdpAudio> {
        let ticket = ticket_from_hex(ticket)?;
        let frames = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(run(room, ticket, out, Arc::clone(&frames)));
        Some(UdpAudio {
            _task: AbortOnDropHandle::new(task),
            frames,
        })
    }
}

async fn run(room: SocketAddr, ticket: Ticket, out: mpsc::Sender<Vec<u8>>, frames: Arc<AtomicU64>) {
    let any: SocketAddr = if room.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = match UdpSocket::bind(any).await {
        Ok(socket) => socket,
        Err(e) => {
            tracing::warn!("no UDP audio path: {e}");
            return;
        }
    };
    let mut hellos = tokio::time::interval(HELLO_EVERY);
    let mut answered = false;
    let mut buffer = vec![0u8; sync::wire::MAX_MESSAGE + 1];
    loop {
        tokio::select! {
            _ = hellos.tick() => {
                let _ = socket.send_to(&hello(&ticket), room).await;
            }
            received = socket.recv_from(&mut buffer) => {
                let Ok((n, from)) = received else { continue };
                // Only the room speaks on this path.
                if from != room {
                    continue;
                }
                let datagram = &buffer[..n];
                if datagram == HELLO_ANSWER {
                    if !answered {
                        tracing::info!(%room, "the audio comes over UDP");
                        answered = true;
                    }
                } else if sync::voice::stream_of(datagram).is_some() {
                    frames.fetch_add(1, Ordering::Relaxed);
                    if out.send(datagram.to_vec()).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}
