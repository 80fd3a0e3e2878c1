//! Outlined text baked into textures when it comes on screen (a lyric line in its sung and
//! its unsung colours, the title card, the score): shadow, outline and fill drawn once, then
//! every frame one quad per sprite, clipped to a range of columns (the wipe). On a CPU
//! rasteriser drawing ten copies of every glyph each frame (shadow, eight outline offsets,
//! the fill) was most of a frame's cost.

use bytemuck::{Pod, Zeroable};
use glyphon::{Buffer, Color, Resolution, TextArea, TextBounds, TextRenderer, Viewport};

use crate::error::{RenderError, Result};
use crate::frame::DISPLAY_FORMAT;
use crate::gpu::Gpu;
use crate::layer::pipeline::{self, PipelineSpec};
use crate::text::TextShared;

/// The eight directions an outline is drawn in.
pub(crate) const OUTLINE_DIRECTIONS: [(f32, f32); 8] = [
    (-1.0, -1.0),
    (0.0, -1.0),
    (1.0, -1.0),
    (-1.0, 0.0),
    (1.0, 0.0),
    (-1.0, 1.0),
    (0.0, 1.0),
    (1.0, 1.0),
];

/// How text is dressed: outline width and colours.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) outline: f32,
    pub(crate) outline_colour: Color,
    pub(crate) shadow_colour: Color,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Instance {
    rect: [f32; 4],
    clip: [f32; 2],
}

/// The pipeline and sampler, shared by every display.
pub(crate) struct SpritePipeline {
    pipeline: wgpu::RenderPipeline,
    screen_layout: wgpu::BindGroupLayout,
    sprite_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
}

impl SpritePipeline {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        let shader = pipeline::shader(device, "sprites", include_str!("sprite.wgsl"));
        let screen_layout = pipeline::bind_group_layout(
            device,
            "sprites screen",
            &[pipeline::uniform_entry(0, wgpu::ShaderStages::VERTEX)],
        );
        let sprite_layout = pipeline::bind_group_layout(
            device,
            "sprite",
            &[pipeline::texture_entry(0), pipeline::sampler_entry(1)],
        );
        let attributes = wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x2];
        let pipeline = pipeline::render_pipeline(
            device,
            PipelineSpec {
                label: "sprites",
                shader: &shader,
                fragment: "fs_main",
                bind_groups: &[&screen_layout, &sprite_layout],
                instances: Some(wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<Instance>() as u64,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &attributes,
                }),
                format: DISPLAY_FORMAT,
                blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
            },
        );
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("sprites"),
            mag_filter: wgpu::FilterMode::Nearest,
            min_filter: wgpu::FilterMode::Nearest,
            ..Default::default()
        });
        SpritePipeline {
            pipeline,
            screen_layout,
            sprite_layout,
            sampler,
        }
    }
}

/// Text baked into a texture.
pub(crate) struct Sprite {
    /// Texture size in pixels.
    pub(crate) size: (u32, u32),
    /// Pixels of margin around the text (for the outline and shadow).
    pub(crate) pad: u32,
    bind_group: wgpu::BindGroup,
}

impl Sprite {
    /// Draws `buffer` (shaped text, `width` × `height` pixels) dressed in `style` and filled
    /// with `fill` into a texture of its own.
    pub(crate) fn bake(
        gpu: &Gpu,
        text: &mut TextShared,
        baker: &mut SpriteBaker,
        (buffer, (width, height)): (&Buffer, (f32, f32)),
        style: Style,
        fill: Color,
    ) -> Result<Sprite> {
        let pad = (style.outline * 2.0 + 3.0).ceil() as u32;
        let size = (
            (width.ceil() as u32 + 2 * pad).max(1),
            (height.ceil() as u32 + 2 * pad).max(1),
        );
        let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("sprite"),
            size: wgpu::Extent3d {
                width: size.0,
                height: size.1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: DISPLAY_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let ink = Ink {
            buffer,
            pad: pad as f32,
            style,
            fill,
        };
        baker.draw(gpu, text, (&view, size), &ink)?;
        let bind_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("sprite"),
            layout: &text.sprites.sprite_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&view),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&text.sprites.sampler),
                },
            ],
        });
        Ok(Sprite {
            size,
            pad,
            bind_group,
        })
    }
}

/// Where a sprite goes in a frame: its text's origin in whole pixels, and the columns drawn
/// (`clip.0 <= x < clip.1`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement {
    pub(crate) left: f32,
    pub(crate) top: f32,
    pub(crate) clip: (f32, f32),
}

impl Placement {
    /// All of the sprite, at (`left`, `top`).
    pub(crate) fn whole(left: f32, top: f32) -> Placement {
        Placement {
            left,
            top,
            clip: (f32::MIN, f32::MAX),
        }
    }
}

/// The text renderer that bakes sprites (its own, so a bake never disturbs the frame's text).
pub(crate) struct SpriteBaker {
    renderer: TextRenderer,
    viewport: Viewport,
}

/// What a sprite is drawn with: the shaped text, the margin around it, its outline and
/// shadow, and its fill.
struct Ink<'a> {
    buffer: &'a Buffer,
    pad: f32,
    style: Style,
    fill: Color,
}

