//! Frames on the CPU: RGBA pixels read back from a display, written to and read from PNG.

use std::path::Path;

use crate::error::{RenderError, Result};

/// An RGBA image, 8 bits per channel (sRGB), rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub rgba: Vec<u8>,
}

impl Image {
    /// The pixel at (`x`, `y`); transparent black outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        if x >= self.width || y >= self.height {
            return [0; 4];
        }
        let at = ((y * self.width + x) * 4) as usize;
        [
            self.rgba[at],
            self.rgba[at + 1],
            self.rgba[at + 2],
            self.rgba[at + 3],
        ]
    }

    /// Writes the image as a PNG.
    pub fn save_png(&self, path: &Path) -> Result<()> {
        let failed = |reason: String| RenderError::Write {
            path: path.to_owned(),
            reason,
        };
        let file = std::fs::File::create(path).map_err(|e| failed(e.to_string()))?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| failed(e.to_string()))?;
        writer
            .write_image_data(&self.rgba)
            .map_err(|e| failed(e.to_string()))?;
        writer.finish().map_err(|e| failed(e.to_string()))
    }

    /// Reads an 8-bit RGBA or RGB PNG.
    pub fn load_png(path: &Path) -> Result<Image> {
        let failed = |reason: String| RenderError::Write {
            path: path.to_owned(),
            reason,
        };
        let file = std::fs::File::open(path).map_err(|e| failed(e.to_string()))?;
        let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().map_err(|e| failed(e.to_string()))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| failed("image too large".into()))?;
        let mut data = vec![0; size];
        let info = reader
            .next_frame(&mut data)
            .map_err(|e| failed(e.to_string()))?;
        data.truncate(info.buffer_size());
        let rgba = match info.color_type {
            png::ColorType::Rgba => data,
            png::ColorType::Rgb => data
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            other => return Err(failed(format!("unsupported colour type {other:?}"))),
        };
        Ok(Image {
            width: info.width,
            height: info.height,
            rgba,
        })
    }
}
