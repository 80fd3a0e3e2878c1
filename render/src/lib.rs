//! Headless renderer for the karaoke screen.
//!
//! This crate draws what a KTV screen shows, offscreen, on any machine: a GPU where there is
//! one, Mesa's lavapipe (wgpu's Vulkan backend on the CPU) where there is none. It builds on
//! `lyrics` for the song model and the reference melody; live pitch, grades and scores arrive
//! as plain inputs that `ktv-app` fills, so it does not depend on `scoring`.
//!
//! What it will hold (see `ARCHITECTURE.md`):
//! - a display registry: `enable_display(id, size)`, `disable_display(id)`,
//!   `push_video_frame(id, frame)` and `render(id, at: SongTime)` into a `wgpu::Texture`, with
//!   CPU read-back through a ring of staging buffers;
//! - layers: the music video, two-line karaoke lyrics with the word wipe, the pitch guide,
//!   grades, score and room overlays;
//! - sinks for read-back frames: PNG, raw/Y4M and MP4 through FFmpeg.
//!
//! Nothing is implemented yet: the render issue delivers it.

#![warn(clippy::unwrap_used)] // input data must never panic the process
