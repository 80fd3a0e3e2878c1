//! Errors of the renderer.

use std::path::PathBuf;

/// What went wrong in the renderer, naming the device, display or file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// No GPU adapter: neither a GPU nor Mesa's lavapipe is installed.
    #[error(
        "no graphics adapter ({0}); without a GPU install Mesa's lavapipe \
         (Debian: mesa-vulkan-drivers libvulkan1, as scripts/setup does)"
    )]
    NoAdapter(String),
    /// The adapter would not open a device.
    #[error("cannot open the graphics device {adapter}: {reason}")]
    Device {
        /// The adapter's name.
        adapter: String,
        /// What wgpu said.
        reason: String,
    },
    /// A display id that is not enabled.
    #[error("display {0} is not enabled")]
    UnknownDisplay(u32),
    /// A display size of zero or beyond the device's limit.
    #[error("display size {width}x{height} is outside 1..={max} in each dimension")]
    BadSize {
        /// Asked width.
        width: u32,
        /// Asked height.
        height: u32,
        /// The device's largest texture side.
        max: u32,
    },
    /// Text could not be prepared (its glyph atlas is full).
    #[error("cannot prepare text: {0}")]
    Text(String),
    /// Reading a frame back from the GPU failed.
    #[error("cannot read the frame back: {0}")]
    ReadBack(String),
    /// A font file could not be read.
    #[error("cannot read font {path}: {reason}")]
    Font {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A video file could not be opened or decoded.
    #[error("cannot decode video {path}: {reason}")]
    Video {
        /// The file.
        path: PathBuf,
        /// What FFmpeg said.
        reason: String,
    },
    /// Writing an image failed.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The result type of the renderer.
pub type Result<T, E = RenderError> = std::result::Result<T, E>;
