//! Sync messages on the wire. Binary, for UDP and WebSocket binary frames: a four-byte
//! envelope (version, message type, body length as little-endian u16) around a postcard body.
//! JSON, for the web page: the same fields with `"v"` and `"type"`. A receiver skips message
//! types it does not know (a newer sender's) and rejects versions it cannot read; nothing
//! over [`MAX_MESSAGE`] bytes is sent or read.

use serde::{Deserialize, Serialize};

use crate::error::{Result, SyncError};
use crate::proto::{Message, Ping, Pong, SongStart, Transport};

/// The wire version this crate writes and reads.
pub const VERSION: u8 = 1;

/// The most bytes one message may take, envelope included (binary or JSON).
pub const MAX_MESSAGE: usize = 1024;

/// The envelope's size.
pub const HEADER: usize = 4;

/// The most bytes of a song id or media locator.
pub const MAX_TEXT: usize = 400;

pub(crate) mod kind {
    pub const SONG_START: u8 = 1;
    pub const BEAT: u8 = 2;
    pub const PAUSE: u8 = 3;
    pub const RESUME: u8 = 4;
    pub const SEEK: u8 = 5;
    pub const STOP: u8 = 6;
    pub const PING: u8 = 7;
    pub const PONG: u8 = 8;
    /// The singer's voice ([`crate::voice`]): not a sync message; sync decoders skip it.
    pub const VOICE: u8 = 16;
    /// The singer's room mix, music and voice ([`crate::voice`]), for thin listeners.
    pub const MIX: u8 = 17;
}

fn check_text(what: &'static str, text: &str) -> Result<()> {
    if text.len() > MAX_TEXT {
        return Err(SyncError::TooLong {
            what,
            len: text.len(),
            max: MAX_TEXT,
        });
    }
    Ok(())
}

fn check_number(
    what: &'static str,
    value: f64,
    range: std::ops::RangeInclusive<f64>,
) -> Result<()> {
    if !range.contains(&value) {
        return Err(SyncError::OutOfRange {
            what,
            value,
            min: *range.start(),
            max: *range.end(),
        });
    }
    Ok(())
}

/// What a receiver could not act on sensibly is refused, as is what a sender must not send.
fn check_message(message: &Message) -> Result<()> {
    if let Some(transport) = message.transport() {
        check_number("rate", transport.rate, 0.1..=10.0)?;
    }
    if let Message::SongStart(start) = message {
        check_text("song id", &start.song_id)?;
        check_text("media locator", &start.media)?;
        check_number("key", f64::from(start.key), -24.0..=24.0)?;
        check_number("tempo", f64::from(start.tempo), 0.1..=10.0)?;
    }
    Ok(())
}

/// Appends `message` in the binary form to `out` (which a caller may reuse: nothing else is
/// allocated).
pub fn encode_into(message: &Message, out: &mut Vec<u8>) -> Result<()> {
    check_message(message)?;
    let mut buffer = [0u8; MAX_MESSAGE];
    let body = &mut buffer[HEADER..];
    let (kind, len) = match message {
        Message::SongStart(m) => (kind::SONG_START, body_into(m, body)?),
        Message::Beat(t) => (kind::BEAT, body_into(t, body)?),
        Message::Pause(t) => (kind::PAUSE, body_into(t, body)?),
        Message::Resume(t) => (kind::RESUME, body_into(t, body)?),
        Message::Seek(t) => (kind::SEEK, body_into(t, body)?),
        Message::Stop(t) => (kind::STOP, body_into(t, body)?),
        Message::Ping(p) => (kind::PING, body_into(p, body)?),
        Message::Pong(p) => (kind::PONG, body_into(p, body)?),
    };
    let [len_lo, len_hi] = (len as u16).to_le_bytes();
    buffer[..HEADER].copy_from_slice(&[VERSION, kind, len_lo, len_hi]);
    out.extend_from_slice(&buffer[..HEADER + len]);
    Ok(())
}

/// Writes `value`'s postcard form at the start of `body`; returns its length.
pub(crate) fn body_into<T: Serialize>(value: &T, body: &mut [u8]) -> Result<usize> {
    match postcard::to_slice(value, body) {
        Ok(written) => Ok(written.len()),
        Err(postcard::Error::SerializeBufferFull) => Err(SyncError::TooLong {
            what: "message",
            len: MAX_MESSAGE + 1,
            max: MAX_MESSAGE,
        }),
        Err(e) => Err(SyncError::Encode(e.to_string())),
    }
}

/// `message` in the binary form.
pub fn encode(message: &Message) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64);
    encode_into(message, &mut out)?;
    Ok(out)
}

