//! Karaoke lyrics as KTV screens show them: two lines alternating, the first of a pair on the
//! left and the second on the right; the current word filled from left to right by time
//! within the word; an outline and a shadow so the text reads over any picture; duet lines
//! coloured per voice; countdown dots before a line after an intro or a break; a title card
//! during the intro.
//!
//! Lines are shaped once, when they come on screen (cosmic-text, through glyphon); per frame
//! only the wipe position moves. The wipe is exact to the pixel column: the sung and unsung
//! fills are the same glyphs clipped on either side of it.

use glyphon::{
    Attrs, Buffer, Color, Family, Metrics, Resolution, Shaping, TextArea, TextBounds, TextRenderer,
    Viewport,
};
use lyrics::{Lyrics, Phase, SongTime, Timeline, Voice};

use crate::error::{RenderError, Result};
use crate::gpu::Gpu;
use crate::layer::line_sprite::{LineSprite, OUTLINE_DIRECTIONS, SpriteBaker, SpriteDraws, Style};
use crate::layer::pitch_guide::{self, SingerState};
use crate::layer::room::{self, RoomOverlay};
use crate::text::TextShared;

/// The song on screen: lyrics, their timeline and who asked for it.
pub struct SongScreen {
    pub(crate) lyrics: Lyrics,
    pub(crate) timeline: Timeline,
    pub(crate) requester: Option<String>,
}

impl SongScreen {
    /// A song's lyrics, with the name of the singer who requested it for the title card.
    pub fn new(lyrics: Lyrics, requester: Option<String>) -> Self {
        let timeline = Timeline::new(&lyrics);
        SongScreen {
            lyrics,
            timeline,
            requester,
        }
    }
}

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

fn sung_colour(voice: Voice) -> Color {
    match voice {
        Voice::P1 => colour::SUNG_P1,
        Voice::P2 => colour::SUNG_P2,
        _ => colour::SUNG_BOTH,
    }
}

/// A line shaped for the screen.
struct LaidLine {
    index: usize,
    /// The line baked in its sung and unsung colours.
    sprite: LineSprite,
    /// Each word's left and right edge, relative to the line's left.
    words: Vec<(f32, f32)>,
    width: f32,
}

/// Where a line sits and how far it is sung, in display pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinePlacement {
    /// The line's index in the lyrics.
    pub index: usize,
    /// Its left edge.
    pub left: f32,
    /// Its top edge.
    pub top: f32,
    /// Its width.
    pub width: f32,
    /// The wipe's x: sung to the left of it.
    pub wipe: f32,
}

/// What a frame draws besides the time: the song, the singer's state, the room's overlays.
pub(crate) struct FrameInputs<'a> {
    pub(crate) song: &'a SongScreen,
    pub(crate) singer: &'a SingerState,
    pub(crate) room: &'a RoomOverlay,
}

/// One display's lyrics: its text renderer and the lines it has shaped.
pub(crate) struct LyricsLayer {
    renderer: TextRenderer,
    baker: SpriteBaker,
    draws: SpriteDraws,
    viewport: Viewport,
    slots: [Option<LaidLine>; 2],
    title: Option<(Buffer, Buffer)>,
    dots: Buffer,
    /// The display size the shaped text is for.
    size: (u32, u32),
    /// Where the lines went in the last prepared frame.
    placed: Vec<LinePlacement>,
    /// The running score and the latest line's grade, as shown (reshaped when they change).
    score: Option<(String, Buffer)>,
    grade: Option<(String, Buffer)>,
    up_next: Option<(String, Buffer)>,
}

impl LyricsLayer {
    pub(crate) fn new(shared: &mut TextShared, gpu: &Gpu) -> Self {
        let device = &gpu.device;
        let renderer = TextRenderer::new(
            &mut shared.atlas,
            device,
            wgpu::MultisampleState::default(),
            None,
        );
        LyricsLayer {
            renderer,
            baker: SpriteBaker::new(gpu, shared),
            draws: SpriteDraws::new(gpu, &shared.sprites),
            viewport: Viewport::new(device, &shared.cache),
            slots: [None, None],
            title: None,
            dots: Buffer::new(&mut shared.font_system, Metrics::new(10.0, 12.0)),
            size: (0, 0),
            placed: Vec::new(),
            score: None,
            grade: None,
            up_next: None,
        }
    }

    /// Where the lines were placed in the last frame prepared.
    pub(crate) fn placed(&self) -> &[LinePlacement] {
        &self.placed
    }

