//! Karaoke lyrics as KTV screens show them: two lines alternating, the first of a pair on the
//! left and the second on the right; the current word filled from left to right by time
//! within the word; an outline and a shadow so the text reads over any picture; duet lines
//! coloured per voice. The text around them (title card, countdown, score, grades, up next)
//! is the `hud` layer's.
//!
//! Lines are shaped and baked once, when they come on screen (cosmic-text through glyphon,
//! then baked into sprites); per frame only the wipe position moves. The wipe is
//! exact to the pixel column: the sung and unsung copies are clipped on either side of it.

use lyrics::{Lyrics, SongTime};

use crate::error::Result;
use crate::frame::{FrameInputs, LinePlacement};
use crate::gpu::Gpu;
use crate::layer::hud::Hud;
use crate::layer::sprite::{Placement, Sprite, SpriteBaker, SpriteDraws, Style};
use crate::layer::style::{colour, outline_width, sung_colour};
use crate::text::{TextShared, shape_line};

/// A line shaped for the screen.
struct LaidLine {
    index: usize,
    /// The line baked in its sung colour and in its unsung colour.
    sung: Sprite,
    unsung: Sprite,
    /// Each word's left and right edge, relative to the line's left.
    words: Vec<(f32, f32)>,
    width: f32,
}

/// One display's lyrics: its text renderer and the lines it has shaped.
pub(crate) struct LyricsLayer {
    baker: SpriteBaker,
    draws: SpriteDraws,
    slots: [Option<LaidLine>; 2],
    /// The display size the shaped text is for.
    size: (u32, u32),
    /// Where the lines went in the last prepared frame.
    placed: Vec<LinePlacement>,
    /// The title card, countdown, score, grades and room text.
    hud: Hud,
}

impl LyricsLayer {
    pub(crate) fn new(shared: &mut TextShared, gpu: &Gpu) -> Self {
        LyricsLayer {
            baker: SpriteBaker::new(gpu, shared),
            draws: SpriteDraws::new(gpu, &shared.sprites),
            slots: [None, None],
            size: (0, 0),
            placed: Vec::new(),
            hud: Hud::new(shared, gpu),
        }
    }

    /// Where the lines were placed in the last frame prepared.
    pub(crate) fn placed(&self) -> &[LinePlacement] {
        &self.placed
    }

    fn font_px(&self) -> f32 {
        (self.size.1 as f32 / 13.5).round().max(8.0)
    }

    fn lay_out(
        &mut self,
        shared: &mut TextShared,
        gpu: &Gpu,
        lyrics: &Lyrics,
        index: usize,
    ) -> Result<LaidLine> {
        let line = &lyrics.lines[index];
        let max_width = self.size.0 as f32 * 0.84;
        let (buffer, width) = shape_line(shared, &line.text, self.font_px(), max_width);
        // Each word's ink, as rasterised: the wipe crosses what is drawn, so it shows the
        // moment a word starts rather than after the glyph's side bearing.
        let mut words = Vec::with_capacity(line.words.len());
        for word in &line.words {
            let (start, end) = (word.text_start as usize, word.text_end as usize);
            let mut edges: Option<(f32, f32)> = None;
            for run in buffer.layout_runs() {
                for glyph in run.glyphs {
                    // Spaces between words take no part in the wipe.
                    let blank = line
                        .text
                        .get(glyph.start..glyph.end)
                        .is_none_or(|t| t.trim().is_empty());
                    if glyph.start < start || glyph.end > end || blank {
                        continue;
                    }
                    let physical = glyph.physical((0.0, 0.0), 1.0);
                    let (l, r) = match shared
                        .swash
                        .get_image(&mut shared.font_system, physical.cache_key)
                    {
                        Some(image) if image.placement.width > 0 => {
                            let l = (physical.x + image.placement.left) as f32;
                            (l, l + image.placement.width as f32)
                        }
                        _ => (glyph.x, glyph.x + glyph.w),
                    };
                    edges = Some(edges.map_or((l, r), |(a, b)| (a.min(l), b.max(r))));
                }
            }
            words.push(edges.unwrap_or((0.0, 0.0)));
        }
        let px = self.font_px();
        let style = Style {
            outline: outline_width(px),
            outline_colour: colour::OUTLINE,
            shadow_colour: colour::SHADOW,
        };
        let text = (&buffer, (width, px * 1.25));
        let sung = Sprite::bake(
            gpu,
            shared,
            &mut self.baker,
            text,
            style,
            sung_colour(line.voice),
        )?;
        let unsung = Sprite::bake(gpu, shared, &mut self.baker, text, style, colour::UNSUNG)?;
        Ok(LaidLine {
            index,
            sung,
            unsung,
            words,
            width,
        })
    }

