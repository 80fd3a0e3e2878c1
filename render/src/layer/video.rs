//! The music video layer: the latest frame pushed for a display, uploaded as planes and
//! converted on the GPU, letterboxed to the display's shape.

use bytemuck::{Pod, Zeroable};

use crate::gpu::Gpu;
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
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
}

impl VideoPipeline {
    pub(crate) fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("video"),
            source: wgpu::ShaderSource::Wgsl(include_str!("video.wgsl").into()),
        });
        let texture = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: true },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("video"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
                texture(1),
                texture(2),
                texture(3),
                wgpu::BindGroupLayoutEntry {
                    binding: 4,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("video"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("video"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &shader,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &shader,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("video"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        VideoPipeline {
            pipeline,
            layout,
            sampler,
        }
    }
}

/// The planes of the frame on screen, and how they are bound.
struct Uploaded {
    kind: (bool, u32, u32),
    textures: Vec<wgpu::Texture>,
    bind_group: wgpu::BindGroup,
}

/// One display's video.
pub(crate) struct VideoLayer {
    params: wgpu::Buffer,
    uploaded: Option<Uploaded>,
    /// The time of the frame uploaded last, so the same frame is not uploaded twice.
    shown: Option<f64>,
}

impl VideoLayer {
    pub(crate) fn new(gpu: &Gpu) -> Self {
        VideoLayer {
            params: gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("video params"),
                size: std::mem::size_of::<Params>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            uploaded: None,
            shown: None,
        }
    }

    /// Whether a frame has been pushed.
    pub(crate) fn has_frame(&self) -> bool {
        self.uploaded.is_some()
    }

    /// Forgets the video (the background shows again).
    pub(crate) fn clear(&mut self) {
        self.uploaded = None;
        self.shown = None;
    }

    /// Uploads `frame` and fits it into a display of `size`.
    pub(crate) fn push(
        &mut self,
        gpu: &Gpu,
        shared: &VideoPipeline,
        frame: &VideoFrame,
        size: (u32, u32),
    ) {
        let rgba = matches!(frame.planes, Planes::Rgba(_));
        let kind = (rgba, frame.width, frame.height);
        if self.uploaded.as_ref().is_none_or(|u| u.kind != kind) {
            self.uploaded = Some(self.allocate(gpu, shared, kind));
        }
        // Letterbox: the largest rectangle of the frame's shape inside the display.
        let scale = (size.0 as f32 / frame.width.max(1) as f32)
            .min(size.1 as f32 / frame.height.max(1) as f32);
        let (w, h) = (frame.width as f32 * scale, frame.height as f32 * scale);
        let (x0, y0) = ((size.0 as f32 - w) / 2.0, (size.1 as f32 - h) / 2.0);
        let ndc = |x: f32, y: f32| (x / size.0 as f32 * 2.0 - 1.0, 1.0 - y / size.1 as f32 * 2.0);
        let (left, top) = ndc(x0, y0);
        let (right, bottom) = ndc(x0 + w, y0 + h);
        let params = Params {
            rect: [left, top, right, bottom],
            mode: u32::from(rgba),
            matrix: u32::from(frame.height > 576),
            pad: [0; 2],
        };
        gpu.queue
            .write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        if self.shown == Some(frame.time) {
            return;
        }
        self.shown = Some(frame.time);
        let Some(uploaded) = &self.uploaded else {
            return;
        };
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
        let (cw, ch) = (frame.width.div_ceil(2), frame.height.div_ceil(2));
        match &frame.planes {
            Planes::Rgba(data) => write(&uploaded.textures[0], data, frame.width, frame.height, 4),
            Planes::Yuv420 { y, u, v } => {
                write(&uploaded.textures[0], y, frame.width, frame.height, 1);
                write(&uploaded.textures[1], u, cw, ch, 1);
                write(&uploaded.textures[2], v, cw, ch, 1);
            }
        }
    }

    fn allocate(&self, gpu: &Gpu, shared: &VideoPipeline, kind: (bool, u32, u32)) -> Uploaded {
        let (rgba, width, height) = kind;
        let texture = |w: u32, h: u32, format| {
            gpu.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("video plane"),
                size: wgpu::Extent3d {
                    width: w.max(1),
                    height: h.max(1),
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                view_formats: &[],
            })
        };
        let textures = if rgba {
            vec![
                texture(width, height, wgpu::TextureFormat::Rgba8UnormSrgb),
                texture(1, 1, wgpu::TextureFormat::R8Unorm),
                texture(1, 1, wgpu::TextureFormat::R8Unorm),
            ]
        } else {
            let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
            vec![
                texture(width, height, wgpu::TextureFormat::R8Unorm),
                texture(cw, ch, wgpu::TextureFormat::R8Unorm),
                texture(cw, ch, wgpu::TextureFormat::R8Unorm),
            ]
        };
        let views: Vec<wgpu::TextureView> = textures
            .iter()
            .map(|t| t.create_view(&wgpu::TextureViewDescriptor::default()))
            .collect();
        let bind_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("video"),
            layout: &shared.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: self.params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&views[0]),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(&views[1]),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::TextureView(&views[2]),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::Sampler(&shared.sampler),
                },
            ],
        });
        Uploaded {
            kind,
            textures,
            bind_group,
        }
    }

    /// Draws into a pass someone else owns.
    pub(crate) fn render(&self, shared: &VideoPipeline, pass: &mut wgpu::RenderPass<'_>) {
        if let Some(uploaded) = &self.uploaded {
            pass.set_pipeline(&shared.pipeline);
            pass.set_bind_group(0, &uploaded.bind_group, &[]);
            pass.draw(0..6, 0..1);
        }
    }
}
