//! `ktv listen`: a headless listener. It joins the room as audience, fetches the song on
//! stage (and the one up next) ahead of time, and lets the sync follower steer its engine so
//! the song plays in step with the singer, whose timeline the room relays; the key and track
//! the room's controls set are applied here too. Every few seconds it logs how far its
//! engine is from where the follower says the singer is.
//!
//! As with the singer, one task runs everything and the socket reconnects underneath: the
//! follower keeps its clock estimate and the engine keeps playing through a dropped
//! connection or a service restart, and steers again from the first beat after.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use room_protocol::Control;
use sync::{Follower, FollowerConfig, TimeDelta};
use tokio::sync::mpsc;

use crate::Result;
use crate::api::Api;
use crate::frames::fold;
use crate::player::{Audio, AudioOutput, EnginePlayer, MicSource};
use crate::position_log::Behind;
use crate::sing::engine_mode;
use crate::socket::Incoming;
use crate::songs::{self, LocalSong};
use crate::udp::UdpAudio;
use crate::voice::VoiceReceiver;
use crate::{Clocks, JoinAs, Outputs, drain, join, open_socket};

/// What `ktv listen` was asked for.
#[derive(Debug, Clone)]
pub struct ListenArgs {
    /// The service (`http://host:port`).
    pub server: String,
    /// The room.
    pub room: String,
    /// Who listens.
    pub join: JoinAs,
    /// Where the engine plays.
    pub output: AudioOutput,
    /// Write the lyric video frames here.
    pub render: Option<PathBuf>,
    /// Frames a second for `render`.
    pub render_fps: f64,
    /// Where fetched songs are kept.
    pub cache: PathBuf,
    /// Log the engine's position against the wall clock here.
    pub position_log: Option<PathBuf>,
    /// How often the alignment error is logged.
    pub report_every: Duration,
    /// Record what this listener plays as two stems here: `music.wav` and `voice.wav`.
    pub stems: Option<PathBuf>,
    /// Take the voice over the room's UDP path when it offers one.
    pub udp: bool,
    /// Where the room's UDP port is, if not the server's host at the port it offers.
    pub udp_address: Option<std::net::SocketAddr>,
}

/// Taken beyond what the voice needs when the delay rises (see the delay rule in [`run`]).
const DELAY_HEADROOM: TimeDelta = TimeDelta::from_millis(30);