    fn font_px(&self) -> f32 {
        (self.size.1 as f32 / 13.5).round().max(8.0)
    }

    /// Shapes `text` on one line at `px`, shrinking it to fit `max_width`.
    fn shape(shared: &mut TextShared, text: &str, px: f32, max_width: f32) -> (Buffer, f32) {
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

    fn lay_out(
        &mut self,
        shared: &mut TextShared,
        gpu: &Gpu,
        lyrics: &Lyrics,
        index: usize,
    ) -> Result<LaidLine> {
        let line = &lyrics.lines[index];
        let max_width = self.size.0 as f32 * 0.84;
        let (buffer, width) = Self::shape(shared, &line.text, self.font_px(), max_width);
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
        let sprite = LineSprite::bake(
            gpu,
            shared,
            &mut self.baker,
            (&buffer, (width, px * 1.25)),
            style,
            (sung_colour(line.voice), colour::UNSUNG),
        )?;
        Ok(LaidLine {
            index,
            sprite,
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
        let (device, queue) = (&gpu.device, &gpu.queue);
        let (song, singer) = (inputs.song, inputs.singer);
        if size != self.size {
            self.size = size;
            self.slots = [None, None];
            self.title = None;
            self.score = None;
            self.grade = None;
            self.up_next = None;
        }
        let (width, height) = (size.0 as f32, size.1 as f32);
        self.viewport.update(
            queue,
            Resolution {
                width: size.0,
                height: size.1,
            },
        );
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
        let outline = outline_width(px);
        let full = TextBounds {
            left: 0,
            top: 0,
            right: size.0 as i32,
            bottom: size.1 as i32,
        };
        let mut areas: Vec<TextArea<'_>> = Vec::new();
        self.placed.clear();
        let mut sprites = Vec::with_capacity(2);
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
            sprites.push((&slot.sprite, left, top, wipe_x.round()));
        }
        self.draws.prepare(queue, size, &sprites);

        // Countdown dots over the next line's start, in its last seconds of an intro or break.
        let countdown = match position.phase {
            Phase::Intro { countdown, .. } | Phase::Break { countdown, .. } => countdown,
            _ => None,
        };
        if let (Some(seconds), Some(next)) = (countdown, position.next_line) {
            let dots = (seconds.ceil() as usize).clamp(1, 3);
            let text: String = std::iter::repeat_n("● ", dots).collect();
            self.dots = Self::shape(shared, text.trim_end(), px * 0.9, width).0;
            if let Some(place) = self.placed.iter().find(|p| p.index == next) {
                areas.push(TextArea {
                    buffer: &self.dots,
                    left: place.left,
                    top: place.top - px * 1.05,
                    scale: 1.0,
                    bounds: full,
                    default_color: sung_colour(lines[next].voice),
                    custom_glyphs: &[],
                });
            }
        }

        // The title card while the intro plays.
        if matches!(position.phase, Phase::Intro { .. }) {
            if self.title.is_none() {
                let meta = &song.lyrics.meta;
                let title = meta.title.clone().unwrap_or_default();
                let mut credit = meta.artist.clone().unwrap_or_default();
                if let Some(requester) = &song.requester {
                    if !credit.is_empty() {
                        credit.push_str("  ·  ");
                    }
                    credit.push_str(&format!("点歌 {requester}"));
                }
                let title = Self::shape(shared, &title, px * 1.3, width * 0.9).0;
                let credit = Self::shape(shared, &credit, px * 0.6, width * 0.9).0;
                self.title = Some((title, credit));
            }
            if let Some((title, credit)) = &self.title {
                let centred = |buffer: &Buffer| {
                    let w = buffer
                        .layout_runs()
                        .map(|r| r.line_w)
                        .fold(0.0f32, f32::max);
                    (width - w) / 2.0
                };
                for (buffer, top, colour) in [
                    (title, height * 0.37, colour::UNSUNG),
                    (credit, height * 0.37 + px * 1.9, colour::UNSUNG),
                ] {
                    let left = centred(buffer);
                    push_outlined(&mut areas, buffer, (left, top), colour, outline, full);
                }
            }
        }

        // The score in the guide's corner, and a finished line's grade under it for 1.5 s.
        if !song.lyrics.notes.is_empty() {
            let (panel_left, panel_top, panel_width, panel_height) = pitch_guide::panel(size);
            let score = singer.score.map(|s| format!("{:.0}", s.clamp(0.0, 100.0)));
            let grade = singer
                .line_grades
                .iter()
                .rev()
                .find(|(index, _)| {
                    lines.get(*index).is_some_and(|line| {
                        line.end <= at && at < line.end + SongTime::from_millis(1_500)
                    })
                })
                .map(|(_, label)| label.clone());
            for (wanted, shown, scale) in
                [(score, &mut self.score, 0.8), (grade, &mut self.grade, 0.9)]
            {
                match wanted {
                    Some(text) if shown.as_ref().is_none_or(|(t, _)| *t != text) => {
                        let buffer = Self::shape(shared, &text, px * scale, width).0;
                        *shown = Some((text, buffer));
                    }
                    Some(_) => {}
                    None => *shown = None,
                }
            }
            if let Some((_, buffer)) = &self.score {
                let w = buffer
                    .layout_runs()
                    .map(|r| r.line_w)
                    .fold(0.0f32, f32::max);
                let (left, top) = (
                    panel_left + panel_width - w - px * 0.4,
                    panel_top + px * 0.2,
                );
                push_outlined(
                    &mut areas,
                    buffer,
                    (left, top),
                    colour::GRADE,
                    outline,
                    full,
                );
            }
            if let Some((_, buffer)) = &self.grade {
                let w = buffer
                    .layout_runs()
                    .map(|r| r.line_w)
                    .fold(0.0f32, f32::max);
                let (left, top) = ((width - w) / 2.0, panel_top + panel_height + px * 0.3);
                push_outlined(
                    &mut areas,
                    buffer,
                    (left, top),
                    colour::GRADE,
                    outline,
                    full,
                );
            }
        }

        // Who sings next, over the end of the song.
        if let Some(next) = inputs
            .room
            .up_next
            .as_ref()
            .filter(|_| room::shows_up_next(inputs.room, &song.lyrics, at))
        {
            let text = format!("下一首 Up next  {} · {}", next.title, next.singer);
            if self.up_next.as_ref().is_none_or(|(t, _)| *t != text) {
                let (_, _, panel_width, _) = room::up_next_panel(size);
                let buffer = Self::shape(shared, &text, px * 0.5, panel_width - px * 0.8).0;
                self.up_next = Some((text, buffer));
            }
            if let Some((_, buffer)) = &self.up_next {
                let (left, top, _, panel_height) = room::up_next_panel(size);
                areas.push(TextArea {
                    buffer,
                    left: left + px * 0.4,
                    top: top + (panel_height - px * 0.5 * 1.25) / 2.0,
                    scale: 1.0,
                    bounds: full,
                    default_color: colour::UNSUNG,
                    custom_glyphs: &[],
                });
            }
        }

        self.renderer
            .prepare(
                device,
                queue,
                &mut shared.font_system,
                &mut shared.atlas,
                &self.viewport,
                areas,
                &mut shared.swash,
            )
            .map_err(|e| RenderError::Text(e.to_string()))
    }

    /// Draws into a pass someone else owns.
    pub(crate) fn render(
        &self,
        shared: &TextShared,
        pass: &mut wgpu::RenderPass<'_>,
    ) -> Result<()> {
        let sprites: Vec<&LineSprite> = self.slots.iter().flatten().map(|s| &s.sprite).collect();
        self.draws.render(&shared.sprites, &sprites, pass);
        self.renderer
            .render(&shared.atlas, &self.viewport, pass)
            .map_err(|e| RenderError::Text(e.to_string()))
    }
}

/// The outline's width for a font size.
fn outline_width(px: f32) -> f32 {
    (px / 22.0).round().max(2.0)
}

/// Pushes `buffer` at (`left`, `top`) with a dark outline `outline` pixels wide, then its fill.
fn push_outlined<'a>(
    areas: &mut Vec<TextArea<'a>>,
    buffer: &'a Buffer,
    (left, top): (f32, f32),
    fill: Color,
    outline: f32,
    bounds: TextBounds,
) {
    let area = |left: f32, top: f32, colour: Color| TextArea {
        buffer,
        left,
        top,
        scale: 1.0,
        bounds,
        default_color: colour,
        custom_glyphs: &[],
    };
    for (dx, dy) in OUTLINE_DIRECTIONS {
        areas.push(area(
            left + dx * outline,
            top + dy * outline,
            colour::OUTLINE,
        ));
    }
    areas.push(area(left, top, fill));
}
