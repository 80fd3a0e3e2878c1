//! The singer's voice on the wire: Opus frames, each stamped with the song position it was
//! sung at, so a listener mixes it with its own copy of the music where it belongs. They
//! travel in the sync envelope (version, type, length) under a type of their own: the room
//! relays them like the singer's other messages, within a limit of their own, and a sync
//! decoder skips them as a type it does not know.
//!
//! The singer's room mix (music and voice, what the room hears) travels the same way under
//! another type, for thin listeners that play the stream instead of their own copy of the
//! song: its stamps say which song position of the music each frame holds.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::time::{MediaTime, TimeDelta};
use crate::wire::{self, HEADER, MAX_MESSAGE, VERSION, kind};

/// One frame of the singer's voice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoiceFrame {
    /// The leader's song number ([`crate::Transport::song`]): frames of another song are not
    /// this one's.
    pub song: u64,
    /// Consecutive within a song: a gap is a lost frame (which the next one's in-band FEC
    /// may recover).
    pub seq: u32,
    /// The song position of the frame's first sample, as the singer sang it (their capture
    /// instant on their song clock, latency removed).
    pub position: MediaTime,
    /// Song time the frame spans (its duration times the tempo sung at).
    pub span: TimeDelta,
    /// The Opus packet.
    pub opus: Vec<u8>,
}

/// Which of the singer's audio streams a frame belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Their voice alone, stamped where it was sung: for listeners with the song.
    Voice,
    /// What the room hears (music and voice), stamped with the music's position: for thin
    /// listeners, who play it instead of the song.
    Mix,
}

impl Stream {
    fn kind(self) -> u8 {
        match self {
            Stream::Voice => kind::VOICE,
            Stream::Mix => kind::MIX,
        }
    }
}

/// `frame` of the voice in the binary envelope.
pub fn encode(frame: &VoiceFrame) -> Result<Vec<u8>> {
    encode_as(frame, Stream::Voice)
}

/// `frame` of `stream` in the binary envelope.
pub fn encode_as(frame: &VoiceFrame, stream: Stream) -> Result<Vec<u8>> {
    let mut buffer = [0u8; MAX_MESSAGE];
    let len = wire::body_into(frame, &mut buffer[HEADER..])?;
    let [len_lo, len_hi] = (len as u16).to_le_bytes();
    buffer[..HEADER].copy_from_slice(&[VERSION, stream.kind(), len_lo, len_hi]);
    Ok(buffer[..HEADER + len].to_vec())
}

/// Which stream `bytes` hold a frame of, if any (by their envelope; the body is not read).
pub fn stream_of(bytes: &[u8]) -> Option<Stream> {
    match bytes {
        [VERSION, kind::VOICE, ..] => Some(Stream::Voice),
        [VERSION, kind::MIX, ..] => Some(Stream::Mix),
        _ => None,
    }
}

/// Whether `bytes` hold a voice frame (by their envelope; the body is not read).
pub fn is_voice(bytes: &[u8]) -> bool {
    stream_of(bytes) == Some(Stream::Voice)
}

/// Reads a voice frame that fills `bytes`; `Ok(None)` if they hold something else.
pub fn decode(bytes: &[u8]) -> Result<Option<VoiceFrame>> {
    decode_of(bytes, Stream::Voice)
}

/// Reads a frame of `stream` that fills `bytes`; `Ok(None)` if they hold something else.
pub fn decode_of(bytes: &[u8], stream: Stream) -> Result<Option<VoiceFrame>> {
    if stream_of(bytes) != Some(stream) {
        return Ok(None);
    }
    let (_, body) = wire::envelope(bytes)?;
    wire::body_of::<VoiceFrame>("voice", body).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> VoiceFrame {
        VoiceFrame {
            song: 3,
            seq: 41,
            position: MediaTime::from_micros(12_340_000),
            span: TimeDelta::from_micros(20_000),
            opus: (0..160).map(|i| i as u8).collect(),
        }
    }

    #[test]
    fn a_frame_round_trips_and_sync_decoders_skip_it() {
        let bytes = encode(&frame()).unwrap();
        assert!(bytes.len() < 200, "{} bytes", bytes.len());
        assert_eq!(decode(&bytes).unwrap(), Some(frame()));
        assert_eq!(wire::decode(&bytes).unwrap(), None);
        let beat = wire::encode(&crate::Message::Ping(crate::Ping {
            id: 1,
            sent: crate::HostTime::ZERO,
        }))
        .unwrap();
        assert_eq!(decode(&beat).unwrap(), None);
    }

    #[test]
    fn mix_frames_are_told_from_voice_frames() {
        let mix = encode_as(&frame(), Stream::Mix).unwrap();
        assert_eq!(stream_of(&mix), Some(Stream::Mix));
        assert_eq!(decode(&mix).unwrap(), None);
        assert_eq!(decode_of(&mix, Stream::Mix).unwrap(), Some(frame()));
        assert_eq!(wire::decode(&mix).unwrap(), None);
        let voice = encode(&frame()).unwrap();
        assert_eq!(stream_of(&voice), Some(Stream::Voice));
        assert_eq!(decode_of(&voice, Stream::Mix).unwrap(), None);
    }

    #[test]
    fn broken_frames_are_errors_not_panics() {
        let bytes = encode(&frame()).unwrap();
        for cut in 0..bytes.len() {
            let _ = decode(&bytes[..cut]);
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(decode(&long).is_err());
        let too_big = VoiceFrame {
            opus: vec![0; MAX_MESSAGE],
            ..frame()
        };
        assert!(encode(&too_big).is_err());
    }
}
