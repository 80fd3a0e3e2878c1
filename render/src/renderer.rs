//! The display registry: offscreen displays, each a texture of its own size that one song's
//! screen is rendered into for any song time, sampled by an embedder on the same device or
//! read back to the CPU through a staging ring.

use std::collections::BTreeMap;

use lyrics::SongTime;

use crate::error::{RenderError, Result};
use crate::frame::{
    DISPLAY_FORMAT, ENCODED_FORMAT, FrameInputs, LinePlacement, RoomOverlay, SingerState,
    SongScreen,
};
use crate::gpu::Gpu;
use crate::image::Image;
use crate::layer::background::{Background, BackgroundPipeline};
use crate::layer::lyrics::LyricsLayer;
use crate::layer::pitch_guide;
use crate::layer::room::{self, QrModules};
use crate::layer::shapes::Rect;
use crate::layer::shapes::{ShapePipeline, Shapes};
use crate::layer::video::{VideoLayer, VideoPipeline};
use crate::readback::ReadbackRing;
use crate::text::{TextShared, font_path};
use crate::video::VideoFrame;

/// A display's id, chosen by the caller (as scene displays are in co-watching apps).
pub type DisplayId = u32;

struct Display {
    size: (u32, u32),
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    /// The texture as [`ENCODED_FORMAT`], for the music video.
    encoded_view: wgpu::TextureView,
    background: Background,
    video: VideoLayer,
    shapes: Shapes,
    lyrics: LyricsLayer,
    readback: Option<ReadbackRing>,
}

/// Renders song screens into displays.
pub struct Renderer {
    gpu: Gpu,
    text: TextShared,
    background: BackgroundPipeline,
    shapes: ShapePipeline,
    video: VideoPipeline,
    displays: BTreeMap<DisplayId, Display>,
    song: Option<SongScreen>,
    singer: SingerState,
    room: RoomOverlay,
    qr: Option<QrModules>,
}

impl Renderer {
    /// A renderer on `gpu`, with the font from [`crate::text::font_path`].
    pub fn new(gpu: Gpu) -> Result<Renderer> {
        let text = TextShared::new(&gpu.device, &gpu.queue, DISPLAY_FORMAT, &font_path())?;
        let background = BackgroundPipeline::new(&gpu.device, DISPLAY_FORMAT);
        let shapes = ShapePipeline::new(&gpu.device, DISPLAY_FORMAT);
        let video = VideoPipeline::new(&gpu.device, ENCODED_FORMAT);
        Ok(Renderer {
            gpu,
            text,
            background,
            shapes,
            video,
            displays: BTreeMap::new(),
            song: None,
            singer: SingerState::default(),
            room: RoomOverlay::default(),
            qr: None,
        })
    }

    /// The device the display textures live on.
    pub fn gpu(&self) -> &Gpu {
        &self.gpu
    }

    /// Puts a song on every display (or none: the background alone).
    pub fn set_song(&mut self, song: Option<SongScreen>) {
        self.song = song;
        self.singer = SingerState::default();
        for display in self.displays.values_mut() {
            display.lyrics = LyricsLayer::new(&mut self.text, &self.gpu);
        }
    }

    /// What the singer has done so far (pitch trace, notes hit, grades, score), drawn from
    /// the next frame on.
    pub fn set_singer(&mut self, singer: SingerState) {
        self.singer = singer;
    }

    /// What the room shows over the song (who sings next, the join link's QR code), from
    /// the next frame on.
    pub fn set_room(&mut self, room: RoomOverlay) {
        let link = room.join_link.as_deref();
        if self.qr.as_ref().map(QrModules::link) != link {
            self.qr = link.and_then(QrModules::new);
        }
        self.room = room;
    }

