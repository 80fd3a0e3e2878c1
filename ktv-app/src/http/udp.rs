//! The singer's audio over UDP, for listeners that can use it. On the member WebSocket a lost
//! segment holds back everything behind it (TCP retransmits, in order); over UDP a lost frame
//! is only that frame, which the next one's in-band FEC recovers, and nothing waits for it.
//!
//! A member's socket asks for it (`?udp=1`) and gets a ticket (a text message
//! `{"type":"udp","port":..,"ticket":..}`); the client sends the ticket from its UDP socket
//! every [`HELLO_EVERY`] (which also keeps NAT mappings open), the room answers each hello,
//! and sends that address the audio frames it would have put on the socket for as long as the
//! hellos keep coming. When they stop ([`ROUTE_STALE`]), the frames go back on the socket.
//!
//! Datagrams: a hello is `K U 1 0` and the ticket's 16 bytes, its answer `K U 1 1`; audio
//! frames are sent as they travel on the socket (the sync envelope).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sync::HostTime;
use sync::net::NetClock;
use tokio::net::UdpSocket;

/// How often a client says hello.
pub(crate) const HELLO_EVERY: Duration = Duration::from_secs(2);
/// With no hello for this long, the route is dropped (three hellos missed).
const ROUTE_STALE: Duration = Duration::from_secs(7);

/// A ticket: which socket a UDP address speaks for.
pub(crate) type Ticket = [u8; 16];

const HELLO: [u8; 4] = *b"KU\x01\x00";
/// The room's answer to a hello.
pub(crate) const HELLO_ANSWER: [u8; 4] = *b"KU\x01\x01";

/// A hello datagram for `ticket`.
pub(crate) fn hello(ticket: &Ticket) -> [u8; 20] {
    let mut datagram = [0u8; 20];
    datagram[..4].copy_from_slice(&HELLO);
    datagram[4..].copy_from_slice(ticket);
    datagram
}

/// The ticket in a hello datagram, if it is one.
fn hello_ticket(datagram: &[u8]) -> Option<Ticket> {
    let ticket = datagram.strip_prefix(&HELLO)?;
    ticket.try_into().ok()
}

/// A ticket as the socket's text message carries it (lowercase hex).
pub(crate) fn ticket_hex(ticket: &Ticket) -> String {
    ticket.iter().map(|b| format!("{b:02x}")).collect()
}

/// A ticket from its hex form.
pub(crate) fn ticket_from_hex(hex: &str) -> Option<Ticket> {
    if hex.len() != 32 || !hex.is_ascii() {
        return None;
    }
    let mut ticket = [0u8; 16];
    for (i, byte) in ticket.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(ticket)
}

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

    /// A new route and its ticket, for a socket that asked for UDP.
    pub(crate) fn open(&self) -> Option<(Ticket, Arc<Route>)> {
        let ticket: Ticket = rand::random();
        let route = Arc::new(Route::default());
        self.routes.lock().ok()?.insert(ticket, Arc::clone(&route));
        Some((ticket, route))
    }

    /// Forgets a socket's route (it closed).
    pub(crate) fn close(&self, ticket: &Ticket) {
        if let Ok(mut routes) = self.routes.lock() {
            routes.remove(ticket);
        }
    }

    /// Sends `frame` on `route` if its client is reachable; false if it must go on the socket.
    pub(crate) async fn send(&self, route: &Route, frame: &[u8]) -> bool {
        match route.address(self.clock.now()) {
            Some(address) => self.socket.send_to(frame, address).await.is_ok(),
            None => false,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_and_hellos_round_trip() {
        let ticket: Ticket = *b"0123456789abcdef";
        assert_eq!(ticket_from_hex(&ticket_hex(&ticket)), Some(ticket));
        assert_eq!(hello_ticket(&hello(&ticket)), Some(ticket));
        assert_eq!(hello_ticket(&hello(&ticket)[..19]), None);
        assert_eq!(hello_ticket(&HELLO_ANSWER), None);
        assert_eq!(ticket_from_hex("zz"), None);
        assert_eq!(ticket_from_hex(&"é".repeat(16)), None);
    }

    #[tokio::test]
    async fn frames_go_to_whoever_said_hello_with_the_ticket() {
        let clock = NetClock::system();
        let udp = Arc::new(
            AudioUdp::bind("127.0.0.1:0".parse().unwrap(), clock)
                .await
                .unwrap(),
        );
        let server = tokio::spawn(Arc::clone(&udp).serve());
        let (ticket, route) = udp.open().unwrap();
        // Before any hello: the socket carries the frames.
        assert!(!udp.send(&route, b"frame").await);
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
        assert!(udp.send(&route, b"frame").await);
        let n = client.recv(&mut buffer).await.unwrap();
        assert_eq!(&buffer[..n], b"frame");
        udp.close(&ticket);
        server.abort();
    }
}
