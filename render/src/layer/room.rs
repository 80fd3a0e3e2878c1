//! Room overlays: who sings next (near the end of a song) and the room's join link as a QR
//! code, so people in the room can join from their phones.

use lyrics::{Lyrics, SongTime};

use crate::frame::RoomOverlay;
use crate::layer::shapes::Rect;

/// How long before the end of the last line "up next" shows.
const UP_NEXT_LEAD: SongTime = SongTime::from_millis(15_000);

/// Whether "up next" shows at `at`.
pub(crate) fn shows_up_next(room: &RoomOverlay, lyrics: &Lyrics, at: SongTime) -> bool {
    room.up_next.is_some()
        && lyrics
            .lines
            .last()
            .is_some_and(|last| at + UP_NEXT_LEAD >= last.end)
}

/// Where "up next" sits: left, top, width, height.
pub(crate) fn up_next_panel(size: (u32, u32)) -> (f32, f32, f32, f32) {
    let (w, h) = (size.0 as f32, size.1 as f32);
    (w * 0.56, h * 0.885, w * 0.42, h * 0.085)
}

/// A join link's QR code, made once when the link is set.
pub(crate) struct QrModules {
    link: String,
    width: usize,
    dark: Vec<bool>,
}

impl QrModules {
    /// The code for `link`; `None` for a link too long for a QR code.
    pub(crate) fn new(link: &str) -> Option<QrModules> {
        let code = qrcode::QrCode::new(link.as_bytes()).ok()?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        Some(QrModules {
            link: link.to_owned(),
            width,
            dark,
        })
    }

    pub(crate) fn link(&self) -> &str {
        &self.link
    }

    /// The code as rectangles in the bottom-left corner: a white square with the quiet zone
    /// of four modules, dark modules on it (each row's runs merged into one rectangle).
    pub(crate) fn rects(&self, size: (u32, u32)) -> Vec<Rect> {
        let module = (size.1 as f32 / 240.0).round().max(2.0);
        let side = (self.width + 8) as f32 * module;
        let (left, top) = (module * 3.0, size.1 as f32 - side - module * 3.0);
        let mut out = vec![Rect {
            left,
            top,
            width: side,
            height: side,
            colour: [255, 255, 255, 255],
            radius: module,
        }];
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.dark[y * self.width + x] {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.dark[y * self.width + x] {
                    x += 1;
                }
                out.push(Rect {
                    left: left + (start + 4) as f32 * module,
                    top: top + (y + 4) as f32 * module,
                    width: (x - start) as f32 * module,
                    height: module,
                    colour: [0, 0, 0, 255],
                    radius: 0.0,
                });
            }
        }
        out
    }
}