    /// Creates (or resizes) display `id`. With `read_back`, every frame rendered is also
    /// copied for [`Renderer::read_frame`].
    pub fn enable_display(
        &mut self,
        id: DisplayId,
        width: u32,
        height: u32,
        read_back: bool,
    ) -> Result<()> {
        let max = self.gpu.device.limits().max_texture_dimension_2d;
        if width == 0 || height == 0 || width > max || height > max {
            return Err(RenderError::BadSize { width, height, max });
        }
        let device = &self.gpu.device;
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("display"),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: DISPLAY_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::COPY_SRC
                | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[ENCODED_FORMAT],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let encoded_view = texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(ENCODED_FORMAT),
            ..Default::default()
        });
        let display = Display {
            size: (width, height),
            texture,
            view,
            encoded_view,
            background: Background::new(device, &self.background),
            shapes: Shapes::new(device, &self.shapes),
            video: VideoLayer::new(&self.gpu),
            lyrics: LyricsLayer::new(&mut self.text, &self.gpu),
            readback: read_back.then(|| ReadbackRing::new(device, width, height)),
        };
        self.displays.insert(id, display);
        Ok(())
    }

    /// Shows `frame` of the music video on display `id` (letterboxed, under the lyrics) from
    /// the next render on, until another is pushed or [`Renderer::clear_video`]. The caller
    /// picks the frame for the song time (see [`crate::VideoDecoder::frame_at`]).
    pub fn push_video_frame(&mut self, id: DisplayId, frame: &VideoFrame) -> Result<()> {
        let display = self
            .displays
            .get_mut(&id)
            .ok_or(RenderError::UnknownDisplay(id))?;
        display
            .video
            .push(&self.gpu, &self.video, frame, display.size);
        Ok(())
    }

    /// Goes back to the animated background on display `id`.
    pub fn clear_video(&mut self, id: DisplayId) -> Result<()> {
        self.displays
            .get_mut(&id)
            .ok_or(RenderError::UnknownDisplay(id))?
            .video
            .clear();
        Ok(())
    }

    /// Removes display `id`; `false` if there was none.
    pub fn disable_display(&mut self, id: DisplayId) -> bool {
        self.displays.remove(&id).is_some()
    }

    /// The ids of the enabled displays.
    pub fn displays(&self) -> impl Iterator<Item = DisplayId> + '_ {
        self.displays.keys().copied()
    }

    /// Renders display `id` as the screen looks at song time `at`; returns its texture.
    pub fn render(&mut self, id: DisplayId, at: SongTime) -> Result<&wgpu::Texture> {
        let display = self
            .displays
            .get_mut(&id)
            .ok_or(RenderError::UnknownDisplay(id))?;
        if display.readback.as_ref().is_some_and(|r| !r.has_room()) {
            return Err(RenderError::ReadBack(format!(
                "display {id} has frames waiting: collect them with read_frame"
            )));
        }
        let (device, queue) = (&self.gpu.device, &self.gpu.queue);
        let (width, height) = display.size;
        display
            .background
            .prepare(queue, at.as_secs_f64(), width, height);
        let mut guide = match &self.song {
            Some(song) => pitch_guide::rects(&song.lyrics, &self.singer, at, display.size),
            None => Vec::new(),
        };
        if let Some(song) = &self.song
            && room::shows_up_next(&self.room, &song.lyrics, at)
        {
            let (left, top, width, height) = room::up_next_panel(display.size);
            guide.push(Rect {
                left,
                top,
                width,
                height,
                colour: [0, 0, 0, 150],
                radius: height * 0.2,
            });
        }
        if let Some(qr) = &self.qr {
            guide.extend(qr.rects(display.size));
        }
        display.shapes.prepare(device, queue, display.size, &guide);
        if let Some(song) = &self.song {
            display.lyrics.prepare(
                &mut self.text,
                &self.gpu,
                &FrameInputs {
                    song,
                    singer: &self.singer,
                    room: &self.room,
                },
                at,
                display.size,
            )?;
        }
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("display frame"),
        });
        let video = display.video.has_frame();
        if video {
            let mut pass = begin_pass(&mut encoder, &display.encoded_view, true);
            display.video.render(&self.video, &mut pass);
        }
        {
            let mut pass = begin_pass(&mut encoder, &display.view, !video);
            if !video {
                display.background.render(&self.background, &mut pass);
            }
            display.shapes.render(&self.shapes, &mut pass);
            if self.song.is_some() {
                display.lyrics.render(&self.text, &mut pass)?;
            }
        }
        let copied = display
            .readback
            .as_mut()
            .map(|ring| ring.record_copy(&mut encoder, &display.texture, at.as_micros()));
        queue.submit(Some(encoder.finish()));
        if let (Some(ring), Some(slot)) = (display.readback.as_mut(), copied) {
            ring.request_map(slot);
        }
        self.text.atlas.trim();
        Ok(&display.texture)
    }

    /// The oldest frame of display `id` rendered and not yet collected, with its song time:
    /// waiting for the GPU if `wait`, else only if it is done.
    pub fn read_frame(&mut self, id: DisplayId, wait: bool) -> Result<Option<(SongTime, Image)>> {
        let mut image = Image {
            width: 0,
            height: 0,
            rgba: Vec::new(),
        };
        Ok(self
            .read_frame_into(id, wait, &mut image)?
            .map(|at| (at, image)))
    }

    /// [`Renderer::read_frame`] into `image`, reusing its allocation (a video sink reads
    /// every frame into the same one).
    pub fn read_frame_into(
        &mut self,
        id: DisplayId,
        wait: bool,
        image: &mut Image,
    ) -> Result<Option<SongTime>> {
        let display = self
            .displays
            .get_mut(&id)
            .ok_or(RenderError::UnknownDisplay(id))?;
        let Some(ring) = display.readback.as_mut() else {
            return Err(RenderError::ReadBack(format!(
                "display {id} was enabled without read-back"
            )));
        };
        Ok(ring
            .collect_into(&self.gpu.device, wait, image)?
            .map(SongTime::from_micros))
    }

    /// Renders display `id` at `at` and waits for its pixels (tests, PNG snapshots). Frames
    /// rendered before and not collected are dropped.
    pub fn snapshot(&mut self, id: DisplayId, at: SongTime) -> Result<Image> {
        while self.read_frame(id, true)?.is_some() {}
        self.render(id, at)?;
        self.read_frame(id, true)?
            .map(|(_, image)| image)
            .ok_or_else(|| RenderError::ReadBack("the frame did not arrive".into()))
    }

    /// Where the lyrics lines were placed in display `id`'s last frame.
    pub fn placements(&self, id: DisplayId) -> Result<&[LinePlacement]> {
        Ok(self
            .displays
            .get(&id)
            .ok_or(RenderError::UnknownDisplay(id))?
            .lyrics
            .placed())
    }
}

/// A pass drawing into `view`, cleared to black first or drawing over what is there.
fn begin_pass<'e>(
    encoder: &'e mut wgpu::CommandEncoder,
    view: &wgpu::TextureView,
    clear: bool,
) -> wgpu::RenderPass<'e> {
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some("display"),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load: if clear {
                    wgpu::LoadOp::Clear(wgpu::Color::BLACK)
                } else {
                    wgpu::LoadOp::Load
                },
                store: wgpu::StoreOp::Store,
            },
        })],
        depth_stencil_attachment: None,
        timestamp_writes: None,
        occlusion_query_set: None,
        multiview_mask: None,
    })
}
