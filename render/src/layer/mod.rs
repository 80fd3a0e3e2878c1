//! The layers of a KTV screen, bottom to top. Each prepares its data (CPU work, uploads) and
//! then records into a render pass the renderer owns.

pub(crate) mod background;
pub(crate) mod hud;
pub mod lyrics;
pub(crate) mod pipeline;
pub mod pitch_guide;
pub mod room;
pub mod shapes;
pub(crate) mod sprite;
pub(crate) mod style;
pub(crate) mod video;