/// Runs the listener until `shutdown` completes.
pub async fn run(args: ListenArgs, shutdown: impl Future<Output = ()>) -> Result<()> {
    let clocks = Clocks::start();
    let mut api = Api::new(&args.server)?;
    let me = join(&mut api, &args.room, &args.join).await?;
    match me {
        Some(member) => tracing::info!(room = %args.room, member, "joined"),
        None => tracing::info!(room = %args.room, "watching"),
    }

    let settings = engine::EngineSettings {
        // What the room hears: with a guide vocal, the accompaniment alone.
        device_bus: engine::Bus::Room,
        ..Default::default()
    };
    let audio = Audio::start(settings, &args.output, MicSource::None, &clocks)?;
    let mut player = EnginePlayer::new(audio, clocks.clone());
    let engine_error = |what| move |error| crate::Error::Engine { what, error };
    // The singer's voice, mixed where it was sung; the monitor bus carries the music alone
    // (the stem recorded beside the voice).
    let engine = player.engine();
    let mut voice = VoiceReceiver::new(
        engine
            .add_remote_voice()
            .map_err(engine_error("adding the singer's voice"))?,
    )?;
    engine
        .set_level(engine::Level::MonitorVoice, 0.0)
        .map_err(engine_error("setting the monitor's voice level"))?;
    let recording = match &args.stems {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|error| crate::Error::File {
                path: dir.clone(),
                error,
            })?;
            let targets = [
                engine::record::RecordTarget {
                    bus: engine::Bus::Monitor,
                    path: dir.join("music.wav"),
                },
                engine::record::RecordTarget {
                    bus: engine::Bus::WetVoice,
                    path: dir.join("voice.wav"),
                },
            ];
            Some(
                engine
                    .record(&targets)
                    .map_err(engine_error("recording the stems"))?,
            )
        }
        None => None,
    };
    let behind = Arc::new(Behind::default());
    let outputs = Outputs::start(
        &mut player,
        &clocks,
        args.position_log.as_deref(),
        Arc::clone(&behind),
        args.render.as_deref().map(|dir| (dir, args.render_fps)),
    )?;
    let frames = outputs.frames.as_ref();
    let mut socket = open_socket(&api, if args.udp { "&udp=1" } else { "" })?;
    // The voice over UDP, once the room offers its path.
    let (udp_tx, mut udp_frames) = mpsc::channel::<Vec<u8>>(64);
    let mut udp: Option<UdpAudio> = None;
    let mut udp_frames_before = 0;
    let mut delay_known = false;
    let mut follower = Follower::new(FollowerConfig::default(), clocks.net.now());
    let (fetched_tx, mut fetched) = mpsc::channel::<(String, Result<LocalSong>)>(4);
    let mut fetching: Vec<String> = Vec::new();
    let mut lyrics: std::collections::HashMap<String, lyrics::Lyrics> = Default::default();
    let mut reports = tokio::time::interval(Duration::from_millis(5));
    reports.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut summaries = tokio::time::interval(args.report_every);
    let mut delays = tokio::time::interval(Duration::from_millis(250));
    let mut errors: Vec<f64> = Vec::new();
    let mut on_screen: Option<String> = None;
    let mut singer = render::SingerState::default();
    let mut lines = Vec::new();
    tokio::pin!(shutdown);

    let mut deadline = drain(&mut follower, &mut player, &socket);
    loop {
        let timer = tokio::time::sleep_until(clocks.net.instant_at(deadline));
        // A song the follower asked for that is not here: fetch it.
        if let Some(id) = player.wanted().map(str::to_owned) {
            fetch(&api, &args.cache, &id, &mut fetching, &fetched_tx);
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = timer => follower.handle_timeout(clocks.net.now()),
            incoming = socket.recv() => match incoming {
                None => break,
                Some(Incoming::Sync(message)) => follower.handle_message(clocks.net.now(), &message),
                Some(Incoming::Room(room)) => {
                    // The song on stage and the one up next, ahead of their start.
                    let soon = room
                        .performance
                        .iter()
                        .map(|p| &p.request)
                        .chain(room.queue.waiting.first())
                        .map(|r| r.song_id.clone());
                    for id in soon {
                        if !player.has(&id) {
                            fetch(&api, &args.cache, &id, &mut fetching, &fetched_tx);
                        }
                    }
                }
                Some(Incoming::Control(control)) => apply_control(&control, &mut player),
                Some(Incoming::Score(event)) => {
                    if let Some(frames) = frames {
                        frames.event(&event);
                    }
                    fold(&mut singer, &mut lines, &event);
                }
                Some(Incoming::Voice(bytes)) => receive_voice(&bytes, &follower, &mut player, &mut voice, &clocks),
                Some(Incoming::Udp { port, ticket }) => {
                    // A new connection's offer: its ticket replaces the last one.
                    udp_frames_before += udp.take().map_or(0, |u| u.frames.load(Ordering::Relaxed));
                    match udp_target(&args, port).await {
                        Some(room) => udp = UdpAudio::start(room, &ticket, udp_tx.clone()),
                        None => tracing::warn!("cannot find the room's UDP port"),
                    }
                }
                Some(Incoming::Connected) => tracing::info!("connected to the room"),
                Some(Incoming::Disconnected(why)) => tracing::warn!("disconnected: {why}"),
            },
            _ = delays.tick() => {
                // Behind the singer by what the voice needs to come in time. The first estimate
                // and any rise over 60 ms at once (a restart: one skip in the music), with
                // headroom: slewed, a rise of 50 ms takes 20 s with the voice late and dropped
                // all along (a stem scored 66). Smaller rises slewed (each jump is a skip).
                // Less only when it has come well ahead for a while, slewed (a drift the
                // follower follows a few milliseconds behind).
                if let Some(needed) = voice.needed_delay() {
                    let now = clocks.net.now();
                    let set = follower.config().extra_delay;
                    if !delay_known || needed > set + TimeDelta::from_millis(60) {
                        follower.jump_extra_delay(now, needed + DELAY_HEADROOM);
                        delay_known = true;
                    } else if needed > set
                        || needed + DELAY_HEADROOM + TimeDelta::from_millis(40) < set
                    {
                        follower.set_extra_delay(now, needed + DELAY_HEADROOM);
                    }
                }
            }
            Some(bytes) = udp_frames.recv() => receive_voice(&bytes, &follower, &mut player, &mut voice, &clocks),
            Some((id, song)) = fetched.recv() => {
                fetching.retain(|f| f != &id);
                match song {
                    Ok(song) => {
                        lyrics.insert(id.clone(), song.lyrics);
                        player.provide(&id, song.source);
                    }
                    Err(e) => tracing::error!(song = %id, "cannot fetch the song: {e}"),
                }
            }
            _ = reports.tick() => {
                if let Some(report) = player.report() {
                    let now = clocks.net.now();
                    if report.playing
                        && let Some(target) = follower.target_at(report.at)
                    {
                        errors.push((report.position - target).as_micros() as f64 / 1000.0);
                    }
                    follower.handle_player(now, report);
                }
                let now = clocks.net.now();
                behind.set(follower.extra_delay(), player.last_start().unwrap_or(now), now);
                // The lyric video follows the song the engine plays.
                let playing = player.current().map(|s| s.song_id.clone());
                if playing != on_screen {
                    if let Some(frames) = frames {
                        let song = playing.as_ref().and_then(|id| lyrics.get(id).map(|l| (id.as_str(), l, None)));
                        frames.set_song(song);
                    }
                    singer = render::SingerState::default();
                    lines.clear();
                    on_screen = playing;
                }
                let _ = player.take_news();
            }
            _ = summaries.tick() => {
                if !errors.is_empty() {
                    let (p50, p99, max) = spread(&mut errors);
                    println!("alignment: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms over {} reports; score {:?}", errors.len(), singer.score);
                    errors.clear();
                }
            }
        }
        deadline = drain(&mut follower, &mut player, &socket);
    }
    let stats = follower.stats();
    println!(
        "follower: {} starts, {} drift seeks, {} rate changes",
        stats.starts, stats.drift_seeks, stats.rate_changes
    );
    let v = voice.stats;
    let over_udp = udp_frames_before + udp.map_or(0, |u| u.frames.load(Ordering::Relaxed));
    println!(
        "voice: {} frames ({} bytes), {over_udp} came over UDP, {} twice or too late, {} recovered by FEC, {} concealed; behind the singer {:.1} ms",
        v.received,
        v.bytes,
        v.stale,
        v.recovered,
        v.concealed,
        follower.extra_delay().as_micros() as f64 / 1000.0
    );
    if let Some(recording) = recording
        && let Err(e) = recording.stop()
    {
        tracing::error!("the stems: {e}");
    }
    Ok(())
}

