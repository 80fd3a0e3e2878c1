//! The text over the screen besides the lyric lines: the title card during the intro,
//! countdown dots before a line, the running score and line grades, and who sings next.
//! Shaped only when what it says changes: outlined text is baked into sprites as the lyric
//! lines are, the plain text (dots, up next) drawn by one glyphon renderer.

use glyphon::{Buffer, Color, Metrics, Resolution, TextArea, TextBounds, TextRenderer, Viewport};
use lyrics::{Phase, Position, SongTime};

use crate::error::{RenderError, Result};
use crate::frame::{FrameInputs, LinePlacement};
use crate::gpu::Gpu;
use crate::layer::pitch_guide;
use crate::layer::room;
use crate::layer::sprite::{Placement, Sprite, SpriteBaker, SpriteDraws, Style};
use crate::layer::style::{colour, outline_width, sung_colour};
use crate::text::{TextShared, shape_line};

/// Outlined text baked for the screen, with its width (without the sprite's margin).
struct Baked {
    sprite: Sprite,
    width: f32,
}

impl Baked {
    /// `text` at `px` (shrunk to fit `max_width`), outlined for a screen whose lyrics are
    /// `lyrics_px`, filled with `fill`.
    fn new(
        shared: &mut TextShared,
        gpu: &Gpu,
        baker: &mut SpriteBaker,
        text: &str,
        (px, max_width, lyrics_px): (f32, f32, f32),
        fill: Color,
    ) -> Result<Baked> {
        let (buffer, width) = shape_line(shared, text, px, max_width);
        let height = buffer.metrics().line_height;
        let style = Style {
            outline: outline_width(lyrics_px),
            outline_colour: colour::OUTLINE,
            shadow_colour: colour::SHADOW,
        };
        let sprite = Sprite::bake(gpu, shared, baker, (&buffer, (width, height)), style, fill)?;
        Ok(Baked { sprite, width })
    }
}

/// The baked text a frame shows, in drawing order.
#[derive(Clone, Copy)]
enum Shown {
    Title,
    Credit,
    Score,
    Grade,
}

/// The outlined text baked so far.
#[derive(Default)]
struct BakedTexts {
    title: Option<(Baked, Baked)>,
    /// What is shown, with the text it says (baked again when that changes).
    score: Option<(String, Baked)>,
    grade: Option<(String, Baked)>,
}

impl BakedTexts {
    fn sprite(&self, shown: Shown) -> Option<&Sprite> {
        let baked = match shown {
            Shown::Title => self.title.as_ref().map(|(title, _)| title),
            Shown::Credit => self.title.as_ref().map(|(_, credit)| credit),
            Shown::Score => self.score.as_ref().map(|(_, baked)| baked),
            Shown::Grade => self.grade.as_ref().map(|(_, baked)| baked),
        };
        baked.map(|b| &b.sprite)
    }
}

/// One display's text layer.
pub(crate) struct Hud {
    renderer: TextRenderer,
    viewport: Viewport,
    baker: SpriteBaker,
    draws: SpriteDraws,
    shown: Vec<Shown>,
    baked: BakedTexts,
    dots: Buffer,
    up_next: Option<(String, Buffer)>,
}

impl Hud {
    pub(crate) fn new(shared: &mut TextShared, gpu: &Gpu) -> Self {
        Hud {
            renderer: TextRenderer::new(
                &mut shared.atlas,
                &gpu.device,
                wgpu::MultisampleState::default(),
                None,
            ),
            viewport: Viewport::new(&gpu.device, &shared.cache),
            baker: SpriteBaker::new(gpu, shared),
            draws: SpriteDraws::new(gpu, &shared.sprites),
            shown: Vec::new(),
            baked: BakedTexts::default(),
            dots: Buffer::new(&mut shared.font_system, Metrics::new(10.0, 12.0)),
            up_next: None,
        }
    }

    /// Forgets what was shaped (the display changed size).
    pub(crate) fn reset(&mut self) {
        self.baked = BakedTexts::default();
        self.up_next = None;
    }

