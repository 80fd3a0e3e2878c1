//! The lyric video a client would show (`--render DIR`): a thread with its own renderer
//! (the GPU, or lavapipe on the CPU) draws the song at the engine's position a few times a
//! second, with the singer's live scoring on the pitch guide, and writes each frame as
//! `DIR/<song>-<position ms>.png`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use engine::PositionClock;
use lyrics::Lyrics;
use render::SingerState;
use scoring::LiveEvent;

use crate::Clocks;
use crate::time::frames_to_song;
use crate::{Error, Result};

/// What the frame writer is told.
enum Input {
    Song {
        id: String,
        lyrics: Box<Lyrics>,
        requester: Option<String>,
    },
    NoSong,
    Event(LiveEvent),
}

/// Folds a live scoring event into what the pitch guide and score show: the trace, the notes
/// hit, each line's grade and the mean of the lines' scores so far.
pub fn fold(singer: &mut SingerState, lines: &mut Vec<f32>, event: &LiveEvent) {
    match event {
        LiveEvent::Pitch {
            time,
            midi: Some(midi),
            ..
        } => singer.trace.push((*time, *midi)),
        LiveEvent::Note { index, credit, .. } if *credit >= 0.5 => singer.hit_notes.push(*index),
        LiveEvent::Line {
            index,
            score,
            grade,
            ..
        } => {
            singer.line_grades.push((*index, format!("{grade:?}")));
            lines.push(*score);
            singer.score = Some(lines.iter().sum::<f32>() / lines.len() as f32);
        }
        LiveEvent::Song { score, .. } => singer.score = Some(*score),
        _ => {}
    }
}

/// Writes frames until dropped.
pub struct FrameWriter {
    input: Option<Sender<Input>>,
    thread: Option<JoinHandle<()>>,
}

impl FrameWriter {
    /// Starts writing `fps` frames a second of `width`×`height` into `dir`.
    pub fn start(
        dir: PathBuf,
        (width, height): (u32, u32),
        fps: f64,
        position: Arc<PositionClock>,
        clocks: Clocks,
    ) -> Result<FrameWriter> {
        std::fs::create_dir_all(&dir).map_err(|error| Error::File {
            path: dir.clone(),
            error,
        })?;
        let (input, inputs) = mpsc::channel();
        let every = Duration::from_secs_f64(1.0 / fps.clamp(0.1, 60.0));
        let thread = std::thread::Builder::new()
            .name("ktv-frames".into())
            .spawn(move || {
                if let Err(e) =
                    write_frames(&dir, (width, height), every, &position, &clocks, &inputs)
                {
                    tracing::error!("the lyric video stopped: {e}");
                }
            })
            .map_err(|e| Error::Internal(format!("cannot start the frame writer: {e}")))?;
        Ok(FrameWriter {
            input: Some(input),
            thread: Some(thread),
        })
    }

    /// The song on screen from now on (`None`: nothing).
    pub fn set_song(&self, song: Option<(&str, &Lyrics, Option<String>)>) {
        let input = match song {
            Some((id, lyrics, requester)) => Input::Song {
                id: id.to_owned(),
                lyrics: Box::new(lyrics.clone()),
                requester,
            },
            None => Input::NoSong,
        };
        if let Some(tx) = &self.input {
            let _ = tx.send(input);
        }
    }

    /// A scoring event to show.
    pub fn event(&self, event: &LiveEvent) {
        if let Some(tx) = &self.input {
            let _ = tx.send(Input::Event(event.clone()));
        }
    }
}

impl Drop for FrameWriter {
    fn drop(&mut self) {
        self.input = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn write_frames(
    dir: &std::path::Path,
    (width, height): (u32, u32),
    every: Duration,
    position: &PositionClock,
    clocks: &Clocks,
    inputs: &Receiver<Input>,
) -> std::result::Result<(), render::RenderError> {
    let mut renderer = render::Renderer::new(render::Gpu::new()?)?;
    renderer.enable_display(0, width, height, true)?;
    let mut song: Option<String> = None;
    let mut singer = SingerState::default();
    let mut lines = Vec::new();
    let mut due = std::time::Instant::now() + every;
    loop {
        // Inputs come many times a second (pitch events): frames are drawn on their own beat.
        let wait = due.saturating_duration_since(std::time::Instant::now());
        match inputs.recv_timeout(wait) {
            Ok(Input::Song {
                id,
                lyrics,
                requester,
            }) => {
                renderer.set_song(Some(render::SongScreen::new(*lyrics, requester)));
                singer = SingerState::default();
                lines.clear();
                song = Some(id);
            }
            Ok(Input::NoSong) => {
                renderer.set_song(None);
                song = None;
            }
            Ok(Input::Event(event)) => {
                fold(&mut singer, &mut lines, &event);
                renderer.set_singer(singer.clone());
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
            Err(RecvTimeoutError::Timeout) => {}
        }
        if std::time::Instant::now() < due {
            continue;
        }
        due += every;
        let Some(id) = &song else { continue };
        let reading = position.read();
        if reading.frames_per_second <= 0.0 {
            continue;
        }
        let at = frames_to_song(
            reading.position_at(clocks.engine.now()),
            reading.sample_rate,
        );
        let path = dir.join(format!("{id}-{:08}.png", at.as_micros() / 1000));
        renderer.snapshot(0, at)?.save_png(&path)?;
        // A slow frame (the CPU renderer) is not caught up on: the next is due from now.
        due = due.max(std::time::Instant::now());
    }
}
