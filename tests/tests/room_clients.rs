//! The whole room end to end, every part real: a `ktv serve` process, a `ktv sing` client
//! singing a demo song offline (its guide vocal as the microphone, on the paced driver in
//! real time) with live scoring, and three `ktv listen` clients whose traffic crosses the
//! `sync-sim` impairment proxy (40 ± 20 ms each way, 5% of segments held back as a lost
//! one would be). On the way: queue operations by each role and the refusals for wrong roles;
//! mid-song the service is killed with SIGKILL and restarted, and the queue and stored
//! results must be intact and every client must reconnect and carry on. At the end: the
//! song's score (≥ 90) stored, and the listeners' alignment judged from the engines' position
//! clocks, singer against listener at the same instants of the one host clock (the clients'
//! position logs), never from the listeners' own estimates. A listener plays behind the
//! singer on purpose by its voice path's delay (so the singer's voice comes in time to be
//! mixed with the music); its log says by how much, and that is what it is judged against.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ktv_tests::process::{KtvProcess, Signal, free_port, http_call, serve, workspace_root};
use serde_json::{Value, json};
use sync::TimeDelta;
use sync_sim::Path as NetPath;

const SONG: &str = "susanna";

/// The tests here run one at a time: each is real time on two cores, and the lyric video's
/// CPU renderer would be noise in the other's alignment.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
/// The sync loopback test's bound on the listeners (p99; `sync-sim/tests/loopback.rs`).
const BOUND_MS: f64 = 10.0;
/// Listeners are judged from this long after the song starts (the first join converges).
const SETTLE_S: f64 = 3.0;
/// After the service comes back, listeners restart their players, and a restart may land
/// off by up to ~15 ms, which the ±0.2% rate loop takes seconds to take back (issue 36 is
/// on exact restarts). For this long after the restart they are held to [`RECOVERY_MS`],
/// not to [`BOUND_MS`].
const RECOVERY_S: f64 = 10.0;
/// The most a listener may be off while it recovers: the follower's seek threshold.
const RECOVERY_MS: f64 = 50.0;

/// A member's credentials.
#[derive(Debug, Clone)]
struct Member {
    id: u64,
    secret: String,
}

impl Member {
    fn of(answer: &Value) -> Member {
        Member {
            id: answer["member"].as_u64().expect("a member id"),
            secret: answer["secret"].as_str().expect("a secret").to_owned(),
        }
    }
    fn bearer(&self) -> String {
        format!("{}.{}", self.id, self.secret)
    }
}

struct Service {
    base: String,
    port: u16,
    database: PathBuf,
    process: KtvProcess,
}

impl Service {
    fn start(port: u16, database: &Path) -> Service {
        let bind = format!("127.0.0.1:{port}");
        let (process, _) = serve(&bind, database);
        Service {
            base: format!("http://{bind}"),
            port,
            database: database.to_owned(),
            process,
        }
    }

    fn call(&self, method: &str, path: &str, who: Option<&Member>, body: Value) -> (u16, Value) {
        let bearer = who.map(Member::bearer);
        let (status, text) = http_call(
            method,
            &format!("{}{path}", self.base),
            bearer.as_deref(),
            Some(&body.to_string()),
        )
        .expect("the service answers");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn ok(&self, method: &str, path: &str, who: Option<&Member>, body: Value) -> Value {
        let (status, answer) = self.call(method, path, who, body);
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {answer}"
        );
        answer
    }

    fn refused(&self, method: &str, path: &str, who: &Member, body: Value, status: u16) {
        let (got, answer) = self.call(method, path, Some(who), body);
        assert_eq!(
            got, status,
            "{method} {path} as member {}: {answer}",
            who.id
        );
    }
}

/// `wall_us position_us behind_us` lines, as (wall, where the client means the singer to
/// be: its position plus how far behind it plays on purpose).
fn read_log(path: &Path) -> Vec<(i64, i64)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace().map(|p| p.parse::<f64>().ok());
            let (wall, position) = (parts.next()?? as i64, parts.next()?? as i64);
            let behind = parts.next().flatten().unwrap_or(0.0) as i64;
            Some((wall, position + behind))
        })
        .collect()
}

