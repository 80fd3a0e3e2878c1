//! The UDP audio path's datagrams. A member's socket asks for the path and gets a ticket
//! ([`crate::RoomMessage::Udp`]); the client sends the ticket from its UDP socket every
//! [`HELLO_EVERY`] (which also keeps NAT mappings open), the room answers each hello with
//! [`HELLO_ANSWER`] and sends that address the audio frames for as long as the hellos come.
//!
//! A hello is `K U 1 0` and the ticket's 16 bytes, its answer `K U 1 1`; audio frames are
//! sent as they travel on the socket (the sync envelope).

use std::time::Duration;

/// How often a client says hello.
pub const HELLO_EVERY: Duration = Duration::from_secs(2);

/// A ticket: which socket a UDP address speaks for.
pub type Ticket = [u8; 16];

const HELLO: [u8; 4] = *b"KU\x01\x00";
/// The room's answer to a hello.
pub const HELLO_ANSWER: [u8; 4] = *b"KU\x01\x01";

/// A hello datagram for `ticket`.
pub fn hello(ticket: &Ticket) -> [u8; 20] {
    let mut datagram = [0u8; 20];
    datagram[..4].copy_from_slice(&HELLO);
    datagram[4..].copy_from_slice(ticket);
    datagram
}

/// The ticket in a hello datagram, if it is one.
pub fn hello_ticket(datagram: &[u8]) -> Option<Ticket> {
    let ticket = datagram.strip_prefix(&HELLO)?;
    ticket.try_into().ok()
}

/// A ticket as the socket's text message carries it (lowercase hex).
pub fn ticket_hex(ticket: &Ticket) -> String {
    ticket.iter().map(|b| format!("{b:02x}")).collect()
}

/// A ticket from its hex form.
pub fn ticket_from_hex(hex: &str) -> Option<Ticket> {
    if hex.len() != 32 || !hex.is_ascii() {
        return None;
    }
    let mut ticket = [0u8; 16];
    for (i, byte) in ticket.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(ticket)
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
}
