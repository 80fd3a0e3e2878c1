//! The music video layer: the latest frame pushed for a display, uploaded as planes and
//! converted on the GPU, letterboxed to the display's shape.

use bytemuck::{Pod, Zeroable};

use crate::gpu::Gpu;
use crate::layer::pipeline::{self, PipelineSpec};
use crate::video::{Planes, VideoFrame};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    rect: [f32; 4],
    mode: u32,
    matrix: u32,
    pad: [u32; 2],
}

/// The pipeline, shared by every display.
pub(crate) struct VideoPipeline {
    /// Converts planes to RGB.
    pipeline: wgpu::RenderPipeline,
    /// Draws the RGB picture.
    picture: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
}

impl VideoPipeline {
    pub(crate) fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let shader = pipeline::shader(device, "video", include_str!("video.wgsl"));
        let layout = pipeline::bind_group_layout(
            device,
            "video",
            &[
                pipeline::uniform_entry(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
                pipeline::texture_entry(1),
                pipeline::texture_entry(2),
                pipeline::texture_entry(3),
                pipeline::sampler_entry(4),
            ],
        );
        let make = |fragment| {
            pipeline::render_pipeline(
                device,
                PipelineSpec {
                    label: "video",
                    shader: &shader,
                    fragment,
                    bind_groups: &[&layout],
                    instances: None,
                    format,
                    blend: None,
                },
            )
        };
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("video"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        VideoPipeline {
            pipeline: make("fs_main"),
            picture: make("fs_picture"),
            layout,
            sampler,
        }
    }
}

/// A texture with the view and bind group that draw from it.
struct Bound {
    kind: (u32, u32),
    textures: Vec<wgpu::Texture>,
    bind_group: wgpu::BindGroup,
}

/// One display's video. A YUV frame is converted once, at the video's own size, into an RGB
/// picture (a pass of its own when the frame changes); each display frame then only samples
/// that picture, letterboxed. On a CPU rasteriser converting at the display's size every
/// frame cost more than the rest of the screen.
pub(crate) struct VideoLayer {
    convert_params: wgpu::Buffer,
    draw_params: wgpu::Buffer,
    /// The Y, U and V planes, bound for the conversion pass.
    planes: Option<Bound>,
    /// The RGB picture, bound for drawing.
    picture: Option<Bound>,
    /// A 1x1 plane for the slots an RGBA draw does not use.
    blank: wgpu::TextureView,
    /// The time of the frame uploaded last, so the same frame is not converted twice.
    shown: Option<f64>,
}

fn params_buffer(gpu: &Gpu, label: &str) -> wgpu::Buffer {
    gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: std::mem::size_of::<Params>() as u64,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

fn texture(
    gpu: &Gpu,
    (w, h): (u32, u32),
    format: wgpu::TextureFormat,
    usage: wgpu::TextureUsages,
) -> wgpu::Texture {
    gpu.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("video"),
        size: wgpu::Extent3d {
            width: w.max(1),
            height: h.max(1),
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage,
        view_formats: &[],
    })
}

fn bind(
    gpu: &Gpu,
    shared: &VideoPipeline,
    params: &wgpu::Buffer,
    views: [&wgpu::TextureView; 3],
) -> wgpu::BindGroup {
    gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("video"),
        layout: &shared.layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: params.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::TextureView(views[0]),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: wgpu::BindingResource::TextureView(views[1]),
            },
            wgpu::BindGroupEntry {
                binding: 3,
                resource: wgpu::BindingResource::TextureView(views[2]),
            },
            wgpu::BindGroupEntry {
                binding: 4,
                resource: wgpu::BindingResource::Sampler(&shared.sampler),
            },
        ],
    })
}

fn view(texture: &wgpu::Texture) -> wgpu::TextureView {
    texture.create_view(&wgpu::TextureViewDescriptor::default())
}

impl VideoLayer {
    pub(crate) fn new(gpu: &Gpu) -> Self {
        let blank = texture(
            gpu,
            (1, 1),
            wgpu::TextureFormat::R8Unorm,
            wgpu::TextureUsages::TEXTURE_BINDING,
        );
        VideoLayer {
            convert_params: params_buffer(gpu, "video conversion"),
            draw_params: params_buffer(gpu, "video picture"),
            planes: None,
            picture: None,
            blank: view(&blank),
            shown: None,
        }
    }

    /// Whether a frame has been pushed.
    pub(crate) fn has_frame(&self) -> bool {
        self.picture.is_some()
    }

    /// Forgets the video (the background shows again).
    pub(crate) fn clear(&mut self) {
        self.picture = None;
        self.planes = None;
        self.shown = None;
    }