/// The singer's position at wall instant `t`, between two samples at most 50 ms apart.
fn position_at(log: &[(i64, i64)], t: i64) -> Option<f64> {
    let i = log.partition_point(|&(at, _)| at <= t);
    let (&(t0, p0), &(t1, p1)) = (log.get(i.checked_sub(1)?)?, log.get(i)?);
    if t1 - t0 > 50_000 || t1 == t0 {
        return None;
    }
    Some(p0 as f64 + (p1 - p0) as f64 * (t - t0) as f64 / (t1 - t0) as f64)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn epoch_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

#[test]
fn a_room_sings_through_an_impaired_network_and_a_killed_service() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(format!("ktv-room-clients-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let mut service = Service::start(port, &dir.join("ktv.db"));

    // The room, its owner, a singer (seated) and three listeners (audience).
    let created = service.ok(
        "POST",
        "/api/rooms",
        None,
        json!({"name": "Friday", "owner_name": "Olga"}),
    );
    let owner = Member::of(&created);
    let room = created["room"].as_str().unwrap().to_owned();
    let token = created["join_token"].as_str().unwrap().to_owned();
    let join = |name: &str| {
        Member::of(&service.ok(
            "POST",
            &format!("/api/rooms/{room}/members"),
            None,
            json!({"token": token, "name": name}),
        ))
    };
    let singer = join("Sam");
    let listeners: Vec<Member> = ["Lia", "Leo", "Lou"].iter().map(|n| join(n)).collect();
    let path = |rest: &str| format!("/api/rooms/{room}{rest}");

    // Queue operations by each role; the song the singer sings first goes on stage at once.
    service.ok("POST", &path("/seats"), Some(&singer), json!({}));
    service.ok(
        "POST",
        &path("/queue"),
        Some(&singer),
        json!({"song_id": SONG}),
    );
    let twinkle = service.ok(
        "POST",
        &path("/queue"),
        Some(&owner),
        json!({"song_id": "twinkle"}),
    )["request"]
        .as_u64()
        .unwrap();
    let tigers = service.ok(
        "POST",
        &path("/queue"),
        Some(&owner),
        json!({"song_id": "tigers"}),
    )["request"]
        .as_u64()
        .unwrap();
    let jasmine = service.ok(
        "POST",
        &path("/queue"),
        Some(&singer),
        json!({"song_id": "jasmine", "preset": {"key": 2.0, "tempo": 1.0, "mode": "guide"}}),
    )["request"]
        .as_u64()
        .unwrap();
    let audience = &listeners[0];
    service.refused(
        "POST",
        &path("/queue"),
        audience,
        json!({"song_id": "jasmine"}),
        403,
    );
    service.refused("POST", &path("/skip"), audience, json!({}), 403);
    service.refused(
        "POST",
        &path(&format!("/queue/{twinkle}/pin")),
        audience,
        json!({}),
        403,
    );
    service.refused(
        "DELETE",
        &path(&format!("/queue/{tigers}")),
        audience,
        json!({}),
        403,
    );
    service.refused(
        "POST",
        &path(&format!("/queue/{twinkle}/pin")),
        &singer,
        json!({}),
        403,
    );
    service.refused(
        "POST",
        &path(&format!("/queue/{twinkle}/move")),
        &singer,
        json!({"index": 0}),
        403,
    );
    service.refused(
        "POST",
        &path("/controls"),
        audience,
        json!({"control": "pause"}),
        403,
    );
    service.ok(
        "POST",
        &path(&format!("/queue/{jasmine}/pin")),
        Some(&owner),
        json!({}),
    );
    service.ok(
        "DELETE",
        &path(&format!("/queue/{tigers}")),
        Some(&owner),
        json!({}),
    );
    let waiting = |service: &Service| -> Vec<(u64, String)> {
        let room = service.ok("GET", &path(""), Some(&owner), json!({}));
        room["queue"]["waiting"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_u64().unwrap(),
                    r["song_id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let queue_before = waiting(&service);
    assert_eq!(
        queue_before,
        vec![
            (jasmine, "jasmine".to_owned()),
            (twinkle, "twinkle".to_owned())
        ]
    );

    // The listeners' way to the service: through the impairment proxy.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let lossy = NetPath {
        duplicate: 0.0,
        reorder: 0.0,
        ..NetPath::lossy()
    };
    assert_eq!(lossy.latency, TimeDelta::from_millis(40));
    let proxy_listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let proxy = format!("http://{}", proxy_listener.local_addr().unwrap());
    let upstream = format!("127.0.0.1:{port}").parse().unwrap();
    let _proxy = runtime.spawn(sync_sim::proxy::tcp(
        proxy_listener,
        upstream,
        lossy,
        lossy,
        2026,
    ));

    let client_args = |who: &Member, server: &str, log: &Path, cache: &str| -> Vec<String> {
        [
            "--server",
            server,
            "--room",
            &room,
            "--member",
            &who.id.to_string(),
            "--secret",
            &who.secret,
            "--offline",
            "--position-log",
            log.to_str().unwrap(),
            "--cache",
            dir.join(cache).to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let mut listener_processes: Vec<KtvProcess> = listeners
        .iter()
        .enumerate()
        .map(|(i, who)| {
            let mut args = vec!["listen".to_owned()];
            args.extend(client_args(
                who,
                &proxy,
                &dir.join(format!("listener-{i}.log")),
                &format!("cache-{i}"),
            ));
            args.extend(["--report-every".to_owned(), "2".to_owned()]);
            KtvProcess::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .collect();
    let mic = workspace_root().join(format!("assets/{SONG}/guide.wav"));
    let mut args = vec!["sing".to_owned()];
    args.extend(client_args(
        &singer,
        &service.base,
        &dir.join("singer.log"),
        "cache-singer",
    ));
    args.extend(["--mic", mic.to_str().unwrap(), "--songs", "1"].map(str::to_owned));
    let mut sing = KtvProcess::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>());
    sing.wait_for_line(Duration::from_secs(30), |l| {
        l.starts_with("singing").then_some(())
    })
    .unwrap_or_else(|e| panic!("the singer never started ({e}): {}", sing.stderr()));
    let started = epoch_micros();
    println!("the singer sings {SONG}");

    // Mid-song the service dies without warning, and comes back on the same port.
    std::thread::sleep(Duration::from_secs(20));
    service.process.signal(Signal::SIGKILL);
    assert!(
        service
            .process
            .wait_timeout(Duration::from_secs(5))
            .is_some()
    );
    let killed = epoch_micros();
    std::thread::sleep(Duration::from_secs(2));
    let database = service.database.clone();
    service = Service::start(service.port, &database);
    let restarted = epoch_micros();
    println!(
        "service killed {:.1} s into the song and back {:.1} s later",
        (killed - started) as f64 / 1e6,
        (restarted - killed) as f64 / 1e6
    );
    assert_eq!(
        waiting(&service),
        queue_before,
        "the queue after the restart"
    );
    let on_stage = service.ok("GET", &path(""), Some(&owner), json!({}));
    assert_eq!(
        on_stage["performance"]["request"]["song_id"], SONG,
        "{on_stage}"
    );

    // The singer sings to the end and its result is stored.
    let score: f64 = sing
        .wait_for_line(Duration::from_secs(120), |l| {
            l.strip_prefix(&format!("finished {SONG} score "))
                .and_then(|s| s.parse().ok())
        })
        .unwrap_or_else(|e| panic!("the singer never finished ({e}): {}", sing.stderr()));
    assert!(
        sing.wait_timeout(Duration::from_secs(10)).is_some(),
        "the singer stays"
    );
    println!("live score {score:.1}");
    assert!(score >= 90.0, "the guide vocal scored {score}");
    let history = service.ok("GET", &path("/history"), Some(&owner), json!({}));
    let stored = history
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["song_id"] == SONG)
        .unwrap_or_else(|| panic!("no stored result for {SONG}: {history}"));
    assert_eq!(stored["ending"], "finished", "{stored}");
    // The stored score is the service's, judged from the voice frames the singer sent (Opus,
    // over a connection that the service's death cut mid-song); the singer's own is theirs.
    let judged = stored["score"].as_f64().expect("the service's score");
    println!("the service's score {judged:.1}, the singer's own {score:.1}");
    assert!(
        judged >= 90.0,
        "the service scored the guide vocal {stored}"
    );
    let ended = epoch_micros();

    for listener in &listener_processes {
        listener.signal(Signal::SIGTERM);
    }
    for (i, listener) in listener_processes.iter_mut().enumerate() {
        assert!(
            listener.wait_timeout(Duration::from_secs(10)).is_some(),
            "listener {i} stays"
        );
    }
    let connects = |text: &str| text.matches("connected to the room").count();
    assert!(
        connects(&sing.stderr()) >= 2,
        "the singer never reconnected: {}",
        sing.stderr()
    );

    // Alignment: the listeners' engines against the singer's, at the same wall instants.
    let singer_log = read_log(&dir.join("singer.log"));
    assert!(
        singer_log.len() > 1000,
        "the singer logged {} samples",
        singer_log.len()
    );
    let from = started + (SETTLE_S * 1e6) as i64;
    let recovered = restarted + (RECOVERY_S * 1e6) as i64;
    for (i, listener) in listener_processes.iter().enumerate() {
        let stderr = listener.stderr();
        assert!(
            connects(&stderr) >= 2,
            "listener {i} never reconnected: {stderr}"
        );
        let log = read_log(&dir.join(format!("listener-{i}.log")));
        let mut errors = Vec::new();
        let mut after_restart = 0;
        let mut worst_recovering = 0f64;
        // Seconds into the song where this listener was over the bound, and its worst there.
        let mut off_seconds: Vec<(i64, f64)> = Vec::new();
        for &(t, p) in log.iter().filter(|&&(t, _)| t >= from && t <= ended) {
            let Some(heard) = position_at(&singer_log, t) else {
                continue;
            };
            let error = (p as f64 - heard).abs() / 1000.0;
            if t > restarted && t < recovered {
                worst_recovering = worst_recovering.max(error);
                continue;
            }
            errors.push(error);
            if error > BOUND_MS {
                let second = (t - started) / 1_000_000;
                match off_seconds.last_mut() {
                    Some((s, worst)) if *s == second => *worst = worst.max(error),
                    _ => off_seconds.push((second, error)),
                }
            }
            if t > restarted {
                after_restart += 1;
            }
        }
        assert!(
            errors.len() > 3000,
            "listener {i}: {} samples",
            errors.len()
        );
        assert!(
            after_restart > 1000,
            "listener {i} stopped after the restart"
        );
        errors.sort_by(f64::total_cmp);
        let (p50, p99, max) = (
            percentile(&errors, 0.5),
            percentile(&errors, 0.99),
            errors[errors.len() - 1],
        );
        println!(
            "listener {i}: {} instants, p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms; \
             over {BOUND_MS} ms in second (worst ms): {off_seconds:.1?}; \
             {RECOVERY_S} s after the restart: max {worst_recovering:.2} ms",
            errors.len()
        );
        assert!(
            worst_recovering <= RECOVERY_MS,
            "listener {i}: {worst_recovering:.2} ms off while recovering from the restart"
        );
        assert!(
            p99 <= BOUND_MS,
            "listener {i}: p99 {p99:.2} ms over the {BOUND_MS} ms bound"
        );
    }
}

/// The lyric video the clients would show, written as frames: the singer's and a watcher's
/// (who draws the singer's live scoring as it is relayed).
#[test]
fn the_clients_write_the_lyric_video_they_show() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(format!("ktv-client-frames-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let service = Service::start(free_port(), &dir.join("ktv.db"));
    let created = service.ok(
        "POST",
        "/api/rooms",
        None,
        json!({"name": "Frames", "owner_name": "Olga"}),
    );
    let room = created["room"].as_str().unwrap().to_owned();
    let token = created["join_token"].as_str().unwrap().to_owned();
    let mic = workspace_root().join(format!("assets/{SONG}/guide.wav"));
    let common = |frames: &str, cache: &str| -> Vec<String> {
        [
            "--server",
            &service.base,
            "--room",
            &room,
            "--token",
            &token,
            "--offline",
            "--render-fps",
            "2",
            "--render",
            dir.join(frames).to_str().unwrap(),
            "--cache",
            dir.join(cache).to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let mut args = vec!["listen".to_owned()];
    args.extend(common("watcher", "cache-w"));
    let watcher = KtvProcess::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let mut args = vec!["sing".to_owned(), "--name".to_owned(), "Sam".to_owned()];
    args.extend(common("singer", "cache-s"));
    args.extend(["--mic", mic.to_str().unwrap(), "--request", SONG].map(str::to_owned));
    let mut sing = KtvProcess::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>());
    sing.wait_for_line(Duration::from_secs(30), |l| {
        l.starts_with("singing").then_some(())
    })
    .unwrap_or_else(|e| panic!("the singer never started ({e}): {}", sing.stderr()));
    // Past the first line (at 8.6 s in susanna), so there is singing to draw.
    std::thread::sleep(Duration::from_secs(14));
    for process in [&sing, &watcher] {
        process.signal(Signal::SIGTERM);
    }
    for (who, min) in [("singer", 10), ("watcher", 10)] {
        let mut frames: Vec<PathBuf> = std::fs::read_dir(dir.join(who))
            .unwrap_or_else(|e| panic!("no {who} frames: {e}"))
            .map(|e| e.unwrap().path())
            .collect();
        frames.sort();
        assert!(frames.len() >= min, "{who}: {} frames", frames.len());
        // PNGs of 1280×720, named by the song position they show, in order of it.
        let bytes = std::fs::read(&frames[0]).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((width, height), (1280, 720));
        let positions: Vec<u64> = frames
            .iter()
            .filter_map(|f| {
                f.file_stem()?
                    .to_str()?
                    .strip_prefix(&format!("{SONG}-"))?
                    .parse()
                    .ok()
            })
            .collect();
        assert_eq!(positions.len(), frames.len(), "{frames:?}");
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        assert!(*positions.last().unwrap() > 9_000, "{who}: {positions:?}");
    }
}
