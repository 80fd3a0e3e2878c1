//! The animated background drawn when a song has no music video: a full-screen shader whose
//! only input is the song time, so a frame depends on nothing but its time.

use bytemuck::{Pod, Zeroable};

use crate::layer::pipeline::{self, PipelineSpec};

/// Vertices of the shader's grid: 32 × 18 cells of two triangles.
const GRID_VERTICES: u32 = 32 * 18 * 6;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Uniforms {
    time: f32,
    aspect: f32,
    pad: [f32; 2],
}

/// The pipeline, shared by every display of one texture format.
pub(crate) struct BackgroundPipeline {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
}

impl BackgroundPipeline {
    pub(crate) fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let shader = pipeline::shader(device, "background", include_str!("background.wgsl"));
        let layout = pipeline::bind_group_layout(
            device,
            "background",
            &[pipeline::uniform_entry(0, wgpu::ShaderStages::VERTEX)],
        );
        let pipeline = pipeline::render_pipeline(
            device,
            PipelineSpec {
                label: "background",
                shader: &shader,
                fragment: "fs_main",
                bind_groups: &[&layout],
                instances: None,
                format,
                blend: None,
            },
        );
        BackgroundPipeline { pipeline, layout }
    }
}

/// One display's background: its uniform buffer and bind group.
pub(crate) struct Background {
    uniforms: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
}

impl Background {
    pub(crate) fn new(device: &wgpu::Device, shared: &BackgroundPipeline) -> Self {
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("background uniforms"),
            size: std::mem::size_of::<Uniforms>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("background"),
            layout: &shared.layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: uniforms.as_entire_binding(),
            }],
        });
        Background {
            uniforms,
            bind_group,
        }
    }

    /// Uploads the frame's time.
    pub(crate) fn prepare(&self, queue: &wgpu::Queue, seconds: f64, width: u32, height: u32) {
        let uniforms = Uniforms {
            time: seconds as f32,
            aspect: width as f32 / height.max(1) as f32,
            pad: [0.0; 2],
        };
        queue.write_buffer(&self.uniforms, 0, bytemuck::bytes_of(&uniforms));
    }

    /// Draws into a pass someone else owns.
    pub(crate) fn render(&self, shared: &BackgroundPipeline, pass: &mut wgpu::RenderPass<'_>) {
        pass.set_pipeline(&shared.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.draw(0..GRID_VERTICES, 0..1);
    }
}
