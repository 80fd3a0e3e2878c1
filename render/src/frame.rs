//! What a frame is drawn from and into, shared by the renderer and every layer: the display
//! textures' formats, the inputs a frame is a function of besides the song time (the song on
//! screen, the singer's state, the room's overlays), and where the lyrics layer placed its
//! lines (what the hud places its text around).

use lyrics::{Lyrics, SongTime, Timeline};

/// The format of every display texture: 8-bit RGBA, sRGB-encoded.
pub const DISPLAY_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// The same bytes seen without the sRGB curve: the music video, already sRGB-encoded, is
/// drawn through a view of this format, so no pixel of it is decoded and encoded again (on a
/// CPU rasteriser those conversions cost more than the draw itself).
pub(crate) const ENCODED_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// The song on screen: lyrics, their timeline and who asked for it.
pub struct SongScreen {
    pub(crate) lyrics: Lyrics,
    pub(crate) timeline: Timeline,
    pub(crate) requester: Option<String>,
}

impl SongScreen {
    /// A song's lyrics, with the name of the singer who requested it for the title card.
    pub fn new(lyrics: Lyrics, requester: Option<String>) -> Self {
        let timeline = Timeline::new(&lyrics);
        SongScreen {
            lyrics,
            timeline,
            requester,
        }
    }
}

/// What the singer has done so far, as the app learns it from scoring's live events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SingerState {
    /// Detected pitch, voiced frames only, in time order: (song time, MIDI note).
    pub trace: Vec<(SongTime, f32)>,
    /// Indices into the lyrics' notes that the singer hit.
    pub hit_notes: Vec<usize>,
    /// Grades of finished lines: (line index, what to show, e.g. "Perfect").
    pub line_grades: Vec<(usize, String)>,
    /// The running score, 0..=100.
    pub score: Option<f32>,
}

/// What the room shows over the song.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoomOverlay {
    /// The next song and who sings it, shown over the last 15 s of this song's lines.
    pub up_next: Option<UpNext>,
    /// The room's join link, shown as a QR code in the bottom-left corner.
    pub join_link: Option<String>,
}

/// The next song in the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct UpNext {
    /// Its title.
    pub title: String,
    /// Who sings it.
    pub singer: String,
}

/// Where a line sits and how far it is sung, in display pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinePlacement {
    /// The line's index in the lyrics.
    pub index: usize,
    /// Its left edge.
    pub left: f32,
    /// Its top edge.
    pub top: f32,
    /// Its width.
    pub width: f32,
    /// The wipe's x: sung to the left of it.
    pub wipe: f32,
}

/// What a frame draws besides the time: the song, the singer's state, the room's overlays.
pub(crate) struct FrameInputs<'a> {
    pub(crate) song: &'a SongScreen,
    pub(crate) singer: &'a SingerState,
    pub(crate) room: &'a RoomOverlay,
}
