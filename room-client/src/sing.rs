//! `ktv sing`: a headless singer. It joins the room (or comes back as the member it is),
//! takes a mic seat, and whenever the song on stage is one of its requests it fetches the
//! song, plays it through the engine with the request's key, tempo and track, scores the
//! microphone live, tells the room where the song is (the sync leader, on the member
//! WebSocket) and what it hears (scoring events), and sends the result when the song ends.
//!
//! One task runs it all: the socket's events, the leader's deadline, the engine's reports
//! every audio block, the scorer's events and the heartbeat are inputs to one loop, so no
//! state is shared. Reports to the service (heartbeats, the result) run as tasks of their
//! own, retried while the service is away.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lyrics::Voice;
use room_protocol::{Control, Performance, Preset, RequestId, RoomView, Singer, TrackMode};
use scoring::{Difficulty, JudgeSettings, LiveEvent};
use sync::voice::Stream;
use sync::{Leader, LeaderConfig, MediaTime, SongInfo};
use tokio::sync::mpsc;

use crate::api::Api;
use crate::live_score::{LiveScorer, TAP_BLOCKS};
use crate::player::{Audio, AudioOutput, EnginePlayer, MicSource};
use crate::socket::Incoming;
use crate::songs::{self, LocalSong};
use crate::voice::VoiceSender;
use crate::{Clocks, JoinAs, Outputs, drain, join, open_socket};
use crate::{Error, Result};

/// What `ktv sing` was asked for.
#[derive(Debug, Clone)]
pub struct SingArgs {
    /// The service (`http://host:port`).
    pub server: String,
    /// The room.
    pub room: String,
    /// Who sings.
    pub join: JoinAs,
    /// Where the engine plays.
    pub output: AudioOutput,
    /// The microphone: a recording sung along (with the paced driver), or the device's input.
    pub mic: Option<PathBuf>,
    /// Songs to request on arrival, with how to sing them.
    pub request: Vec<(String, Preset)>,
    /// How strictly to judge.
    pub difficulty: Difficulty,
    /// Write the lyric video frames here.
    pub render: Option<PathBuf>,
    /// Frames a second for `render`.
    pub render_fps: f64,
    /// Where fetched songs are kept.
    pub cache: PathBuf,
    /// Log the engine's position against the wall clock here.
    pub position_log: Option<PathBuf>,
    /// Leave after singing this many songs (default: stay).
    pub songs: Option<u32>,
}

/// The song being sung.
struct OnStage {
    request: RequestId,
    song: LocalSong,
    scorer: Option<LiveScorer>,
    /// The voice to the audience.
    voice: Option<VoiceSender>,
    /// The room mix to thin listeners.
    _mix: Option<VoiceSender>,
    /// The key the music is shifted by now.
    key: f32,
}