impl SpriteBaker {
    pub(crate) fn new(gpu: &Gpu, text: &mut TextShared) -> Self {
        SpriteBaker {
            renderer: TextRenderer::new(
                &mut text.atlas,
                &gpu.device,
                wgpu::MultisampleState::default(),
                None,
            ),
            viewport: Viewport::new(&gpu.device, &text.cache),
        }
    }

    /// Draws `ink` into `target` (of `size` pixels) and submits: baking is an upload, done
    /// when the text comes on screen, not every frame.
    fn draw(
        &mut self,
        gpu: &Gpu,
        text: &mut TextShared,
        (target, size): (&wgpu::TextureView, (u32, u32)),
        ink: &Ink,
    ) -> Result<()> {
        let Ink {
            buffer,
            pad,
            style,
            fill,
        } = *ink;
        self.viewport.update(
            &gpu.queue,
            Resolution {
                width: size.0,
                height: size.1,
            },
        );
        let bounds = TextBounds {
            left: 0,
            top: 0,
            right: size.0 as i32,
            bottom: size.1 as i32,
        };
        let area = |left: f32, top: f32, colour: Color| TextArea {
            buffer,
            left,
            top,
            scale: 1.0,
            bounds,
            default_color: colour,
            custom_glyphs: &[],
        };
        let o = style.outline;
        let mut areas = vec![area(pad + o + 1.0, pad + o + 1.0, style.shadow_colour)];
        areas.extend(
            OUTLINE_DIRECTIONS
                .iter()
                .map(|(dx, dy)| area(pad + dx * o, pad + dy * o, style.outline_colour)),
        );
        areas.push(area(pad, pad, fill));
        self.renderer
            .prepare(
                &gpu.device,
                &gpu.queue,
                &mut text.font_system,
                &mut text.atlas,
                &self.viewport,
                areas,
                &mut text.swash,
            )
            .map_err(|e| RenderError::Text(e.to_string()))?;
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("bake sprite"),
            });
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("bake sprite"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: target,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            self.renderer
                .render(&text.atlas, &self.viewport, &mut pass)
                .map_err(|e| RenderError::Text(e.to_string()))?;
        }
        gpu.queue.submit(Some(encoder.finish()));
        Ok(())
    }
}

/// One display's sprite draws for the frame.
pub(crate) struct SpriteDraws {
    screen: wgpu::Buffer,
    screen_group: wgpu::BindGroup,
    instances: wgpu::Buffer,
    count: u32,
}

/// Sprites drawn per frame at most by one [`SpriteDraws`].
const MAX_DRAWS: usize = 8;

impl SpriteDraws {
    pub(crate) fn new(gpu: &Gpu, pipeline: &SpritePipeline) -> Self {
        let screen = gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("sprites screen"),
            size: 16,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let screen_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("sprites screen"),
            layout: &pipeline.screen_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: screen.as_entire_binding(),
            }],
        });
        let instances = gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("sprites"),
            size: (MAX_DRAWS * std::mem::size_of::<Instance>()) as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        SpriteDraws {
            screen,
            screen_group,
            instances,
            count: 0,
        }
    }

    /// Uploads where the frame's sprites go, bottom to top (at most eight; the rest are not
    /// drawn). [`SpriteDraws::render`] takes the same sprites in the same order.
    pub(crate) fn prepare(
        &mut self,
        queue: &wgpu::Queue,
        size: (u32, u32),
        draws: &[(&Sprite, Placement)],
    ) {
        let screen = [size.0 as f32, size.1 as f32, 0.0, 0.0];
        queue.write_buffer(&self.screen, 0, bytemuck::cast_slice(&screen));
        let mut instances = [Instance::zeroed(); MAX_DRAWS];
        let count = draws.len().min(MAX_DRAWS);
        for (instance, (sprite, place)) in instances.iter_mut().zip(draws) {
            *instance = Instance {
                rect: [
                    place.left - sprite.pad as f32,
                    place.top - sprite.pad as f32,
                    sprite.size.0 as f32,
                    sprite.size.1 as f32,
                ],
                clip: [place.clip.0, place.clip.1],
            };
        }
        queue.write_buffer(
            &self.instances,
            0,
            bytemuck::cast_slice(&instances[..count.max(1)]),
        );
        self.count = count as u32;
    }

    /// Draws the sprites prepared into a pass someone else owns.
    pub(crate) fn render<'s>(
        &self,
        pipeline: &SpritePipeline,
        sprites: impl IntoIterator<Item = &'s Sprite>,
        pass: &mut wgpu::RenderPass<'_>,
    ) {
        if self.count == 0 {
            return;
        }
        pass.set_pipeline(&pipeline.pipeline);
        pass.set_bind_group(0, &self.screen_group, &[]);
        pass.set_vertex_buffer(0, self.instances.slice(..));
        for (i, sprite) in (0..self.count).zip(sprites) {
            pass.set_bind_group(1, &sprite.bind_group, &[]);
            pass.draw(0..6, i..i + 1);
        }
    }
}
