//! What ktv's room service and its clients say to each other: the types of the HTTP API's
//! answers, the member WebSocket's text messages and the UDP audio path's hello, as serde
//! types with no I/O. The service (`room-service`), the headless clients (`room-client`), the
//! web page's tests and a future C API share them, so a change to the protocol is a change
//! to this crate, seen by every side at once.
//!
//! # Layout
//! - [`queue`]: member and request ids, the singer, the track mode, a request's preset, a
//!   requested song, the queue's rules and the queue as members see it.
//! - [`room`]: roles, mic seats, the song on stage and its result, the room as members see it.
//! - [`control`]: the live controls a singer's engine is steered by.
//! - [`message`]: the member WebSocket's text messages from the room.
//! - [`credentials`]: what creating or joining a room gives a member.
//! - [`song`]: a song as a client sees it before playing it (details, audio, media kinds).
//! - [`udp`]: the UDP audio path's tickets and hello datagrams.
//! - [`error`]: values outside the ranges the protocol allows.

#![warn(clippy::unwrap_used)] // input data must never panic the process

pub mod control;
pub mod credentials;
pub mod error;
pub mod message;
pub mod queue;
pub mod room;
pub mod song;
pub mod udp;

pub use control::Control;
pub use credentials::Credentials;
pub use error::{OutOfRange, Result};
pub use message::RoomMessage;
pub use queue::{MemberId, Preset, QueueRules, QueueView, Request, RequestId, Singer, TrackMode};
pub use room::{Ending, MemberView, Performance, PerformanceResult, Role, RoomView, Seat};
pub use song::{AudioLayout, Loudness, MediaKind, OriginalTrack, SongAudio, SongDetails};
