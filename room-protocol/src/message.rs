//! The member WebSocket's text messages from the room, told apart by their `type`. (Sync
//! messages and live scoring events travel on the same socket in the `sync` and `scoring`
//! crates' own forms.)

use serde::{Deserialize, Serialize};

use crate::control::Control;
use crate::room::RoomView;

/// A text message the room sends a member.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoomMessage {
    /// The whole room after a change.
    Room {
        /// The room.
        room: Box<RoomView>,
    },
    /// A live control for the singer's engine.
    Control {
        /// The room's version after it.
        version: u64,
        /// The control.
        control: Control,
    },
    /// The room's offer of its UDP audio path (see [`crate::udp`]).
    Udp {
        /// The room's UDP port.
        port: u16,
        /// The ticket to say hello with, as hex ([`crate::udp::ticket_hex`]).
        ticket: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_their_type() {
        let offer = RoomMessage::Udp {
            port: 8080,
            ticket: "00ff".into(),
        };
        assert_eq!(
            serde_json::to_string(&offer).unwrap(),
            r#"{"type":"udp","port":8080,"ticket":"00ff"}"#
        );
        let control: RoomMessage = serde_json::from_str(
            r#"{"type":"control","version":4,"control":{"control":"key","semitones":2.0}}"#,
        )
        .unwrap();
        assert!(matches!(
            control,
            RoomMessage::Control { version: 4, control: Control::Key { semitones } } if semitones == 2.0
        ));
    }
}