    /// Shapes what changed and uploads the frame's text. `placed` are the lyric lines on
    /// screen; `px` the lyrics' font size.
    pub(crate) fn prepare(
        &mut self,
        shared: &mut TextShared,
        gpu: &Gpu,
        inputs: &FrameInputs<'_>,
        (position, placed): (&Position, &[LinePlacement]),
        at: SongTime,
        (size, px): ((u32, u32), f32),
    ) -> Result<()> {
        let (device, queue) = (&gpu.device, &gpu.queue);
        let (song, singer) = (inputs.song, inputs.singer);
        let lines = &song.lyrics.lines;
        let (width, height) = (size.0 as f32, size.1 as f32);
        self.viewport.update(
            queue,
            Resolution {
                width: size.0,
                height: size.1,
            },
        );
        let full = TextBounds {
            left: 0,
            top: 0,
            right: size.0 as i32,
            bottom: size.1 as i32,
        };
        let mut areas: Vec<TextArea<'_>> = Vec::new();
        self.shown.clear();
        let mut placements = Vec::new();

        // Countdown dots over the next line's start, in its last seconds of an intro or break.
        let countdown = match position.phase {
            Phase::Intro { countdown, .. } | Phase::Break { countdown, .. } => countdown,
            _ => None,
        };
        if let (Some(seconds), Some(next)) = (countdown, position.next_line) {
            let dots = (seconds.ceil() as usize).clamp(1, 3);
            let text: String = std::iter::repeat_n("● ", dots).collect();
            self.dots = shape_line(shared, text.trim_end(), px * 0.9, width).0;
            if let Some(place) = placed.iter().find(|p| p.index == next) {
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
            if self.baked.title.is_none() {
                let meta = &song.lyrics.meta;
                let title = meta.title.clone().unwrap_or_default();
                let mut credit = meta.artist.clone().unwrap_or_default();
                if let Some(requester) = &song.requester {
                    if !credit.is_empty() {
                        credit.push_str("  ·  ");
                    }
                    credit.push_str(&format!("点歌 {requester}"));
                }
                let mut bake = |text: &str, scale: f32| {
                    Baked::new(
                        shared,
                        gpu,
                        &mut self.baker,
                        text,
                        (px * scale, width * 0.9, px),
                        colour::UNSUNG,
                    )
                };
                self.baked.title = Some((bake(&title, 1.3)?, bake(&credit, 0.6)?));
            }
            if let Some((title, credit)) = &self.baked.title {
                for (baked, top, shown) in [
                    (title, height * 0.37, Shown::Title),
                    (credit, height * 0.37 + px * 1.9, Shown::Credit),
                ] {
                    let left = (width - baked.width) / 2.0;
                    placements.push(Placement::whole(left.round(), top.round()));
                    self.shown.push(shown);
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
            for (wanted, shown, scale) in [
                (score, &mut self.baked.score, 0.8),
                (grade, &mut self.baked.grade, 0.9),
            ] {
                match wanted {
                    Some(text) if shown.as_ref().is_none_or(|(t, _)| *t != text) => {
                        let baked = Baked::new(
                            shared,
                            gpu,
                            &mut self.baker,
                            &text,
                            (px * scale, width, px),
                            colour::GRADE,
                        )?;
                        *shown = Some((text, baked));
                    }
                    Some(_) => {}
                    None => *shown = None,
                }
            }
            if let Some((_, baked)) = &self.baked.score {
                let left = panel_left + panel_width - baked.width - px * 0.4;
                let top = panel_top + px * 0.2;
                placements.push(Placement::whole(left.round(), top.round()));
                self.shown.push(Shown::Score);
            }
            if let Some((_, baked)) = &self.baked.grade {
                let left = (width - baked.width) / 2.0;
                let top = panel_top + panel_height + px * 0.3;
                placements.push(Placement::whole(left.round(), top.round()));
                self.shown.push(Shown::Grade);
            }
        }
        let sprites: Vec<(&Sprite, Placement)> = self
            .shown
            .iter()
            .zip(placements)
            .filter_map(|(&shown, place)| Some((self.baked.sprite(shown)?, place)))
            .collect();
        self.draws.prepare(queue, size, &sprites);

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
                let buffer = shape_line(shared, &text, px * 0.5, panel_width - px * 0.8).0;
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
        let sprites = self
            .shown
            .iter()
            .filter_map(|&shown| self.baked.sprite(shown));
        self.draws.render(&shared.sprites, sprites, pass);
        self.renderer
            .render(&shared.atlas, &self.viewport, pass)
            .map_err(|e| RenderError::Text(e.to_string()))
    }
}
