//! The real-time audio engine.
//!
//! This crate plays songs with the real-time discipline a live performance needs: the audio
//! callback never allocates, frees, locks, blocks or does I/O. It depends on none of ktv's
//! other crates; it speaks frames at its sample rate plus the host time they are heard at, and
//! the clients convert those to song time (`room_client::time`; see `ARCHITECTURE.md`).
//!
//! # Layout
//! - [`handle`]: [`EngineHandle`], the control side (commands in, events and the clock out),
//!   and [`handle::new`], which builds it with its [`Processor`].
//! - [`processor`]: [`Processor`], the audio side: transport, mixing, taps.
//! - [`shift`]: key shift and tempo through Signalsmith Stretch, with the clock kept in song
//!   time.
//! - [`source`]: decoding (symphonia) and resampling (rubato) on a decode thread per song,
//!   into a ring of chunks that keeps the accompaniment and the original in lockstep.
//! - [`clock`]: the position clock, one consistent (position, host time) pair read without
//!   locks.
//! - [`driver`]: what calls the processor: the offline driver (deterministic, or paced on the
//!   host clock) and cpal (ALSA, JACK).
//! - [`render`]: rendering a song offline to a WAV or FLAC file (`ktv mix`).
//!
//! # Example
//! ```no_run
//! use engine::{EngineSettings, SongSource, driver::offline};
//!
//! let (mut handle, mut processor) = engine::new(EngineSettings::default());
//! handle.load(&SongSource::two_files("accompaniment.flac", "original.mp3"))?;
//! handle.play()?;
//! let mut out = Vec::new();
//! let mut driver = offline::OfflineDriver::new(2, 128);
//! driver.render(&mut processor, 48_000, |block| out.extend_from_slice(block));
//! # Ok::<(), engine::EngineError>(())
//! ```

#![warn(clippy::unwrap_used)] // input data must never panic the process

mod audio_file;
pub mod bus;
pub mod clock;
mod command;
pub mod driver;
mod dsp;
mod error;
pub mod event;
mod feed;
pub mod fx;
pub mod handle;
pub mod loudness;
pub mod mic;
mod mixer;
mod music;
mod playback;
pub mod processor;
pub mod record;
pub mod remote;
pub mod render;
pub mod shift;
pub mod song;
pub mod source;
pub mod tap;
pub mod time;
mod varispeed;

pub use bus::{Bus, Level, MAX_GAIN, MAX_MICS};
pub use clock::{ClockReading, PositionClock};
pub use error::{EngineError, Result};
pub use event::Event;
pub use fx::{Preset, VoiceEffects};
pub use handle::{EngineHandle, EngineSettings, new};
pub use loudness::SongLoudness;
pub use mic::MicInput;
pub use processor::Processor;
pub use remote::{RemoteVoiceInput, VOICE_PACKET};
pub use shift::{MAX_KEY, MAX_TEMPO, MIN_KEY, MIN_TEMPO};
pub use song::{Original, SongFiles, SongSource, TrackMode};
pub use source::stream::SongInfo;
pub use tap::{BusTap, TapBlock};
pub use time::{HostClock, HostTime};

/// The slowest playback rate [`EngineHandle::set_rate`] accepts.
pub const MIN_RATE: f64 = 0.995;
/// The fastest playback rate [`EngineHandle::set_rate`] accepts.
pub const MAX_RATE: f64 = 1.005;