/// A frame of the singer's voice, from the socket or the UDP path.
fn receive_voice(
    bytes: &[u8],
    follower: &Follower,
    player: &mut EnginePlayer,
    voice: &mut VoiceReceiver,
    clocks: &Clocks,
) {
    let now = clocks.net.now();
    let singer = follower.target_at(now).map(|p| p + follower.extra_delay());
    let playing = player.current().map(|s| s.transport.song);
    voice.receive(bytes, playing, singer);
}

/// Where the room's UDP port is: as given, or the server's host at the port offered.
async fn udp_target(args: &ListenArgs, port: u16) -> Option<std::net::SocketAddr> {
    if let Some(address) = args.udp_address {
        return Some(address);
    }
    let host = args
        .server
        .split_once("://")
        .map_or(args.server.as_str(), |(_, rest)| rest)
        .split('/')
        .next()?;
    // The host without its port ([v6] keeps its brackets off for the lookup).
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    tokio::net::lookup_host((host, port)).await.ok()?.next()
}

/// Starts fetching song `id` unless it is on its way.
fn fetch(
    api: &Api,
    cache: &std::path::Path,
    id: &str,
    fetching: &mut Vec<String>,
    done: &mpsc::Sender<(String, Result<LocalSong>)>,
) {
    if fetching.iter().any(|f| f == id) {
        return;
    }
    fetching.push(id.to_owned());
    let (api, cache, id, done) = (api.clone(), cache.to_owned(), id.to_owned(), done.clone());
    tokio::spawn(async move {
        let song = songs::fetch(&api, &cache, &id).await;
        let _ = done.send((id, song)).await;
    });
}

/// The room's controls that change what a listener hears (the transport comes through sync).
fn apply_control(control: &Control, player: &mut EnginePlayer) {
    let engine = player.engine();
    let result = match control {
        Control::Mode { mode } => engine.set_track_mode(engine_mode(*mode)),
        Control::Key { semitones } => engine.set_key(*semitones),
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!("the engine did not take {control:?}: {e}");
    }
}

/// The median, 99th percentile and largest of the errors' magnitudes.
fn spread(errors: &mut [f64]) -> (f64, f64, f64) {
    for e in errors.iter_mut() {
        *e = e.abs();
    }
    errors.sort_by(f64::total_cmp);
    let at = |q: f64| errors[((errors.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99), at(1.0))
}
