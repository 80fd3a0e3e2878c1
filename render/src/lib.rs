//! Headless renderer for the karaoke screen.
//!
//! This crate draws what a KTV screen shows, offscreen, on any machine: a GPU where there is
//! one, Mesa's lavapipe (wgpu's Vulkan backend on the CPU) where there is none. It builds on
//! `lyrics` for the song model; live pitch, grades and scores arrive as plain inputs that
//! the clients fill, so it does not depend on `scoring`.
//!
//! # Layout
//! - [`gpu`]: the device, chosen from the environment (`WGPU_BACKEND`, `WGPU_ADAPTER_NAME`).
//! - [`frame`]: what a frame is drawn from and into: the display format, the song on screen,
//!   the singer's and the room's state, where the lyrics' lines were placed.
//! - [`renderer`]: the display registry: `enable_display(id, size)`, `disable_display(id)`,
//!   `render(id, at)` into a `wgpu::Texture`, and read-back through a staging ring.
//! - [`layer`]: the screen's layers: the animated background, the pitch guide (notes, the
//!   singer's trace, hits), and the text: karaoke lyrics with the word wipe, title card,
//!   countdown, score and grades; room overlays (who sings next, the join link's QR code).
//! - [`image`]: frames on the CPU, PNG in and out; [`sink`]: MP4 through FFmpeg, Y4M.
//! - [`video`]: music videos decoded by FFmpeg (`ffmpeg-next`), frame-accurate to the song
//!   time; frames are pushed to a display and converted from YUV on the GPU.
//!
//! A frame is a pure function of the song time, the song, the singer's and the room's state
//! and the video frame pushed: nothing here reads a clock.

#![warn(clippy::unwrap_used)] // input data must never panic the process

mod error;
pub mod frame;
pub mod gpu;
pub mod image;
pub mod layer;
mod readback;
pub mod renderer;
pub mod sink;
pub mod text;
pub mod video;

pub use error::{RenderError, Result};
pub use frame::{DISPLAY_FORMAT, LinePlacement, RoomOverlay, SingerState, SongScreen, UpNext};
pub use gpu::Gpu;
pub use image::Image;
pub use renderer::{DisplayId, Renderer};
pub use sink::{Mp4Sink, Y4mSink};
pub use video::{Planes, VideoDecoder, VideoFrame};
