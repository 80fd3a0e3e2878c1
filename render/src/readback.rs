//! Reading display frames back to the CPU without stalling the GPU: a ring of staging
//! buffers per display. A frame's copy is recorded with its render; it is mapped once the GPU
//! is done, and collected one frame later, while the next frame renders.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{RenderError, Result};
use crate::image::Image;

/// Staging buffers per display: one being written by the GPU, one being read, one spare.
const SLOTS: usize = 3;

const IDLE: u8 = 0;
const MAPPING: u8 = 1;
const MAPPED: u8 = 2;
const FAILED: u8 = 3;

struct Slot {
    buffer: wgpu::Buffer,
    state: Arc<AtomicU8>,
    /// What the caller tagged the frame with (its song time, in µs).
    tag: i64,
    pending: bool,
}

/// The staging ring of one display.
pub(crate) struct ReadbackRing {
    slots: Vec<Slot>,
    width: u32,
    height: u32,
    padded_row: u32,
    /// Slots in the order their frames were copied.
    queue: std::collections::VecDeque<usize>,
    next: usize,
}

impl ReadbackRing {
    pub(crate) fn new(device: &wgpu::Device, width: u32, height: u32) -> Self {
        let align = wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let padded_row = (width * 4).div_ceil(align) * align;
        let slots = (0..SLOTS)
            .map(|_| Slot {
                buffer: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("display read-back"),
                    size: u64::from(padded_row) * u64::from(height),
                    usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
                    mapped_at_creation: false,
                }),
                state: Arc::new(AtomicU8::new(IDLE)),
                tag: 0,
                pending: false,
            })
            .collect();
        ReadbackRing {
            slots,
            width,
            height,
            padded_row,
            queue: std::collections::VecDeque::new(),
            next: 0,
        }
    }

    /// Whether a slot is free for another copy (if not, collect a frame first).
    pub(crate) fn has_room(&self) -> bool {
        self.queue.len() < SLOTS
    }

    /// Records the copy of `texture` into the next slot; returns the slot to map after submit.
    pub(crate) fn record_copy(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
        tag: i64,
    ) -> usize {
        let index = self.next;
        self.next = (self.next + 1) % SLOTS;
        let slot = &mut self.slots[index];
        slot.tag = tag;
        slot.pending = true;
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &slot.buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(self.padded_row),
                    rows_per_image: Some(self.height),
                },
            },
            wgpu::Extent3d {
                width: self.width,
                height: self.height,
                depth_or_array_layers: 1,
            },
        );
        self.queue.push_back(index);
        index
    }

    /// Asks for the slot's buffer to be mapped once the GPU has written it (after submit).
    pub(crate) fn request_map(&mut self, index: usize) {
        let slot = &self.slots[index];
        slot.state.store(MAPPING, Ordering::Release);
        let state = Arc::clone(&slot.state);
        slot.buffer
            .map_async(wgpu::MapMode::Read, .., move |result| {
                state.store(
                    if result.is_ok() { MAPPED } else { FAILED },
                    Ordering::Release,
                );
            });
    }

    /// Collects the oldest frame copied and not yet collected into `image` (its allocation
    /// reused), returning its tag: waiting for the GPU if `wait`, else only if it is already
    /// mapped.
    pub(crate) fn collect_into(
        &mut self,
        device: &wgpu::Device,
        wait: bool,
        image: &mut Image,
    ) -> Result<Option<i64>> {
        let Some(&index) = self.queue.front() else {
            return Ok(None);
        };
        let poll = if wait {
            wgpu::PollType::wait_indefinitely()
        } else {
            wgpu::PollType::Poll
        };
        loop {
            device
                .poll(poll.clone())
                .map_err(|e| RenderError::ReadBack(e.to_string()))?;
            match self.slots[index].state.load(Ordering::Acquire) {
                MAPPED => break,
                FAILED => {
                    self.queue.pop_front();
                    self.slots[index].state.store(IDLE, Ordering::Release);
                    return Err(RenderError::ReadBack(
                        "mapping the staging buffer failed".into(),
                    ));
                }
                _ if !wait => return Ok(None),
                _ => {}
            }
        }
        self.queue.pop_front();
        let slot = &mut self.slots[index];
        let row = (self.width * 4) as usize;
        image.width = self.width;
        image.height = self.height;
        image.rgba.clear();
        image.rgba.reserve(row * self.height as usize);
        {
            let view = slot
                .buffer
                .get_mapped_range(..)
                .map_err(|e| RenderError::ReadBack(e.to_string()))?;
            for line in view.chunks_exact(self.padded_row as usize) {
                image.rgba.extend_from_slice(&line[..row]);
            }
        }
        slot.buffer.unmap();
        slot.state.store(IDLE, Ordering::Release);
        slot.pending = false;
        Ok(Some(slot.tag))
    }
}
