//! The screen's look that the lyrics and the hud share: its colours and the text outline.

use glyphon::Color;
use lyrics::Voice;

/// The colours of the screen.
pub(crate) mod colour {
    use glyphon::Color;

    pub const UNSUNG: Color = Color::rgb(255, 255, 255);
    pub const OUTLINE: Color = Color::rgb(12, 12, 24);
    pub const SHADOW: Color = Color::rgba(0, 0, 0, 150);
    pub const SUNG_P1: Color = Color::rgb(64, 156, 255);
    pub const SUNG_P2: Color = Color::rgb(255, 96, 170);
    pub const SUNG_BOTH: Color = Color::rgb(96, 214, 120);
    pub const GRADE: Color = Color::rgb(255, 214, 90);
}

pub(crate) fn sung_colour(voice: Voice) -> Color {
    match voice {
        Voice::P1 => colour::SUNG_P1,
        Voice::P2 => colour::SUNG_P2,
        _ => colour::SUNG_BOTH,
    }
}

/// The outline's width for a font size.
pub(crate) fn outline_width(px: f32) -> f32 {
    (px / 22.0).round().max(2.0)
}
