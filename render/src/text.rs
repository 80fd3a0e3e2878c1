//! Text shared by every display: the font system (one CJK + Latin font loaded from a file, so
//! frames are the same on every machine), glyphon's shared cache and glyph atlas.

use std::path::{Path, PathBuf};

use glyphon::{
    Attrs, Buffer, Cache, Family, FontSystem, Metrics, Shaping, SwashCache, TextAtlas, fontdb,
};

use crate::error::{RenderError, Result};
use crate::layer::sprite::SpritePipeline;

/// Where Debian's `fonts-wqy-microhei` (installed by `scripts/setup`) puts its font.
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// The font every display draws with: `KTV_FONT` if set, else [`DEFAULT_FONT`].
pub fn font_path() -> PathBuf {
    std::env::var_os("KTV_FONT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FONT))
}

pub(crate) struct TextShared {
    pub(crate) font_system: FontSystem,
    pub(crate) swash: SwashCache,
    pub(crate) cache: Cache,
    pub(crate) atlas: TextAtlas,
    /// Baked lyric lines' pipeline.
    pub(crate) sprites: SpritePipeline,
}

impl TextShared {
    pub(crate) fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        format: wgpu::TextureFormat,
        font: &Path,
    ) -> Result<Self> {
        let data = std::fs::read(font).map_err(|e| RenderError::Font {
            path: font.to_owned(),
            reason: format!("{e} (scripts/setup installs fonts-wqy-microhei)"),
        })?;
        let mut db = fontdb::Database::new();
        db.load_font_data(data);
        let family = db
            .faces()
            .next()
            .and_then(|face| face.families.first().map(|(name, _)| name.clone()))
            .ok_or_else(|| RenderError::Font {
                path: font.to_owned(),
                reason: "no font face in the file".into(),
            })?;
        db.set_sans_serif_family(family);
        let font_system = FontSystem::new_with_locale_and_db("zh-CN".into(), db);
        let cache = Cache::new(device);
        let atlas = TextAtlas::new(device, queue, &cache, format);
        Ok(TextShared {
            font_system,
            swash: SwashCache::new(),
            cache,
            atlas,
            sprites: SpritePipeline::new(device),
        })
    }
}

/// Shapes `text` on one line at `px`, shrinking it to fit `max_width`; returns the buffer
/// and its width.
pub(crate) fn shape_line(
    shared: &mut TextShared,
    text: &str,
    px: f32,
    max_width: f32,
) -> (Buffer, f32) {
    let mut px = px;
    loop {
        let mut buffer = Buffer::new(&mut shared.font_system, Metrics::new(px, px * 1.25));
        buffer.set_size(None, None);
        buffer.set_text(
            text,
            &Attrs::new().family(Family::SansSerif),
            Shaping::Advanced,
            None,
        );
        buffer.shape_until_scroll(&mut shared.font_system, false);
        let width = buffer
            .layout_runs()
            .map(|run| run.line_w)
            .fold(0.0f32, f32::max);
        if width <= max_width || px <= 8.0 {
            return (buffer, width);
        }
        px = (px * max_width / width).floor().max(8.0);
    }
}
