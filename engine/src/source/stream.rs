//! The decode thread of one song: one or two audio streams decoded in lockstep, resampled to
//! the engine's rate, packed into [`Chunk`]s for the audio thread.
//!
//! The thread waits for the audio thread's first seek, then keeps the chunk ring full,
//! sleeping briefly when it is. A seek re-aligns every stream on the exact frame: with
//! resampling, the input restarts on a frame where the input and output sample grids meet and
//! the resampler's chunks line up with a decode from the start, so the output is the very
//! samples playing through would give. Errors become events; the stream that failed plays silence and the
//! song still ends, so the callback never stalls. The thread exits when the song is dropped.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{EngineError, Result};
use crate::event::Event;
use crate::song::{SongFiles, SongSource};
use crate::source::chunk::{CHUNK_FRAMES, Chunk, DecoderCommand, TRACK_CHANNELS};
use crate::source::decode::{StreamChoice, StreamDecoder};
use crate::source::lane::{Lane, out_frames};

/// What a song's files hold, found when it is loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct SongInfo {
    /// The song's length in frames at the engine's rate, if the files say.
    pub duration_frames: Option<u64>,
    /// Sample rate of each stream, accompaniment first.
    pub sample_rates: Vec<u32>,
    /// Channel count of each stream.
    pub channels: Vec<usize>,
}

/// How long the thread sleeps when the ring is full or it has nothing to do.
const IDLE: Duration = Duration::from_millis(2);

/// Opens the song's streams (errors here are the caller's), then starts its decode thread.
pub(crate) fn spawn(
    song: &SongSource,
    engine_rate: u32,
    chunks: rtrb::Producer<Chunk>,
    control: rtrb::Consumer<DecoderCommand>,
    events: mpsc::Sender<Event>,
) -> Result<(SongInfo, JoinHandle<()>)> {
    let (lanes, layout, info) = open_lanes(song, engine_rate)?;
    let mut thread = DecodeThread {
        song: SongDecoder {
            lanes,
            layout,
            events,
            generation: 0,
            position: 0,
        },
        chunks,
        control,
        started: false,
        finished: false,
    };
    let handle = std::thread::Builder::new()
        .name("ktv-decode".into())
        .spawn(move || thread.run())
        .map_err(|e| EngineError::Device(format!("cannot start a decode thread: {e}")))?;
    Ok((info, handle))
}

/// What the song's files hold (length, rates, channels), read from their headers without
/// decoding: how a library checks a song before anyone loads it.
pub fn probe(song: &SongSource, engine_rate: u32) -> Result<SongInfo> {
    open_lanes(song, engine_rate).map(|(_, _, info)| info)
}

/// Opens the song's streams: its lanes, their layout, and what they hold.
fn open_lanes(song: &SongSource, engine_rate: u32) -> Result<(Vec<Lane>, Layout, SongInfo)> {
    let (decoders, layout) = match &song.files {
        SongFiles::TwoFiles {
            accompaniment,
            original,
        } => (
            vec![
                StreamDecoder::open(accompaniment, StreamChoice::Default)?,
                StreamDecoder::open(original, StreamChoice::Default)?,
            ],
            Layout::TwoStreams,
        ),
        SongFiles::TwoStreams {
            file,
            accompaniment,
            original,
        } => (
            // Two readers of one file: each seeks on its own, at the cost of reading twice.
            vec![
                StreamDecoder::open(file, StreamChoice::Index(*accompaniment))?,
                StreamDecoder::open(file, StreamChoice::Index(*original))?,
            ],
            Layout::TwoStreams,
        ),
        SongFiles::StereoSplit { file } => (
            vec![StreamDecoder::open(file, StreamChoice::Default)?],
            Layout::StereoSplit,
        ),
        SongFiles::AccompanimentOnly { file } => (
            vec![StreamDecoder::open(file, StreamChoice::Default)?],
            Layout::AccompanimentOnly,
        ),
    };
    let info = SongInfo {
        duration_frames: decoders
            .iter()
            .map(|d| {
                d.length()
                    .map(|l| out_frames(l, d.sample_rate(), engine_rate))
            })
            .collect::<Option<Vec<u64>>>()
            .and_then(|lengths| lengths.into_iter().max()),
        sample_rates: decoders.iter().map(StreamDecoder::sample_rate).collect(),
        channels: decoders.iter().map(StreamDecoder::channels).collect(),
    };
    let lanes = decoders
        .into_iter()
        .map(|decoder| Lane::new(decoder, engine_rate))
        .collect::<Result<Vec<_>>>()?;
    Ok((lanes, layout, info))
}

/// How streams map onto the chunk's four channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Lane 0 is the accompaniment, lane 1 the original.
    TwoStreams,
    /// One lane: left is the accompaniment, right the original.
    StereoSplit,
    /// One lane, played as both.
    AccompanimentOnly,
}

/// A song's streams, packed into chunks on demand: the decode thread's work, also usable on
/// the calling thread ([`decode_to_end`]).
struct SongDecoder {
    lanes: Vec<Lane>,
    layout: Layout,
    events: mpsc::Sender<Event>,
    generation: u32,
    /// The song frame (engine rate) of the next frame to pack.
    position: i64,
}

struct DecodeThread {
    song: SongDecoder,
    chunks: rtrb::Producer<Chunk>,
    control: rtrb::Consumer<DecoderCommand>,
    started: bool,
    finished: bool,
}