/// Runs the singer until it has sung `args.songs` songs or `shutdown` completes.
pub async fn run(args: SingArgs, shutdown: impl Future<Output = ()>) -> Result<()> {
    let clocks = Clocks::start();
    let mut api = Api::new(&args.server)?;
    let me = join(&mut api, &args.room, &args.join)
        .await?
        .ok_or_else(|| Error::BadRequest("a singer joins with a name, not as a watcher".into()))?;
    tracing::info!(room = %args.room, member = me, "joined");
    match api.take_seat().await {
        Ok(()) => {}
        // Already seated (a returning singer), or every seat taken: say which.
        Err(e) if e.is_remote(409) => tracing::info!("seat: {e}"),
        Err(e) => return Err(e),
    }
    for (song, preset) in &args.request {
        let id = api.request(song, *preset).await?;
        tracing::info!(song, request = id, "requested");
    }

    let settings = engine::EngineSettings {
        device_bus: engine::Bus::Monitor,
        ..Default::default()
    };
    let mic = match (&args.mic, &args.output) {
        (Some(file), _) => {
            MicSource::Recording(crate::mic::read_recording(file, settings.sample_rate)?)
        }
        (None, AudioOutput::Device(_)) => MicSource::Device { channel: 0 },
        (None, AudioOutput::Paced) => MicSource::None,
    };
    let audio = Audio::start(settings, &args.output, mic, &clocks)?;
    let mut player = EnginePlayer::new(audio, clocks.clone());
    let outputs = Outputs::start(
        &mut player,
        &clocks,
        args.position_log.as_deref(),
        Arc::default(),
        args.render.as_deref().map(|dir| (dir, args.render_fps)),
    )?;
    let frames = outputs.frames.as_ref();
    let mut socket = open_socket(&api, "")?;
    let mut leader = Leader::new(LeaderConfig::default(), rand::random(), clocks.net.now());
    let (events_tx, mut events) = mpsc::channel::<LiveEvent>(256);
    let scoring = Scoring {
        difficulty: args.difficulty,
        events: events_tx,
    };
    let (fetched_tx, mut fetched) = mpsc::channel::<(RequestId, Result<LocalSong>)>(4);
    let (voice_tx, mut voice_frames) = mpsc::channel::<Vec<u8>>(64);
    let mut reports = tokio::time::interval(Duration::from_millis(5));
    reports.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut heartbeats = tokio::time::interval(Duration::from_secs(5));
    tokio::pin!(shutdown);

    let mut on_stage: Option<OnStage> = None;
    let mut fetching: Option<RequestId> = None;
    let mut sung = 0u32;
    let mut deadline = drain(&mut leader, &mut player, &socket);
    loop {
        let timer = tokio::time::sleep_until(clocks.net.instant_at(deadline));
        tokio::select! {
            () = &mut shutdown => break,
            () = timer => leader.handle_timeout(clocks.net.now()),
            incoming = socket.recv() => match incoming {
                None => break,
                Some(Incoming::Sync(message)) => leader.handle_message(clocks.net.now(), &message),
                Some(Incoming::Room(room)) => {
                    let mine = my_performance(&room, me);
                    let current = on_stage.as_ref().map(|s| s.request);
                    if current.is_some() && mine.map(|p| p.request.id) != current {
                        // Skipped by the owner, or the service gave up on us.
                        tracing::info!("the song left the stage");
                        on_stage = None;
                        leader.stop(clocks.net.now());
                        if let Some(frames) = frames {
                            frames.set_song(None);
                        }
                    }
                    if let Some(p) = mine
                        && on_stage.is_none()
                        && fetching != Some(p.request.id)
                    {
                        fetching = Some(p.request.id);
                        let (api, cache, id, tx) =
                            (api.clone(), args.cache.clone(), p.request.song_id.clone(), fetched_tx.clone());
                        let request = p.request.id;
                        tokio::spawn(async move {
                            let song = songs::fetch(&api, &cache, &id).await;
                            let _ = tx.send((request, song)).await;
                        });
                    }
                }
                Some(Incoming::Control(control)) => {
                    if let Some(stage) = on_stage.as_mut() {
                        apply_control(&control, stage, &mut leader, &mut player, &clocks, &scoring);
                    }
                }
                Some(Incoming::Connected) => tracing::info!("connected to the room"),
                Some(Incoming::Disconnected(why)) => tracing::warn!("disconnected: {why}"),
                Some(Incoming::Score(_) | Incoming::Voice(_) | Incoming::Udp { .. }) => {}
            },
            Some((request, song)) = fetched.recv() => {
                fetching = None;
                let song = match song {
                    Ok(song) => song,
                    Err(e) => {
                        tracing::error!("cannot fetch the song of request {request}: {e}");
                        continue;
                    }
                };
                let Some(p) = socket_room_check(&api, me, request).await else {
                    continue;
                };
                player.provide(&song.details.id, song.source.clone());
                let scorer = start_scorer(&mut player, &song, p.request.preset.key, &scoring)?;
                if let Some(frames) = frames {
                    frames.set_song(Some((&song.details.id, &song.lyrics, None)));
                }
                let preset = p.request.preset;
                leader.start(
                    clocks.net.now(),
                    SongInfo {
                        song_id: song.details.id.clone(),
                        media: format!("/api/songs/{}/media/accompaniment", song.details.id),
                        track_mode: sync_mode(preset.mode),
                        key: preset.key,
                        tempo: preset.tempo,
                    },
                    MediaTime::ZERO,
                );
                let voice = start_audio(&mut player, Stream::Voice, leader.song(), preset.tempo, &voice_tx);
                let mix = start_audio(&mut player, Stream::Mix, leader.song(), preset.tempo, &voice_tx);
                tracing::info!(song = %song.details.id, request, "singing");
                // The line scripts and tests wait for.
                println!("singing {} request {request}", song.details.id);
                on_stage = Some(OnStage { request, song, scorer: Some(scorer), voice, _mix: mix, key: preset.key });
            }
            Some(frame) = voice_frames.recv() => socket.send_binary(frame),
            // The singer's own scoring, shown on their screen; the room's scores are the
            // service's, judged from the voice it is sent.
            Some(event) = events.recv() => {
                if let Some(frames) = frames {
                    frames.event(&event);
                }
            }
            _ = reports.tick() => {
                if let Some(report) = player.report() {
                    leader.handle_player(clocks.net.now(), report);
                }
                let news = player.take_news();
                if let (Some(frames), Some(stage)) = (news.monitor_latency, on_stage.as_ref()) {
                    if let Some(scorer) = &stage.scorer {
                        scorer.set_monitor_latency(frames);
                    }
                    if let Some(voice) = &stage.voice {
                        voice.set_monitor_latency(frames);
                    }
                }
                if news.ended && let Some(mut stage) = on_stage.take() {
                    let result = stage.scorer.take().and_then(LiveScorer::finish);
                    // The scorer's last events (the song's), on screen.
                    while let Ok(event) = events.try_recv() {
                        if let Some(frames) = frames {
                            frames.event(&event);
                        }
                    }
                    let score = result.map(|r| r.score);
                    tracing::info!(song = %stage.song.details.id, score = ?score, "finished");
                    println!("finished {} score {}", stage.song.details.id, score.map_or("none".into(), |s| format!("{s:.1}")));
                    leader.stop(clocks.net.now());
                    if let Some(frames) = frames {
                        frames.set_song(None);
                    }
                    let reported = tokio::spawn(report_finished(api.clone(), stage.request));
                    sung += 1;
                    if args.songs.is_some_and(|n| sung >= n) {
                        let _ = reported.await;
                        break;
                    }
                }
            }
            _ = heartbeats.tick() => {
                if let Some(stage) = &on_stage {
                    let (api, request) = (api.clone(), stage.request);
                    tokio::spawn(async move {
                        if let Err(e) = api.heartbeat(request).await {
                            tracing::debug!("heartbeat: {e}");
                        }
                    });
                }
            }
        }
        deadline = drain(&mut leader, &mut player, &socket);
    }
    // A stop just said goes out with its resends before the socket closes.
    let linger = tokio::time::sleep(LINGER);
    tokio::pin!(linger);
    loop {
        let timer = tokio::time::sleep_until(clocks.net.instant_at(deadline));
        tokio::select! {
            () = &mut linger => break,
            () = timer => leader.handle_timeout(clocks.net.now()),
        }
        deadline = drain(&mut leader, &mut player, &socket);
    }
    Ok(())
}