/// Opens the envelope that fills `bytes`: the message type and the body, checked against the
/// version, the stated length and [`MAX_MESSAGE`].
pub(crate) fn envelope(bytes: &[u8]) -> Result<(u8, &[u8])> {
    if bytes.len() > MAX_MESSAGE {
        return Err(SyncError::TooLong {
            what: "message",
            len: bytes.len(),
            max: MAX_MESSAGE,
        });
    }
    let Some((header, body)) = bytes.split_first_chunk::<HEADER>() else {
        return Err(SyncError::Truncated {
            needed: HEADER,
            got: bytes.len(),
        });
    };
    let [version, kind, len_lo, len_hi] = *header;
    if version != VERSION {
        return Err(SyncError::Version {
            got: version,
            supported: VERSION,
        });
    }
    let len = usize::from(u16::from_le_bytes([len_lo, len_hi]));
    if body.len() != len {
        return Err(SyncError::Length {
            declared: len,
            got: body.len(),
        });
    }
    Ok((kind, body))
}

/// Reads one binary message that fills `bytes`. `Ok(None)`: a message type this version does
/// not know, skipped.
pub fn decode(bytes: &[u8]) -> Result<Option<Message>> {
    let (kind, body) = envelope(bytes)?;
    let message = match kind {
        kind::SONG_START => Message::SongStart(body_of::<SongStart>("song_start", body)?),
        kind::BEAT => Message::Beat(body_of::<Transport>("beat", body)?),
        kind::PAUSE => Message::Pause(body_of::<Transport>("pause", body)?),
        kind::RESUME => Message::Resume(body_of::<Transport>("resume", body)?),
        kind::SEEK => Message::Seek(body_of::<Transport>("seek", body)?),
        kind::STOP => Message::Stop(body_of::<Transport>("stop", body)?),
        kind::PING => Message::Ping(body_of::<Ping>("ping", body)?),
        kind::PONG => Message::Pong(body_of::<Pong>("pong", body)?),
        _ => return Ok(None),
    };
    check_message(&message)?;
    Ok(Some(message))
}

pub(crate) fn body_of<'a, T: Deserialize<'a>>(what: &'static str, body: &'a [u8]) -> Result<T> {
    let (value, rest) = postcard::take_from_bytes::<T>(body).map_err(|e| SyncError::Body {
        what,
        reason: e.to_string(),
    })?;
    if !rest.is_empty() {
        return Err(SyncError::Body {
            what,
            reason: format!("{} bytes after the body", rest.len()),
        });
    }
    Ok(value)
}

/// The JSON form: `{"v": 1, "type": "beat", ...fields}`.
#[derive(Serialize, Deserialize)]
struct Json<M> {
    v: u8,
    #[serde(flatten)]
    message: M,
}

/// Just enough of a JSON message to tell whether it can be read.
#[derive(Deserialize)]
struct JsonHead {
    v: u8,
    #[serde(rename = "type")]
    kind: String,
}

const JSON_TYPES: [&str; 8] = [
    "song_start",
    "beat",
    "pause",
    "resume",
    "seek",
    "stop",
    "ping",
    "pong",
];

/// `message` as JSON for the web page.
pub fn to_json(message: &Message) -> Result<String> {
    check_message(message)?;
    let text = serde_json::to_string(&Json {
        v: VERSION,
        message,
    })
    .map_err(|e| SyncError::Encode(e.to_string()))?;
    if text.len() > MAX_MESSAGE {
        return Err(SyncError::TooLong {
            what: "message",
            len: text.len(),
            max: MAX_MESSAGE,
        });
    }
    Ok(text)
}

