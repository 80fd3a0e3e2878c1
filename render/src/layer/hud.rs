//! The text over the screen besides the lyric lines: the title card during the intro,
//! countdown dots before a line, the running score and line grades, and who sings next.
//! Shaped only when what it says changes; drawn by one glyphon renderer.

use glyphon::{Buffer, Color, Metrics, Resolution, TextArea, TextBounds, TextRenderer, Viewport};
use lyrics::{Phase, Position, SongTime};

use crate::error::{RenderError, Result};
use crate::gpu::Gpu;
use crate::layer::line_sprite::OUTLINE_DIRECTIONS;
use crate::layer::lyrics::{FrameInputs, LinePlacement, colour, outline_width, sung_colour};
use crate::layer::pitch_guide;
use crate::layer::room;
use crate::text::{TextShared, shape_line};

/// One display's text layer.
pub(crate) struct Hud {
    renderer: TextRenderer,
    viewport: Viewport,
    title: Option<(Buffer, Buffer)>,
    dots: Buffer,
    /// What is shown, with the text it says (reshaped when that changes).
    score: Option<(String, Buffer)>,
    grade: Option<(String, Buffer)>,
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
            title: None,
            dots: Buffer::new(&mut shared.font_system, Metrics::new(10.0, 12.0)),
            score: None,
            grade: None,
            up_next: None,
        }
    }

    /// Forgets what was shaped (the display changed size).
    pub(crate) fn reset(&mut self) {
        self.title = None;
        self.score = None;
        self.grade = None;
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
        let outline = outline_width(px);
        let full = TextBounds {
            left: 0,
            top: 0,
            right: size.0 as i32,
            bottom: size.1 as i32,
        };
        let mut areas: Vec<TextArea<'_>> = Vec::new();

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
                let title = shape_line(shared, &title, px * 1.3, width * 0.9).0;
                let credit = shape_line(shared, &credit, px * 0.6, width * 0.9).0;
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
                        let buffer = shape_line(shared, &text, px * scale, width).0;
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
        self.renderer
            .render(&shared.atlas, &self.viewport, pass)
            .map_err(|e| RenderError::Text(e.to_string()))
    }
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