/// How long a leaving singer keeps its socket for what it said last (a change is resent
/// 30 and 100 ms after it is made).
const LINGER: Duration = Duration::from_millis(300);

/// The performance on stage, if it is this member's.
fn my_performance(room: &RoomView, me: u64) -> Option<&Performance> {
    room.performance
        .as_ref()
        .filter(|p| p.request.singer == Singer::Member(me))
}

/// Asks the service whether `request` is still this member's song on stage (the room may
/// have moved on while the song was fetched).
async fn socket_room_check(api: &Api, me: u64, request: RequestId) -> Option<Performance> {
    match api.room().await {
        Ok(room) => my_performance(&room, me)
            .filter(|p| p.request.id == request)
            .cloned(),
        Err(e) => {
            tracing::warn!("cannot read the room: {e}");
            None
        }
    }
}

/// Starts sending song number `song`'s wet voice (`Stream::Voice`) or room mix
/// (`Stream::Mix`) to the room; audio that cannot be sent leaves the song sung (and scored)
/// all the same.
fn start_audio(
    player: &mut EnginePlayer,
    stream: Stream,
    song: u64,
    tempo: f32,
    frames: &mpsc::Sender<Vec<u8>>,
) -> Option<VoiceSender> {
    let bus = match stream {
        Stream::Voice => engine::Bus::WetVoice,
        Stream::Mix => engine::Bus::Room,
    };
    let tap = match player.engine().tap(bus, crate::voice::TAP_BLOCKS) {
        Ok(tap) => tap,
        Err(e) => {
            tracing::error!("cannot tap the {stream:?} for the audience: {e}");
            return None;
        }
    };
    match VoiceSender::start(tap, stream, song, f64::from(tempo), frames.clone()) {
        Ok(sender) => {
            if stream == Stream::Voice
                && let Some(latency) = player.monitor_latency()
            {
                sender.set_monitor_latency(latency);
            }
            Some(sender)
        }
        Err(e) => {
            tracing::error!("cannot send the {stream:?}: {e}");
            None
        }
    }
}

