//! Audience audio end to end: a singer sings a demo song offline (its guide vocal as the
//! microphone) through a real `ktv serve` to three `ktv listen` clients whose traffic crosses
//! the `sync-sim` impairment proxy (40 ± 20 ms each way, 5% of segments held back as a lost
//! one would be). Each listener plays its own copy of the music and mixes the singer's voice
//! frames at the song positions they were sung at, and records what it plays as two stems.
//! One listener takes the voice over the room's UDP path instead, through a datagram
//! impairment (5% lost, some duplicated or reordered): in-band FEC recovers lost frames.
//!
//! Judged on the recordings, never on the stamps: in windows, the voice stem is located in
//! the singer's dry voice (the guide vocal, which the singer's microphone sings in song time)
//! and the music stem in the song's accompaniment, each by cross-correlation; where both are
//! found, the two offsets must agree within 20 ms at p99 (voice and music heard together as
//! the singer sang them). The voice stem, cut at the song's start and scored by the scoring
//! crate against the song, must score ≥ 85.

use std::time::Duration;

use ktv_tests::analysis::decode_file_at;
use ktv_tests::process::{KtvProcess, Signal, cpu_seconds, workspace_root};
use ktv_tests::stems::{Stems, percentile};
use ktv_tests::voice_room::{VoiceRoom, guide};

use sync_sim::Path as NetPath;

const SONG: &str = "susanna";
const RATE: u32 = 48_000;
/// The bound on voice against music (p99).
const BOUND_MS: f64 = 20.0;
const LISTENERS: usize = 3;