    /// Uploads `frame` (converting it if it is YUV) and fits it into a display of `size`.
    pub(crate) fn push(
        &mut self,
        gpu: &Gpu,
        shared: &VideoPipeline,
        frame: &VideoFrame,
        size: (u32, u32),
    ) {
        let kind = (frame.width, frame.height);
        if self.picture.as_ref().is_none_or(|p| p.kind != kind) {
            let picture = texture(
                gpu,
                kind,
                crate::frame::ENCODED_FORMAT,
                wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::RENDER_ATTACHMENT
                    | wgpu::TextureUsages::COPY_DST,
            );
            let bind_group = bind(
                gpu,
                shared,
                &self.draw_params,
                [&view(&picture), &self.blank, &self.blank],
            );
            self.picture = Some(Bound {
                kind,
                textures: vec![picture],
                bind_group,
            });
            self.shown = None;
        }
        // Letterbox: the largest rectangle of the frame's shape inside the display.
        let scale = (size.0 as f32 / frame.width.max(1) as f32)
            .min(size.1 as f32 / frame.height.max(1) as f32);
        let (w, h) = (frame.width as f32 * scale, frame.height as f32 * scale);
        let (x0, y0) = ((size.0 as f32 - w) / 2.0, (size.1 as f32 - h) / 2.0);
        let ndc = |x: f32, y: f32| (x / size.0 as f32 * 2.0 - 1.0, 1.0 - y / size.1 as f32 * 2.0);
        let (left, top) = ndc(x0, y0);
        let (right, bottom) = ndc(x0 + w, y0 + h);
        let draw = Params {
            rect: [left, top, right, bottom],
            mode: 1,
            matrix: 0,
            pad: [0; 2],
        };
        gpu.queue
            .write_buffer(&self.draw_params, 0, bytemuck::bytes_of(&draw));
        if self.shown == Some(frame.time) {
            return;
        }
        self.shown = Some(frame.time);
        let write = |texture: &wgpu::Texture, data: &[u8], width: u32, height: u32, bytes: u32| {
            gpu.queue.write_texture(
                texture.as_image_copy(),
                data,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(width * bytes),
                    rows_per_image: Some(height),
                },
                wgpu::Extent3d {
                    width,
                    height,
                    depth_or_array_layers: 1,
                },
            );
        };
        let Some(picture) = &self.picture else {
            return;
        };
        match &frame.planes {
            Planes::Rgba(data) => write(&picture.textures[0], data, frame.width, frame.height, 4),
            Planes::Yuv420 { y, u, v } => {
                let (cw, ch) = (frame.width.div_ceil(2), frame.height.div_ceil(2));
                if self.planes.as_ref().is_none_or(|p| p.kind != kind) {
                    let plane = |size| {
                        texture(
                            gpu,
                            size,
                            wgpu::TextureFormat::R8Unorm,
                            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                        )
                    };
                    let textures = vec![plane(kind), plane((cw, ch)), plane((cw, ch))];
                    let views: Vec<wgpu::TextureView> = textures.iter().map(view).collect();
                    let bind_group = bind(
                        gpu,
                        shared,
                        &self.convert_params,
                        [&views[0], &views[1], &views[2]],
                    );
                    self.planes = Some(Bound {
                        kind,
                        textures,
                        bind_group,
                    });
                }
                let Some(planes) = &self.planes else {
                    return;
                };
                write(&planes.textures[0], y, frame.width, frame.height, 1);
                write(&planes.textures[1], u, cw, ch, 1);
                write(&planes.textures[2], v, cw, ch, 1);
                let convert = Params {
                    rect: [-1.0, 1.0, 1.0, -1.0],
                    mode: 0,
                    matrix: u32::from(frame.height > 576),
                    pad: [0; 2],
                };
                gpu.queue
                    .write_buffer(&self.convert_params, 0, bytemuck::bytes_of(&convert));
                // The conversion is an upload, done once per video frame: its own pass.
                let target = view(&picture.textures[0]);
                let mut encoder =
                    gpu.device
                        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                            label: Some("video conversion"),
                        });
                {
                    let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                        label: Some("video conversion"),
                        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                            view: &target,
                            depth_slice: None,
                            resolve_target: None,
                            ops: wgpu::Operations {
                                load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                                store: wgpu::StoreOp::Store,
                            },
                        })],
                        depth_stencil_attachment: None,
                        timestamp_writes: None,
                        occlusion_query_set: None,
                        multiview_mask: None,
                    });
                    pass.set_pipeline(&shared.pipeline);
                    pass.set_bind_group(0, &planes.bind_group, &[]);
                    pass.draw(0..6, 0..1);
                }
                gpu.queue.submit(Some(encoder.finish()));
            }
        }
    }

    /// Draws into a pass someone else owns.
    pub(crate) fn render(&self, shared: &VideoPipeline, pass: &mut wgpu::RenderPass<'_>) {
        if let Some(picture) = &self.picture {
            pass.set_pipeline(&shared.picture);
            pass.set_bind_group(0, &picture.bind_group, &[]);
            pass.draw(0..6, 0..1);
        }
    }
}
