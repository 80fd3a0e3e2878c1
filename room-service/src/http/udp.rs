//! The singer's audio over UDP, for listeners that can use it. On the member WebSocket a lost
//! segment holds back everything behind it (TCP retransmits, in order); over UDP a lost frame
//! is only that frame, which the next one's in-band FEC recovers, and nothing waits for it.
//!
//! A member's socket asks for it (`?udp=1`) and gets a ticket
//! ([`room_protocol::RoomMessage::Udp`]); the client sends the ticket from its UDP socket
//! every [`room_protocol::udp::HELLO_EVERY`] (which also keeps NAT mappings open), the room
//! answers each hello, and sends that address the audio frames it would have put on the
//! socket for as long as the hellos keep coming. When they stop ([`ROUTE_STALE`]), the frames
//! go back on the socket. The datagrams are the protocol's ([`room_protocol::udp`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use room_protocol::udp::{HELLO_ANSWER, Ticket, hello_ticket};
use sync::HostTime;
use sync::net::NetClock;
use tokio::net::UdpSocket;

/// With no hello for this long, the route is dropped (three hellos missed).
const ROUTE_STALE: Duration = Duration::from_secs(7);

/// Where one socket's audio goes over UDP, once its client has said hello.
#[derive(Debug, Default)]
pub(crate) struct Route {
    /// The client's address and when it last said hello.
    to: Mutex<Option<(SocketAddr, HostTime)>>,
}

impl Route {
    /// The address to send to at `now`, if the client said hello recently.
    fn address(&self, now: HostTime) -> Option<SocketAddr> {
        let to = *self.to.lock().ok()?;
        to.filter(|(_, at)| (now - *at).as_micros() < ROUTE_STALE.as_micros() as i64)
            .map(|(address, _)| address)
    }
}

/// The room's UDP socket for audio, and the routes of the sockets that asked for it.
pub(crate) struct AudioUdp {
    socket: UdpSocket,
    routes: Mutex<HashMap<Ticket, Arc<Route>>>,
    clock: NetClock,
}

impl AudioUdp {
    /// Binds `address` (the HTTP service's, UDP beside TCP on the same port).
    pub(crate) async fn bind(address: SocketAddr, clock: NetClock) -> std::io::Result<AudioUdp> {
        Ok(AudioUdp {
            socket: UdpSocket::bind(address).await?,
            routes: Mutex::default(),
            clock,
        })
    }

    /// The port clients send their hellos to.
    pub(crate) fn port(&self) -> u16 {
        self.socket.local_addr().map_or(0, |a| a.port())
    }

    /// A new route and its ticket, for a socket that asked for UDP; forgotten when the
    /// returned guard is dropped.
    pub(crate) fn open(self: &Arc<Self>) -> Option<UdpRoute> {
        let ticket: Ticket = rand::random();
        let route = Arc::new(Route::default());
        self.routes.lock().ok()?.insert(ticket, Arc::clone(&route));
        Some(UdpRoute {
            udp: Arc::clone(self),
            ticket,
            route,
        })
    }

    /// Answers hellos, noting each client's address; runs until the task is dropped.
    pub(crate) async fn serve(self: Arc<Self>) {
        let mut buffer = [0u8; 64];
        loop {
            let Ok((n, from)) = self.socket.recv_from(&mut buffer).await else {
                continue;
            };
            let Some(ticket) = hello_ticket(&buffer[..n]) else {
                continue;
            };
            let route = self
                .routes
                .lock()
                .ok()
                .and_then(|routes| routes.get(&ticket).cloned());
            // An unknown ticket (a socket gone, a guess) gets no answer.
            let Some(route) = route else { continue };
            if let Ok(mut to) = route.to.lock() {
                *to = Some((from, self.clock.now()));
            }
            let _ = self.socket.send_to(&HELLO_ANSWER, from).await;
        }
    }
}

/// One socket's UDP route, open while this lives: dropping it (the socket closed, however
/// it closed) forgets the ticket.
pub(crate) struct UdpRoute {
    udp: Arc<AudioUdp>,
    ticket: Ticket,
    route: Arc<Route>,
}

impl UdpRoute {
    /// The ticket its client says hello with.
    pub(crate) fn ticket(&self) -> &Ticket {
        &self.ticket
    }

    /// The port its client says hello to.
    pub(crate) fn port(&self) -> u16 {
        self.udp.port()
    }

    /// Sends `frame` if the client is reachable; false if it must go on the socket.
    pub(crate) async fn send(&self, frame: &[u8]) -> bool {
        match self.route.address(self.udp.clock.now()) {
            Some(address) => self.udp.socket.send_to(frame, address).await.is_ok(),
            None => false,
        }
    }
}

impl Drop for UdpRoute {
    fn drop(&mut self) {
        if let Ok(mut routes) = self.udp.routes.lock() {
            routes.remove(&self.ticket);
        }
    }
}

#[cfg(test)]
mod tests {
    use room_protocol::udp::hello;

    use super::*;

    #[tokio::test]
    async fn frames_go_to_whoever_said_hello_with_the_ticket() {
        let clock = NetClock::system();
        let udp = Arc::new(
            AudioUdp::bind("127.0.0.1:0".parse().unwrap(), clock)
                .await
                .unwrap(),
        );
        let server = tokio::spawn(Arc::clone(&udp).serve());
        let route = udp.open().unwrap();
        let ticket = *route.ticket();
        // Before any hello: the socket carries the frames.
        assert!(!route.send(b"frame").await);
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let room = format!("127.0.0.1:{}", udp.port());
        // A wrong ticket is not answered; the right one is.
        client.send_to(&hello(&[7; 16]), &room).await.unwrap();
        client.send_to(&hello(&ticket), &room).await.unwrap();
        let mut buffer = [0u8; 64];
        let n = tokio::time::timeout(Duration::from_secs(5), client.recv(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buffer[..n], &HELLO_ANSWER);
        assert!(route.send(b"frame").await);
        let n = client.recv(&mut buffer).await.unwrap();
        assert_eq!(&buffer[..n], b"frame");
        drop(route);
        assert!(udp.routes.lock().unwrap().is_empty());
        server.abort();
    }
}