/// How the singer's songs are scored, and where the scorer's events go.
struct Scoring {
    difficulty: Difficulty,
    events: mpsc::Sender<LiveEvent>,
}

fn start_scorer(
    player: &mut EnginePlayer,
    song: &LocalSong,
    key: f32,
    scoring: &Scoring,
) -> Result<LiveScorer> {
    let engine = player.engine();
    let rate = engine.sample_rate();
    let tap = engine
        .tap(engine::Bus::DryVoice, TAP_BLOCKS)
        .map_err(|error| Error::Engine {
            what: "tapping the voice for scoring",
            error,
        })?;
    let judge = JudgeSettings {
        difficulty: scoring.difficulty,
        ..Default::default()
    };
    let events = scoring.events.clone();
    let scorer = LiveScorer::start(tap, &song.lyrics, Voice::P1, judge, rate, events)?;
    scorer.set_key(key);
    if let Some(frames) = player.monitor_latency() {
        scorer.set_monitor_latency(frames);
    }
    Ok(scorer)
}

fn apply_control(
    control: &Control,
    stage: &mut OnStage,
    leader: &mut Leader,
    player: &mut EnginePlayer,
    clocks: &Clocks,
    scoring: &Scoring,
) {
    let now = clocks.net.now();
    let engine = player.engine();
    let result = match control {
        Control::Pause => {
            leader.pause(now);
            Ok(())
        }
        Control::Resume => {
            leader.resume(now);
            Ok(())
        }
        Control::Restart => {
            // 重唱: from the top, judged afresh.
            leader.seek(now, MediaTime::ZERO);
            stage.scorer = None;
            let id = stage.song.details.id.clone();
            match start_scorer(player, &stage.song, stage.key, scoring) {
                Ok(scorer) => {
                    stage.scorer = Some(scorer);
                    Ok(())
                }
                Err(e) => {
                    tracing::error!(song = %id, "cannot score the restart: {e}");
                    Ok(())
                }
            }
        }
        Control::Mode { mode } => engine.set_track_mode(engine_mode(*mode)),
        Control::Key { semitones } => {
            stage.key = *semitones;
            if let Some(scorer) = &stage.scorer {
                scorer.set_key(*semitones);
            }
            engine.set_key(*semitones)
        }
        Control::MusicVolume { gain } => engine.set_level(engine::Level::Music, *gain),
        Control::MicVolume { gain } => engine.set_level(engine::Level::Voice, *gain),
        Control::Effect { preset } => {
            let preset = match preset.as_str() {
                "none" => Some(engine::Preset::Dry),
                other => other.parse().ok(),
            };
            match preset {
                Some(p) => engine.set_voice_effects(&engine::VoiceEffects::preset(p)),
                None => Ok(()),
            }
        }
    };
    if let Err(e) = result {
        tracing::warn!("the engine did not take {control:?}: {e}");
    }
}

/// Sends the song's result, retrying while the service is away (a restart); a refusal (the
/// room moved on) ends it.
async fn report_finished(api: Api, request: RequestId) {
    let mut wait = Duration::from_millis(250);
    for _ in 0..40 {
        match api.finished(request).await {
            Ok(()) => return,
            Err(e @ Error::Remote { .. }) => {
                tracing::warn!("the result was refused: {e}");
                return;
            }
            Err(e) => tracing::warn!("sending the result: {e}; retrying"),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(5));
    }
}

/// The room's track mode as the sync crate says it.
pub fn sync_mode(mode: TrackMode) -> sync::TrackMode {
    match mode {
        TrackMode::Accompaniment => sync::TrackMode::Accompaniment,
        TrackMode::Original => sync::TrackMode::Original,
        TrackMode::Guide => sync::TrackMode::Guide,
    }
}

/// The room's track mode as the engine plays it.
pub fn engine_mode(mode: TrackMode) -> engine::TrackMode {
    match mode {
        TrackMode::Accompaniment => engine::TrackMode::Accompaniment,
        TrackMode::Original => engine::TrackMode::Original,
        TrackMode::Guide => engine::TrackMode::Guide,
    }
}
