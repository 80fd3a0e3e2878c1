//! The command-line arguments of `ktv sing` and `ktv listen`, turned into the library's
//! client settings.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use room_client::JoinAs;
use room_client::listen::ListenArgs;
use room_client::player::AudioOutput;
use room_client::sing::SingArgs;
use room_protocol::{Preset, TrackMode};

/// Where the room is and who the client is in it; where it plays.
#[derive(Debug, clap::Args)]
pub struct RoomArgs {
    /// The service, e.g. http://192.168.1.5:8080.
    #[arg(long)]
    server: String,
    /// The room's id.
    #[arg(long)]
    room: String,
    /// Come back as this member (with --secret), e.g. after a restart.
    #[arg(long, requires = "secret")]
    member: Option<u64>,
    /// The member's secret.
    #[arg(long)]
    secret: Option<String>,
    /// Join with the token of the room's join link (with --name).
    #[arg(long, conflicts_with = "member")]
    token: Option<String>,
    /// The name others see (a listener with a token and no name watches: no member record).
    #[arg(long)]
    name: Option<String>,
    /// The room's password, if it has one.
    #[arg(long)]
    password: Option<String>,
    /// No sound device: play on the paced offline driver, in real time.
    #[arg(long)]
    offline: bool,
    /// The sound system: ALSA or JACK (default: cpal's default).
    #[arg(long)]
    host: Option<String>,
    /// The output device by name (default: the system's default).
    #[arg(long)]
    device: Option<String>,
    /// Write the lyric video the client would show as PNG frames into this folder.
    #[arg(long)]
    render: Option<PathBuf>,
    /// Frames a second for --render.
    #[arg(long, default_value_t = 5.0)]
    render_fps: f64,
    /// Where fetched songs are kept (default: ~/.cache/ktv/songs).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Log the engine's song position against the wall clock into this file.
    #[arg(long)]
    position_log: Option<PathBuf>,
}

impl RoomArgs {
    fn join(&self, watch_without_name: bool) -> anyhow::Result<JoinAs> {
        Ok(match (&self.token, self.member, &self.secret) {
            (Some(token), _, _) if watch_without_name && self.name.is_none() => JoinAs::Watch {
                token: token.clone(),
                password: self.password.clone(),
            },
            (Some(token), _, _) => JoinAs::Token {
                token: token.clone(),
                name: self.name.clone().unwrap_or_else(|| "singer".into()),
                password: self.password.clone(),
            },
            (None, Some(member), Some(secret)) => JoinAs::Member {
                member,
                secret: secret.clone(),
            },
            _ => bail!("say who you are: --token (from the join link) or --member with --secret"),
        })
    }

    fn output(&self) -> AudioOutput {
        if self.offline {
            AudioOutput::Paced
        } else {
            AudioOutput::Device(engine::driver::cpal::CpalSettings {
                host: self.host.clone(),
                device: self.device.clone(),
                ..Default::default()
            })
        }
    }

    fn cache(&self) -> PathBuf {
        self.cache
            .clone()
            .unwrap_or_else(room_client::songs::default_cache)
    }
}

/// `ktv sing`'s own arguments.
#[derive(Debug, clap::Args)]
pub struct SingOptions {
    #[command(flatten)]
    room: RoomArgs,
    /// A recording to sing (any format ktv decodes), sung along with the song as the
    /// microphone; without it, the device's input.
    #[arg(long)]
    mic: Option<PathBuf>,
    /// Request this song on arrival (repeat for more).
    #[arg(long)]
    request: Vec<String>,
    /// Key shift of the requests, in semitones.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    key: f32,
    /// Tempo of the requests, 0.8 to 1.2.
    #[arg(long, default_value_t = 1.0)]
    tempo: f32,
    /// Track of the requests: accompaniment, original or guide.
    #[arg(long, default_value = "accompaniment", value_parser = parse_mode)]
    mode: TrackMode,
    /// How strictly to judge: easy, normal or hard.
    #[arg(long, default_value = "normal", value_parser = parse_difficulty)]
    difficulty: scoring::Difficulty,
    /// Leave after singing this many songs.
    #[arg(long)]
    songs: Option<u32>,
}

impl SingOptions {
    /// The library's settings.
    pub fn into_args(self) -> anyhow::Result<SingArgs> {
        let preset = Preset {
            key: self.key,
            tempo: self.tempo,
            mode: self.mode,
        };
        preset.check()?;
        if self.mic.is_none() && self.room.offline {
            eprintln!("note: no --mic with --offline: nothing is sung, so nothing scores");
        }
        Ok(SingArgs {
            join: self.room.join(false)?,
            output: self.room.output(),
            cache: self.room.cache(),
            server: self.room.server,
            room: self.room.room,
            mic: self.mic,
            request: self.request.into_iter().map(|s| (s, preset)).collect(),
            difficulty: self.difficulty,
            render: self.room.render,
            render_fps: self.room.render_fps,
            position_log: self.room.position_log,
            songs: self.songs,
        })
    }
}

/// `ktv listen`'s own arguments.
#[derive(Debug, clap::Args)]
pub struct ListenOptions {
    #[command(flatten)]
    room: RoomArgs,
    /// Seconds between alignment reports.
    #[arg(long, default_value_t = 5.0)]
    report_every: f64,
    /// Record what is played as two stems in this folder: music.wav and voice.wav.
    #[arg(long)]
    stems: Option<PathBuf>,
    /// Take the singer's voice on the member WebSocket only, never over the room's UDP path.
    #[arg(long)]
    no_udp: bool,
    /// Where to reach the room's UDP port, if not the server's host at the port it offers
    /// (a forwarded port, a proxy).
    #[arg(long, conflicts_with = "no_udp")]
    udp_address: Option<std::net::SocketAddr>,
}

impl ListenOptions {
    /// The library's settings.
    pub fn into_args(self) -> anyhow::Result<ListenArgs> {
        Ok(ListenArgs {
            join: self.room.join(true)?,
            output: self.room.output(),
            cache: self.room.cache(),
            server: self.room.server,
            room: self.room.room,
            render: self.room.render,
            render_fps: self.room.render_fps,
            position_log: self.room.position_log,
            report_every: Duration::from_secs_f64(self.report_every.max(0.1)),
            stems: self.stems,
            udp: !self.no_udp,
            udp_address: self.udp_address,
        })
    }
}

fn parse_mode(name: &str) -> Result<TrackMode, String> {
    match name {
        "accompaniment" | "伴奏" => Ok(TrackMode::Accompaniment),
        "original" | "原唱" => Ok(TrackMode::Original),
        "guide" | "导唱" => Ok(TrackMode::Guide),
        _ => Err(format!(
            "unknown track {name:?}: accompaniment, original or guide"
        )),
    }
}

fn parse_difficulty(name: &str) -> Result<scoring::Difficulty, String> {
    scoring::Difficulty::from_name(name)
        .ok_or_else(|| format!("unknown difficulty {name:?}: easy, normal or hard"))
}