    /// Shapes what changed and uploads the frame's text for song time `at`.
    pub(crate) fn prepare(
        &mut self,
        shared: &mut TextShared,
        gpu: &Gpu,
        inputs: &FrameInputs<'_>,
        at: SongTime,
        size: (u32, u32),
    ) -> Result<()> {
        let queue = &gpu.queue;
        let song = inputs.song;
        if size != self.size {
            self.size = size;
            self.slots = [None, None];
            self.hud.reset();
        }
        let (width, height) = (size.0 as f32, size.1 as f32);
        let position = song.timeline.at(at);
        let lines = &song.lyrics.lines;
        // The pair on screen: the line being sung (or the next one) and the one after it, each
        // in the slot its parity gives, so lines alternate left and right.
        let anchor = position.line.or(position.next_line);
        let mut wanted = [None, None];
        if let Some(first) = anchor {
            for index in [first, first + 1] {
                if index < lines.len() {
                    wanted[index % 2] = Some(index);
                }
            }
        }
        for (slot, want) in wanted.iter().enumerate() {
            let have = self.slots[slot].as_ref().map(|l| l.index);
            if have != *want {
                self.slots[slot] = None;
                if let Some(index) = *want {
                    self.slots[slot] = Some(self.lay_out(shared, gpu, &song.lyrics, index)?);
                }
            }
        }

        let px = self.font_px();
        self.placed.clear();
        let mut sprites = Vec::with_capacity(4);
        for slot in self.slots.iter().flatten() {
            // Whole pixels, so the baked line lands 1:1.
            let top = if slot.index % 2 == 0 {
                height * 0.66
            } else {
                height * 0.66 + px * 1.35
            }
            .round();
            let left = if slot.index % 2 == 0 {
                width * 0.08
            } else {
                width * 0.92 - slot.width
            }
            .round();
            // How far the wipe has come: the words before the current one, and the current
            // word by the time within it.
            let wipe = match (position.line, position.word) {
                (Some(current), Some(word)) if current == slot.index => {
                    let (l, r) = slot.words.get(word).copied().unwrap_or((0.0, 0.0));
                    l + position.word_progress.clamp(0.0, 1.0) * (r - l)
                }
                (Some(current), None) if current == slot.index => 0.0,
                (Some(current), _) if current > slot.index => slot.width,
                _ => 0.0,
            };
            let wipe_x = left + wipe;
            self.placed.push(LinePlacement {
                index: slot.index,
                left,
                top,
                width: slot.width,
                wipe: wipe_x,
            });
            let wipe_x = wipe_x.round();
            sprites.push((
                &slot.sung,
                Placement {
                    left,
                    top,
                    clip: (f32::MIN, wipe_x),
                },
            ));
            sprites.push((
                &slot.unsung,
                Placement {
                    left,
                    top,
                    clip: (wipe_x, f32::MAX),
                },
            ));
        }
        self.draws.prepare(queue, size, &sprites);

        self.hud.prepare(
            shared,
            gpu,
            inputs,
            (&position, &self.placed),
            at,
            (size, self.font_px()),
        )
    }

    /// Draws into a pass someone else owns.
    pub(crate) fn render(
        &self,
        shared: &TextShared,
        pass: &mut wgpu::RenderPass<'_>,
    ) -> Result<()> {
        let sprites = self
            .slots
            .iter()
            .flatten()
            .flat_map(|s| [&s.sung, &s.unsung]);
        self.draws.render(&shared.sprites, sprites, pass);
        self.hud.render(shared, pass)
    }
}