impl DecodeThread {
    fn run(&mut self) {
        loop {
            if self.chunks.is_abandoned() {
                return;
            }
            let mut seek = None;
            while let Ok(command) = self.control.pop() {
                seek = Some(command);
            }
            if let Some(DecoderCommand::Seek { frame, generation }) = seek {
                self.song.seek(frame, generation);
                self.started = true;
                self.finished = false;
            }
            if !self.started || self.finished || self.chunks.is_full() {
                std::thread::sleep(IDLE);
                continue;
            }
            let chunk = self.song.next_chunk();
            self.finished = chunk.last;
            // The ring had room; the audio thread only ever frees slots.
            let _ = self.chunks.push(chunk);
        }
    }
}

/// Decodes `song` from start to end on the calling thread, through the same streams,
/// resampling and packing the engine plays, handing each chunk's frames to `sink`
/// (interleaved: accompaniment L, R, original L, R). Returns the song's length in frames.
/// For offline analysis of songs and for benchmarks.
pub fn decode_to_end(
    song: &SongSource,
    engine_rate: u32,
    mut sink: impl FnMut(&[f32]),
) -> Result<u64> {
    let (events, errors) = mpsc::channel();
    let (lanes, layout, _) = open_lanes(song, engine_rate)?;
    let mut decoder = SongDecoder {
        lanes,
        layout,
        events,
        generation: 0,
        position: 0,
    };
    decoder.seek(0, 0);
    let mut frames = 0u64;
    loop {
        let chunk = decoder.next_chunk();
        sink(&chunk.samples[..chunk.frames as usize * TRACK_CHANNELS]);
        frames += u64::from(chunk.frames);
        if let Ok(Event::DecodeError(reason)) = errors.try_recv() {
            return Err(EngineError::Decode {
                path: song_path(song).to_owned(),
                reason,
            });
        }
        if chunk.last {
            return Ok(frames);
        }
    }
}

/// The song's first file, for messages.
fn song_path(song: &SongSource) -> &std::path::Path {
    match &song.files {
        SongFiles::TwoFiles { accompaniment, .. } => accompaniment,
        SongFiles::TwoStreams { file, .. }
        | SongFiles::StereoSplit { file }
        | SongFiles::AccompanimentOnly { file } => file,
    }
}

impl SongDecoder {
    fn seek(&mut self, frame: i64, generation: u32) {
        self.generation = generation;
        self.position = frame;
        for i in 0..self.lanes.len() {
            if let Err(error) = self.lanes[i].seek(frame) {
                self.fail(i, error);
            }
        }
    }

    /// Reports a lane's error; the lane plays silence from here.
    fn fail(&mut self, lane: usize, error: EngineError) {
        self.lanes[lane].ended = true;
        let _ = self.events.send(Event::DecodeError(error.to_string()));
    }

    fn next_chunk(&mut self) -> Chunk {
        let mut chunk = Chunk::empty(self.generation, self.position);
        while !chunk.is_full() {
            let want = CHUNK_FRAMES - chunk.frames as usize;
            for i in 0..self.lanes.len() {
                if let Err(error) = self.lanes[i].fill(want) {
                    self.fail(i, error);
                }
                if let Some((at, length)) = self.lanes[i].truncated.take() {
                    let lane = &self.lanes[i];
                    let rate = f64::from(lane.decoder.sample_rate());
                    let _ = self.events.send(Event::DecodeError(format!(
                        "{} ends at {:.1} s of {:.1} s: the file is truncated or was cut while playing; silence follows",
                        lane.decoder.path().display(),
                        at as f64 / rate,
                        length as f64 / rate
                    )));
                }
            }
            // Streams that ended early play silence until the longest ends.
            let song_end = self.lanes.iter().filter_map(|l| l.end_frame).max();
            let live: Vec<usize> = self
                .lanes
                .iter()
                .filter(|l| !l.finished())
                .map(Lane::available)
                .collect();
            let frames = match live.iter().min() {
                Some(&n) => n.min(want),
                None => {
                    // Every stream has finished: pad to the longest, then end.
                    let left = song_end.map_or(0, |end| (end - self.position).max(0) as usize);
                    if left == 0 {
                        chunk.last = true;
                        break;
                    }
                    left.min(want)
                }
            };
            if frames == 0 {
                break;
            }
            self.pack(&mut chunk, frames);
        }
        chunk
    }

    /// Moves `frames` frames from the lanes into the chunk in the layout's channel order.
    fn pack(&mut self, chunk: &mut Chunk, frames: usize) {
        let base = chunk.frames as usize;
        for f in 0..frames {
            let at = (base + f) * TRACK_CHANNELS;
            let out = &mut chunk.samples[at..at + TRACK_CHANNELS];
            let (a, b) = match self.layout {
                Layout::TwoStreams => (self.lanes[0].take(), self.lanes[1].take()),
                Layout::StereoSplit => {
                    let [l, r] = self.lanes[0].take();
                    ([l, l], [r, r])
                }
                Layout::AccompanimentOnly => {
                    let frame = self.lanes[0].take();
                    (frame, frame)
                }
            };
            out.copy_from_slice(&[a[0], a[1], b[0], b[1]]);
        }
        chunk.frames += frames as u32;
        self.position += frames as i64;
    }
}
