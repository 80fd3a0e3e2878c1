//! The graphics device: chosen from the environment as wgpu's own tests do
//! (`WGPU_BACKEND`, `WGPU_ADAPTER_NAME`), so lavapipe in CI and a real GPU elsewhere need no
//! code change.

use crate::error::{RenderError, Result};

/// The device and queue every display renders with.
pub struct Gpu {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
}

impl Gpu {
    /// Opens the adapter the environment names, or the default one.
    pub fn new() -> Result<Gpu> {
        // Vulkan, Metal or DX12 unless WGPU_BACKEND asks for another: probing GL on a machine
        // without a display only logs EGL errors.
        let descriptor = wgpu::InstanceDescriptor {
            backends: wgpu::Backends::PRIMARY,
            ..wgpu::InstanceDescriptor::new_without_display_handle()
        }
        .with_env();
        let instance = wgpu::Instance::new(descriptor);
        let adapter = pollster::block_on(wgpu::util::initialize_adapter_from_env_or_default(
            &instance, None,
        ))
        .map_err(|e| RenderError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("ktv render"),
            ..Default::default()
        }))
        .map_err(|e| RenderError::Device {
            adapter: info.name.clone(),
            reason: e.to_string(),
        })?;
        Ok(Gpu {
            device,
            queue,
            info,
        })
    }

    /// The adapter's name and back end, e.g. "llvmpipe (LLVM 15.0.6, 256 bits) on Vulkan".
    pub fn describe(&self) -> String {
        format!("{} on {:?}", self.info.name, self.info.backend)
    }

    /// The device, for an embedder that samples display textures.
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }
}