#[test]
fn listeners_hear_the_singer_in_time_with_the_music() {
    let dir = std::env::temp_dir().join(format!("ktv-audience-audio-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let voices = VoiceRoom::start(&dir);
    let (bind, room, token) = (&voices.bind, &voices.room, &voices.token);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let lossy = NetPath {
        duplicate: 0.0,
        reorder: 0.0,
        ..NetPath::lossy()
    };
    let proxy_listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let proxy = format!("http://{}", proxy_listener.local_addr().unwrap());
    let _proxy = runtime.spawn(sync_sim::proxy::tcp(
        proxy_listener,
        bind.parse().unwrap(),
        lossy,
        lossy,
        23,
    ));
    // The last listener takes the voice over the room's UDP path, through the same
    // impairment as a datagram path: 5% lost, 1% duplicated, 1% reordered, 40 ± 20 ms.
    let udp_proxy = runtime
        .block_on(tokio::net::UdpSocket::bind("127.0.0.1:0"))
        .unwrap();
    let udp_address = udp_proxy.local_addr().unwrap().to_string();
    let _udp_proxy = runtime.spawn(sync_sim::proxy::udp(
        udp_proxy,
        bind.parse().unwrap(),
        NetPath::lossy(),
        NetPath::lossy(),
        31,
    ));
    let over_udp = LISTENERS - 1;

    let stems = |i: usize| dir.join(format!("stems-{i}"));
    let mut listeners: Vec<KtvProcess> = (0..LISTENERS)
        .map(|i| {
            let mut args: Vec<String> = [
                "listen",
                "--server",
                &proxy,
                "--room",
                room,
                "--token",
                token,
                "--offline",
                "--stems",
                stems(i).to_str().unwrap(),
                "--position-log",
                dir.join(format!("listener-{i}.log")).to_str().unwrap(),
                "--cache",
                dir.join(format!("cache-{i}")).to_str().unwrap(),
            ]
            .map(str::to_owned)
            .into();
            // The others stay on the (impaired) WebSocket.
            if i == over_udp {
                args.extend(["--udp-address".into(), udp_address.clone()]);
            } else {
                args.push("--no-udp".into());
            }
            KtvProcess::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .collect();
    let spawned = std::time::Instant::now();
    voices.sing(SONG, &dir.join("cache-singer"));
    std::thread::sleep(Duration::from_secs(1));
    // Each listener's CPU over the song (fetching, following, decoding, mixing, recording).
    let wall = spawned.elapsed().as_secs_f64();
    let cpu: Vec<f64> = listeners
        .iter()
        .map(|l| cpu_seconds(l.pid()) / wall)
        .collect();
    for listener in &listeners {
        listener.signal(Signal::SIGTERM);
    }

    let accompaniment = decode_file_at(
        &workspace_root().join(format!("assets/{SONG}/accompaniment.ogg")),
        RATE,
    );
    let dry_voice = decode_file_at(&guide(SONG), RATE);
    let lyrics =
        room_service::library::song_lyrics(&workspace_root().join(format!("assets/{SONG}")))
            .unwrap();
    for (i, listener) in listeners.iter_mut().enumerate() {
        assert!(
            listener.wait_timeout(Duration::from_secs(10)).is_some(),
            "listener {i} stays"
        );
        let stats = listener
            .wait_for_line(Duration::from_secs(5), |l| {
                l.starts_with("voice:").then(|| l.to_owned())
            })
            .unwrap_or_else(|e| {
                panic!(
                    "listener {i} said nothing of the voice ({e}): {}",
                    listener.stderr()
                )
            });
        let music = decode_file_at(&stems(i).join("music.wav"), RATE);
        let voice = decode_file_at(&stems(i).join("voice.wav"), RATE);
        let judged = Stems {
            music: &music,
            voice: &voice,
            accompaniment: &accompaniment,
            dry: &dry_voice,
            rate: RATE,
        }
        .judge(&lyrics)
        .unwrap_or_else(|| panic!("listener {i}: its music stem holds none of the song"));
        let behind: Vec<f64> = std::fs::read_to_string(dir.join(format!("listener-{i}.log")))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_whitespace().nth(2)?.parse::<f64>().ok())
            .map(|us| us / 1000.0)
            .collect();
        let mut sorted_behind = behind.clone();
        sorted_behind.sort_by(f64::total_cmp);
        println!(
            "listener {i}: voice against music over {} windows: median {:+.2} ms, |p50| {:.2} ms, |p99| {:.2} ms; voice stem scores {:.1}; playing behind the singer p50 {:.0} ms, max {:.0} ms; CPU {:.1}% of a core; {stats}",
            judged.differences.len(),
            judged.median,
            judged.p50,
            judged.p99,
            judged.score,
            percentile(&sorted_behind, 0.5),
            percentile(&sorted_behind, 1.0),
            cpu[i] * 100.0,
        );
        assert!(
            judged.differences.len() >= 40,
            "listener {i}: only {} windows measured both ways ({} music)",
            judged.differences.len(),
            judged.music_windows
        );
        assert!(
            judged.p99 <= BOUND_MS,
            "listener {i}: voice against music p99 {:.2} ms",
            judged.p99
        );
        assert!(
            judged.score >= 85.0,
            "listener {i}: the voice stem scores {}",
            judged.score
        );
        // The datagram path: the voice came over it, and its losses were recovered by FEC.
        let count = |after: &str| -> u64 {
            stats
                .split(after)
                .next()
                .and_then(|s| s.rsplit([' ', '(']).next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no count before {after:?} in {stats:?}"))
        };
        let (frames, udp, recovered) = (
            count(" frames"),
            count(" came over UDP"),
            count(" recovered by FEC"),
        );
        if i == over_udp {
            assert!(
                udp * 10 >= frames * 9 && recovered > 0,
                "listener {i}: {udp} of {frames} frames over UDP, {recovered} recovered: {stats}"
            );
        } else {
            assert_eq!(udp, 0, "listener {i} was told to stay off UDP: {stats}");
        }
    }
}

/// The measurement itself: a voice stem 60 ms late against its music reads as 60 ms apart,
/// and fails the bound.
#[test]
fn a_late_voice_reads_as_late() {
    let music = decode_file_at(
        &workspace_root().join(format!("assets/{SONG}/accompaniment.ogg")),
        RATE,
    );
    let dry = decode_file_at(&guide(SONG), RATE);
    let lead = 2 * RATE as usize;
    let late = (0.06 * f64::from(RATE)) as usize;
    let stem_music: Vec<f32> = std::iter::repeat_n(0.0, lead)
        .chain(music[..30 * RATE as usize].iter().copied())
        .collect();
    let stem_voice: Vec<f32> = std::iter::repeat_n(0.0, lead + late)
        .chain(dry[..30 * RATE as usize].iter().copied())
        .collect();
    let stems = Stems {
        music: &stem_music,
        voice: &stem_voice,
        accompaniment: &music,
        dry: &dry,
        rate: RATE,
    };
    let start = stems.song_start().expect("the music is found");
    assert!((start - lead as i64).abs() <= 2, "{start}");
    let (differences, _) = stems.voice_against_music(start, lead);
    assert!(differences.len() >= 10, "{differences:?}");
    for d in &differences {
        assert!((d - 60.0).abs() < 1.0, "{differences:?}");
    }
    assert!(differences.iter().all(|d| d.abs() > BOUND_MS));
}