/// Reads a JSON message. `Ok(None)`: a type this version does not know, skipped.
pub fn from_json(text: &str) -> Result<Option<Message>> {
    if text.len() > MAX_MESSAGE {
        return Err(SyncError::TooLong {
            what: "message",
            len: text.len(),
            max: MAX_MESSAGE,
        });
    }
    let head: JsonHead = serde_json::from_str(text).map_err(|e| SyncError::Body {
        what: "JSON message",
        reason: e.to_string(),
    })?;
    if head.v != VERSION {
        return Err(SyncError::Version {
            got: head.v,
            supported: VERSION,
        });
    }
    if !JSON_TYPES.contains(&head.kind.as_str()) {
        return Ok(None);
    }
    let json: Json<Message> = serde_json::from_str(text).map_err(|e| SyncError::Body {
        what: "JSON message",
        reason: e.to_string(),
    })?;
    check_message(&json.message)?;
    Ok(Some(json.message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::TrackMode;
    use crate::time::{HostTime, MediaTime};

    fn transport() -> Transport {
        Transport {
            leader: 7,
            seq: 1234,
            song: 3,
            position: MediaTime::from_millis(61_250),
            at: HostTime::from_micros(987_654_321),
            rate: 1.0,
            playing: true,
        }
    }

    fn every_message() -> Vec<Message> {
        let t = transport();
        vec![
            Message::SongStart(SongStart {
                transport: t,
                song_id: "jasmine".into(),
                media: "/rooms/r1/media/jasmine/song.ogg".into(),
                track_mode: TrackMode::Guide,
                key: -2.0,
                tempo: 1.1,
            }),
            Message::Beat(t),
            Message::Pause(Transport {
                playing: false,
                ..t
            }),
            Message::Resume(t),
            Message::Seek(t),
            Message::Stop(t),
            Message::Ping(Ping {
                id: 9,
                sent: HostTime::from_micros(5),
            }),
            Message::Pong(Pong {
                id: 9,
                ping_sent: HostTime::from_micros(5),
                received: HostTime::from_micros(1_000_005),
                sent: HostTime::from_micros(1_000_050),
            }),
        ]
    }

    #[test]
    fn every_message_round_trips_in_both_forms_and_stays_small() {
        for message in every_message() {
            let bytes = encode(&message).unwrap();
            assert!(
                bytes.len() < MAX_MESSAGE,
                "{}: {} bytes",
                message.name(),
                bytes.len()
            );
            assert_eq!(decode(&bytes).unwrap(), Some(message.clone()));
            let json = to_json(&message).unwrap();
            assert!(
                json.contains(&format!("\"type\":\"{}\"", message.name())),
                "{json}"
            );
            assert_eq!(from_json(&json).unwrap(), Some(message));
        }
        // A beat is what flows all the time: it must stay tiny.
        assert!(encode(&Message::Beat(transport())).unwrap().len() <= 40);
    }

    #[test]
    fn unknown_types_are_skipped_and_unknown_versions_rejected() {
        let mut bytes = encode(&Message::Beat(transport())).unwrap();
        bytes[1] = 200;
        assert_eq!(decode(&bytes).unwrap(), None);
        bytes[0] = 2;
        assert!(matches!(
            decode(&bytes),
            Err(SyncError::Version { got: 2, .. })
        ));
        let json = r#"{"v":1,"type":"reaction","emoji":"👏"}"#;
        assert_eq!(from_json(json).unwrap(), None);
        let json = r#"{"v":9,"type":"beat"}"#;
        assert!(matches!(
            from_json(json),
            Err(SyncError::Version { got: 9, .. })
        ));
    }

    #[test]
    fn malformed_input_is_an_error_naming_what_is_wrong() {
        let bytes = encode(&Message::Beat(transport())).unwrap();
        let err = decode(&bytes[..2]).unwrap_err();
        assert!(matches!(err, SyncError::Truncated { .. }), "{err}");
        let err = decode(&bytes[..bytes.len() - 1]).unwrap_err();
        assert!(matches!(err, SyncError::Length { .. }), "{err}");
        let mut wrong = bytes.clone();
        wrong[1] = kind::PING;
        let err = decode(&wrong).unwrap_err();
        assert!(err.to_string().contains("ping"), "{err}");
        assert!(matches!(
            decode(&vec![1; MAX_MESSAGE + 1]),
            Err(SyncError::TooLong { .. })
        ));
        assert!(from_json(r#"{"v":1,"type":"beat","seq":"x"}"#).is_err());
        assert!(from_json("not json").is_err());
    }

    #[test]
    fn nonsense_numbers_are_refused() {
        let mut bytes = encode(&Message::Beat(transport())).unwrap();
        let nan = Transport {
            rate: f64::NAN,
            ..transport()
        };
        assert!(matches!(
            encode(&Message::Beat(nan)),
            Err(SyncError::OutOfRange { what: "rate", .. })
        ));
        // The same, forged on the wire: the rate is the body's last eight bytes but one.
        let at = bytes.len() - 9;
        bytes[at..at + 8].copy_from_slice(&f64::INFINITY.to_le_bytes());
        assert!(matches!(decode(&bytes), Err(SyncError::OutOfRange { .. })));
    }

    #[test]
    fn oversized_text_is_refused_on_both_sides() {
        let Message::SongStart(mut start) = every_message().remove(0) else {
            unreachable!()
        };
        start.media = "x".repeat(MAX_TEXT + 1);
        let message = Message::SongStart(start);
        assert!(matches!(encode(&message), Err(SyncError::TooLong { .. })));
        assert!(matches!(to_json(&message), Err(SyncError::TooLong { .. })));
    }
}
