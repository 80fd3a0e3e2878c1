//! Rounded rectangles in display pixels, drawn as instances: the pitch guide's notes, the
//! singer's pitch trace and panels. Prepared (uploaded) once per frame, drawn into a pass
//! the renderer owns.

use bytemuck::{Pod, Zeroable};

use crate::layer::pipeline::{self, PipelineSpec};

/// One rectangle: where, what colour (sRGB, 0..=255 with alpha) and how round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge, pixels.
    pub left: f32,
    /// Top edge, pixels.
    pub top: f32,
    /// Width, pixels.
    pub width: f32,
    /// Height, pixels.
    pub height: f32,
    /// Colour, sRGB with alpha.
    pub colour: [u8; 4],
    /// Corner radius, pixels.
    pub radius: f32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Instance {
    rect: [f32; 4],
    colour: [f32; 4],
    radius: f32,
    pad: [f32; 3],
}

fn linear(channel: u8) -> f32 {
    let c = f32::from(channel) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// The pipeline, shared by every display of one format.
pub(crate) struct ShapePipeline {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
}

impl ShapePipeline {
    pub(crate) fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let shader = pipeline::shader(device, "shapes", include_str!("shapes.wgsl"));
        let layout = pipeline::bind_group_layout(
            device,
            "shapes",
            &[pipeline::uniform_entry(0, wgpu::ShaderStages::VERTEX)],
        );
        let attributes = wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4, 2 => Float32];
        let pipeline = pipeline::render_pipeline(
            device,
            PipelineSpec {
                label: "shapes",
                shader: &shader,
                fragment: "fs_main",
                bind_groups: &[&layout],
                instances: Some(wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<Instance>() as u64,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &attributes,
                }),
                format,
                blend: Some(wgpu::BlendState::ALPHA_BLENDING),
            },
        );
        ShapePipeline { pipeline, layout }
    }
}

/// One display's rectangles for the frame.
pub(crate) struct Shapes {
    screen: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    instances: wgpu::Buffer,
    capacity: usize,
    count: u32,
    staging: Vec<Instance>,
}

impl Shapes {
    pub(crate) fn new(device: &wgpu::Device, shared: &ShapePipeline) -> Self {
        let screen = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("shapes screen"),
            size: 16,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shapes"),
            layout: &shared.layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: screen.as_entire_binding(),
            }],
        });
        let capacity = 256;
        Shapes {
            screen,
            bind_group,
            instances: Self::instance_buffer(device, capacity),
            capacity,
            count: 0,
            staging: Vec::with_capacity(capacity),
        }
    }

    fn instance_buffer(device: &wgpu::Device, capacity: usize) -> wgpu::Buffer {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("shapes instances"),
            size: (capacity * std::mem::size_of::<Instance>()) as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// Uploads the frame's rectangles (the buffer grows when a frame needs more).
    pub(crate) fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        size: (u32, u32),
        rects: &[Rect],
    ) {
        let screen = [size.0 as f32, size.1 as f32, 0.0, 0.0];
        queue.write_buffer(&self.screen, 0, bytemuck::cast_slice(&screen));
        self.staging.clear();
        self.staging.extend(rects.iter().map(|r| Instance {
            rect: [r.left, r.top, r.width, r.height],
            colour: [
                linear(r.colour[0]),
                linear(r.colour[1]),
                linear(r.colour[2]),
                f32::from(r.colour[3]) / 255.0,
            ],
            radius: r.radius,
            pad: [0.0; 3],
        }));
        if self.staging.len() > self.capacity {
            self.capacity = self.staging.len().next_power_of_two();
            self.instances = Self::instance_buffer(device, self.capacity);
        }
        if !self.staging.is_empty() {
            queue.write_buffer(&self.instances, 0, bytemuck::cast_slice(&self.staging));
        }
        self.count = self.staging.len() as u32;
    }

    /// Draws into a pass someone else owns.
    pub(crate) fn render(&self, shared: &ShapePipeline, pass: &mut wgpu::RenderPass<'_>) {
        if self.count == 0 {
            return;
        }
        pass.set_pipeline(&shared.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.set_vertex_buffer(0, self.instances.slice(..));
        pass.draw(0..6, 0..self.count);
    }
}
