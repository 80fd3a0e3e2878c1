//! A singer and four listeners as separate tasks over real sockets on 127.0.0.1 — two
//! listeners over UDP, two over WebSocket — through the impairment proxy (40 ms ± 20 ms each
//! way, 5% loss: dropped datagrams on UDP, segments held back 200 ms on TCP), with a room
//! relay as the time reference. Every host has its own clock (offset, ±100 ppm drift).
//!
//! The error is measured on the players: what the singer's and each listener's player hear
//! at the same instants of the one host clock they share, never the listeners' estimates.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sync::net::NetClock;
use sync::net::peer::{Control, Link, Peer};
use sync::net::room::Room;
use sync::{
    Follower, FollowerConfig, HostClock, Leader, LeaderConfig, MediaTime, SongInfo, TimeDelta,
    TrackMode,
};
use sync_sim::{self as sim, Path, PlayerModel, RealTimePlayer, proxy};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{mpsc, watch};

const RUN: Duration = Duration::from_secs(24);
const REPORT_EVERY: Duration = Duration::from_millis(5);

fn skew(rng: &mut ChaCha8Rng) -> HostClock {
    HostClock {
        offset: TimeDelta::from_micros(rng.random_range(-3_600_000_000..3_600_000_000)),
        drift: rng.random_range(-100e-6..=100e-6),
        jumps: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listeners_over_udp_and_websocket_stay_within_10_ms_of_the_singer() {
    let base = NetClock::system();
    let mut rng = ChaCha8Rng::seed_from_u64(7);

    // The room and the proxies in front of it.
    let room = Room::new(base.skewed(skew(&mut rng)));
    let room_udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let room_tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (room_udp_addr, room_tcp_addr) = (
        room_udp.local_addr().unwrap(),
        room_tcp.local_addr().unwrap(),
    );
    let mut tasks = vec![
        tokio::spawn(room.clone().serve_udp(room_udp)),
        tokio::spawn(room.clone().serve_ws(room_tcp)),
    ];
    let proxy_udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let proxy_tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (proxy_udp_addr, proxy_tcp_addr) = (
        proxy_udp.local_addr().unwrap(),
        proxy_tcp.local_addr().unwrap(),
    );
    let path = Path {
        duplicate: 0.0,
        reorder: 0.0,
        ..Path::lossy()
    };
    tasks.push(tokio::spawn(proxy::udp(
        proxy_udp,
        room_udp_addr,
        path,
        path,
        1,
    )));
    tasks.push(tokio::spawn(proxy::tcp(
        proxy_tcp,
        room_tcp_addr,
        path,
        path,
        2,
    )));

    let (stop_tx, stop) = watch::channel(false);
    let model = PlayerModel::default();

    // The singer, over UDP through the proxy.
    let singer_clock = base.skewed(skew(&mut rng));
    let singer_player = Arc::new(Mutex::new(RealTimePlayer::new(
        model,
        rng.random_range(-10e-6..=10e-6),
        singer_clock.clone(),
        rng.random(),
    )));
    let (singer_controls, controls) = mpsc::unbounded_channel::<Control<Leader>>();
    let singer = Peer {
        machine: Leader::new(LeaderConfig::default(), rng.random(), singer_clock.now()),
        player: Arc::clone(&singer_player),
        clock: singer_clock,
        report_every: REPORT_EVERY,
    };
    let link = Link::udp(proxy_udp_addr).await.unwrap();
    let singer_task = tokio::spawn(singer.run(link, controls, stop.clone()));

    // Four listeners joining over the first seconds, two on each transport.
    let mut listeners = Vec::new();
    for i in 0..4 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let clock = base.skewed(skew(&mut rng));
        let player = Arc::new(Mutex::new(RealTimePlayer::new(
            model,
            rng.random_range(-10e-6..=10e-6),
            clock.clone(),
            rng.random(),
        )));
        let peer = Peer {
            machine: Follower::new(FollowerConfig::default(), clock.now()),
            player: Arc::clone(&player),
            clock,
            report_every: REPORT_EVERY,
        };
        let link = if i % 2 == 0 {
            Link::udp(proxy_udp_addr).await.unwrap()
        } else {
            Link::websocket(&format!("ws://{proxy_tcp_addr}/"))
                .await
                .unwrap()
        };
        let (_controls_tx, controls) = mpsc::unbounded_channel::<Control<Follower>>();
        let joined = base.true_now();
        listeners.push((
            player,
            joined,
            tokio::spawn(peer.run(link, controls, stop.clone())),
        ));
        if i == 0 {
            // The singer starts once the first listener is there; the rest join late.
            let song = SongInfo {
                song_id: "jasmine".into(),
                media: "/media/jasmine".into(),
                track_mode: TrackMode::Accompaniment,
                key: 0.0,
                tempo: 1.0,
            };
            singer_controls
                .send(Box::new(move |leader: &mut Leader, now| {
                    leader.start(now, song, MediaTime::ZERO)
                }))
                .unwrap();
        }
    }

    // Sample what everyone hears, on the one clock they share.
    let mut errors: Vec<Vec<TimeDelta>> = vec![Vec::new(); listeners.len()];
    let end = base.true_now() + TimeDelta::from_micros(RUN.as_micros() as i64);
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    while base.true_now() < end {
        tick.tick().await;
        let t = base.true_now();
        let Some((heard, true)) = singer_player.lock().unwrap().heard_at(t) else {
            continue;
        };
        for (i, (player, joined, _)) in listeners.iter().enumerate() {
            // Three seconds to learn the clock and converge after joining.
            if t - *joined < TimeDelta::from_millis(3_000) {
                continue;
            }
            if let Some((mine, true)) = player.lock().unwrap().heard_at(t) {
                errors[i].push(mine - heard);
            }
        }
    }
    stop_tx.send(true).unwrap();
    let _ = singer_task.await;
    for (_, _, task) in listeners {
        let _ = task.await;
    }
    for task in tasks {
        task.abort();
    }

    let stats = room.stats();
    assert!(stats.pings > 100 && stats.relayed > 100, "{stats:?}");
    for (i, errors) in errors.iter().enumerate() {
        assert!(
            errors.len() > 1_000,
            "listener {i}: {} samples",
            errors.len()
        );
        let (p50, p99, max) = sim::percentiles(errors.iter().copied()).unwrap();
        let transport = if i % 2 == 0 { "UDP" } else { "WebSocket" };
        eprintln!(
            "listener {i} ({transport}): p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms over {} samples",
            errors.len()
        );
        assert!(p99 <= 10.0, "listener {i} ({transport}): p99 {p99:.2} ms");
    }
}
