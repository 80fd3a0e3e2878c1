//! Room load: N WebSocket listeners (watchers with the join link) in one room and across many
//! rooms, the singer on stage of each room beating at 10 Hz, everything on loopback, the
//! service (`ktv serve`) and this load generator in separate processes pinned to separate
//! cores. Reported per step: fan-out latency (beat sent by the singer → received by each
//! listener, both on this process's clock) p50/p99/max and the share delivered, the service's
//! memory per listener (its RSS growth over the step's connections), and this generator's CPU
//! (a step where it is above 80% of its core is marked invalid: the figures would measure the
//! generator). The baseline, measured in the same run, is one listener alone; latencies are
//! also given as ratios to its p50. The answer: the most listeners one instance holds in one
//! room with p99 < 50 ms (target ≥ 10,000).
//!
//! `cargo bench -p ktv-benches --bench room_load` runs the ramp (about two minutes);
//! `cargo test --benches` runs a small step to show it works.

use std::cell::RefCell;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use ktv_tests::process::{http_call, ktv_binary, serving_url};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// The p99 a step must stay under.
const BOUND_MS: f64 = 50.0;
/// Above this share of its core the generator is the bottleneck, not the service.
const GENERATOR_CPU_LIMIT: f64 = 0.80;
/// Beats per second per room.
const BEATS_PER_SECOND: u64 = 10;
/// Sockets opened at once while connecting.
const CONNECTING_AT_ONCE: usize = 64;

/// One step of the ramp.
#[derive(Debug, Clone, Copy)]
struct Step {
    listeners: usize,
    rooms: usize,
    seconds: u64,
}

#[derive(Debug)]
struct Measured {
    step: Step,
    p50: f64,
    p99: f64,
    max: f64,
    delivered: f64,
    bytes_per_listener: f64,
    generator_cpu: f64,
    service_cpu: f64,
    service_seconds_per_delivery: f64,
}

impl Measured {
    fn valid(&self) -> bool {
        self.generator_cpu <= GENERATOR_CPU_LIMIT && self.delivered > 0.99
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    raise_open_files();
    pin_to_core(1);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let ramp: Vec<Step> = if full {
        let mut ramp = vec![Step {
            listeners: 1,
            rooms: 1,
            seconds: 5,
        }];
        for listeners in [250, 500, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000] {
            ramp.push(Step {
                listeners,
                rooms: 1,
                seconds: 10,
            });
        }
        ramp.push(Step {
            listeners: 10_000,
            rooms: 100,
            seconds: 10,
        });
        ramp
    } else {
        vec![
            Step {
                listeners: 1,
                rooms: 1,
                seconds: 1,
            },
            Step {
                listeners: 40,
                rooms: 1,
                seconds: 2,
            },
            Step {
                listeners: 40,
                rooms: 4,
                seconds: 2,
            },
        ]
    };
    // The floor under any fan-out here: one core sending a beat-sized message to each of
    // many loopback TCP sockets, nothing else (measured on the service's core).
    let floor = send_floor(0, if full { 2_000 } else { 100 }, 10);
    println!(
        "baseline: one 40-byte send to a loopback TCP socket costs {:.1} µs of the service's core: a burst to 10,000 listeners takes at least {:.0} ms here",
        floor * 1e6,
        floor * 10_000.0 * 1e3
    );
    let mut results: Vec<Measured> = Vec::new();
    let mut failed_in_a_row = 0;
    for step in ramp {
        if step.rooms == 1 && failed_in_a_row >= 2 {
            continue;
        }
        // A fresh service per step: memory an allocator keeps from a bigger step would hide
        // the next step's growth.
        let service = Service::start(0);
        let measured = runtime.block_on(run_step(&service, step));
        print_row(&measured, results.first(), floor);
        let over = measured.p99 >= BOUND_MS || !measured.valid();
        if step.rooms == 1 {
            failed_in_a_row = if over { failed_in_a_row + 1 } else { 0 };
        }
        results.push(measured);
    }
    let held = results
        .iter()
        .filter(|m| m.step.rooms == 1 && m.valid() && m.p99 < BOUND_MS)
        .map(|m| m.step.listeners)
        .max()
        .unwrap_or(0);
    println!("most listeners held in one room with p99 < {BOUND_MS} ms: {held} (target 10000)");
    if !full {
        // In test mode the small steps must work: everything delivered, nothing slow.
        for m in &results {
            assert!(m.delivered > 0.99, "beats lost: {m:?}");
            assert!(m.p99 < BOUND_MS, "a small room is slow: {m:?}");
        }
    }
}

fn print_row(m: &Measured, baseline: Option<&Measured>, floor: f64) {
    let base = baseline.map_or(m.p50, |b| b.p50).max(0.001);
    println!(
        "{:>6} listeners in {:>3} room(s): fan-out p50 {:>6.2} ms  p99 {:>6.2} ms ({:>5.1}x one listener's p50)  max {:>6.1} ms  delivered {:>6.2}%  service {:>6.1} KiB/listener, CPU {:>3.0}% = {:>5.1} µs/delivery ({:.1}x the send floor)  generator CPU {:>3.0}%{}",
        m.step.listeners,
        m.step.rooms,
        m.p50,
        m.p99,
        m.p99 / base,
        m.max,
        m.delivered * 100.0,
        m.bytes_per_listener / 1024.0,
        m.service_cpu * 100.0,
        m.service_seconds_per_delivery * 1e6,
        m.service_seconds_per_delivery / floor,
        m.generator_cpu * 100.0,
        if m.valid() {
            ""
        } else {
            "  INVALID (generator saturated or beats lost)"
        }
    );
}

/// `ktv serve` on its own core.
struct Service {
    child: Child,
    base: String,
}

impl Service {
    fn start(core: usize) -> Service {
        let dir = std::env::temp_dir().join(format!("ktv-room-load-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let mut child = Command::new("taskset")
            .args(["-c", &core.to_string()])
            .arg(ktv_binary())
            .args(["serve", "--bind", "127.0.0.1:0", "--database"])
            .arg(dir.join("ktv.db"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("taskset (util-linux) and ktv");
        use std::io::BufRead;
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let base = lines
            .find_map(|l| serving_url(&l.ok()?))
            .expect("ktv serve printed its URL");
        Service { child, base }
    }

    fn call(&self, method: &str, path: &str, bearer: Option<&str>, body: Value) -> Value {
        let (status, text) = http_call(
            method,
            &format!("{}{path}", self.base),
            bearer,
            Some(&body.to_string()),
        )
        .expect("the service answers");
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// The service's resident memory, in bytes.
    fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    }
}

impl Service {
    /// The service's CPU time so far (user + system), in seconds.
    fn cpu_seconds(&self) -> f64 {
        ktv_tests::process::cpu_seconds(self.child.id())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A room whose owner is on stage: where its beats go and who hears them.
struct LoadRoom {
    id: String,
    token: String,
    singer_url: String,
}

fn open_room(service: &Service, n: usize) -> LoadRoom {
    let owner = service.call(
        "POST",
        "/api/rooms",
        None,
        json!({"name": format!("load {n}"), "owner_name": "Singer"}),
    );
    let id = owner["room"].as_str().expect("a room").to_owned();
    let bearer = format!(
        "{}.{}",
        owner["member"],
        owner["secret"].as_str().expect("a secret")
    );
    service.call(
        "POST",
        &format!("/api/rooms/{id}/seats"),
        Some(&bearer),
        json!({}),
    );
    service.call(
        "POST",
        &format!("/api/rooms/{id}/queue"),
        Some(&bearer),
        json!({"song_id": "susanna"}),
    );
    let ws = service.base.replacen("http://", "ws://", 1);
    LoadRoom {
        singer_url: format!(
            "{ws}/api/rooms/{id}/ws?member={}&secret={}",
            owner["member"],
            owner["secret"].as_str().expect("a secret")
        ),
        token: owner["join_token"].as_str().expect("a token").to_owned(),
        id,
    }
}

/// When each beat of each room was sent: `[room][seq]`.
type Sent = Rc<RefCell<Vec<Vec<Option<Instant>>>>>;

async fn run_step(service: &Service, step: Step) -> Measured {
    let rooms: Vec<LoadRoom> = (0..step.rooms).map(|n| open_room(service, n)).collect();
    let ws = service.base.replacen("http://", "ws://", 1);
    let beats = step.seconds * BEATS_PER_SECOND;
    let sent: Sent = Rc::new(RefCell::new(vec![
        vec![None; beats as usize + 1];
        step.rooms
    ]));
    let latencies: Rc<RefCell<Vec<f64>>> = Rc::default();
    let received = Rc::new(RefCell::new(0u64));

    let rss_before = service.rss();
    // Connect the listeners, spread over the rooms, a few dozen handshakes at a time.
    let mut listeners = Vec::with_capacity(step.listeners);
    let mut pending = futures_util::stream::FuturesUnordered::new();
    for i in 0..step.listeners {
        let index = i % rooms.len();
        let room = &rooms[index];
        let url = format!("{ws}/api/rooms/{}/ws?token={}", room.id, room.token);
        pending.push(async move { (index, tokio_tungstenite::connect_async(url).await) });
        if pending.len() >= CONNECTING_AT_ONCE {
            let (room, socket) = pending.next().await.expect("a pending connection");
            listeners.push((room, socket.expect("a listener connects").0));
        }
    }
    while let Some((room, socket)) = pending.next().await {
        listeners.push((room, socket.expect("a listener connects").0));
    }
    let local = tokio::task::LocalSet::new();
    let mut tasks = Vec::new();
    for (room, socket) in listeners {
        let (sent, latencies, received) = (
            Rc::clone(&sent),
            Rc::clone(&latencies),
            Rc::clone(&received),
        );
        tasks.push(local.spawn_local(async move {
            let (_, mut stream) = socket.split();
            while let Some(Ok(message)) = stream.next().await {
                let WsMessage::Binary(bytes) = message else {
                    continue;
                };
                let now = Instant::now();
                if let Ok(Some(sync::Message::Beat(t))) = sync::wire::decode(&bytes) {
                    let at = sent
                        .borrow()
                        .get(room)
                        .and_then(|r| r.get(t.seq as usize).copied().flatten());
                    if let Some(at) = at {
                        latencies
                            .borrow_mut()
                            .push((now - at).as_secs_f64() * 1000.0);
                        *received.borrow_mut() += 1;
                    }
                }
            }
        }));
    }
    let mut singers = Vec::new();
    for room in &rooms {
        let (socket, _) = tokio_tungstenite::connect_async(&room.singer_url)
            .await
            .expect("the singer connects");
        singers.push(socket);
    }

    // Beat: every room ten times a second, rooms spread over the tenth of a second.
    let measured = local
        .run_until(async {
            // Settle: the room states reach everyone first.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let rss_connected = service.rss();
            let cpu_before = cpu_seconds();
            let service_before = service.cpu_seconds();
            let started = Instant::now();
            let period = Duration::from_millis(1000 / BEATS_PER_SECOND);
            let mut tick = tokio::time::interval(period / step.rooms as u32);
            let mut seqs: HashMap<usize, u64> = HashMap::new();
            for n in 0..beats as usize * step.rooms {
                tick.tick().await;
                let room = n % step.rooms;
                let seq = seqs.entry(room).or_default();
                *seq += 1;
                let beat = sync::Message::Beat(sync::Transport {
                    leader: room as u32 + 1,
                    seq: *seq,
                    song: 1,
                    position: sync::MediaTime::from_micros(*seq as i64 * 100_000),
                    at: sync::HostTime::from_micros(*seq as i64 * 100_000),
                    rate: 1.0,
                    // Paused: the relay's work is the same, and the stamps (not on the room's
                    // clock) never read as a song played past its end, which the service
                    // would end.
                    playing: false,
                });
                let bytes = sync::wire::encode(&beat).expect("a beat encodes");
                sent.borrow_mut()[room][*seq as usize] = Some(Instant::now());
                singers[room]
                    .send(WsMessage::Binary(bytes.into()))
                    .await
                    .expect("the singer sends");
            }
            // The last beats arrive.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let wall = started.elapsed().as_secs_f64();
            let cpu = (cpu_seconds() - cpu_before) / wall;
            let service_cpu = service.cpu_seconds() - service_before;
            (rss_connected, cpu, service_cpu, wall)
        })
        .await;
    let (rss_connected, generator_cpu, service_cpu, wall) = measured;
    for task in tasks {
        task.abort();
    }
    drop(singers);
    drop(local);
    // Let the service notice the closed sockets before the next step measures its memory.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut latencies = latencies.take();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        latencies
            .get(((latencies.len().max(1) - 1) as f64 * q) as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let expected = (beats * step.listeners as u64) as f64;
    Measured {
        step,
        p50: at(0.5),
        p99: at(0.99),
        max: at(1.0),
        delivered: *received.borrow() as f64 / expected,
        bytes_per_listener: rss_connected.saturating_sub(rss_before) as f64 / step.listeners as f64,
        generator_cpu,
        service_cpu: service_cpu / wall,
        service_seconds_per_delivery: service_cpu / expected,
    }
}

/// This process's CPU time so far (user + system), in seconds.
fn cpu_seconds() -> f64 {
    use nix::sys::resource::{UsageWho, getrusage};
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 * 1e-6;
    getrusage(UsageWho::RUSAGE_SELF)
        .map_or(0.0, |u| seconds(u.user_time()) + seconds(u.system_time()))
}

/// Seconds one send of a beat-sized message to a loopback TCP socket takes, on `core`: `n`
/// connected pairs, `rounds` messages to each, nobody reading (the buffers hold them).
fn send_floor(core: usize, n: usize, rounds: usize) -> f64 {
    std::thread::spawn(move || {
        use std::io::Write;
        pin_to_core(core);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
        let address = listener.local_addr().expect("its address");
        let mut pairs = Vec::with_capacity(n);
        for _ in 0..n {
            let mut sender = std::net::TcpStream::connect(address).expect("a connection");
            let (receiver, _) = listener.accept().expect("accepted");
            sender.set_nodelay(true).expect("no delay");
            sender.write_all(b"warm").expect("a first send");
            pairs.push((sender, receiver));
        }
        let message = [0u8; 40];
        let started = Instant::now();
        for _ in 0..rounds {
            for (sender, _) in &mut pairs {
                sender.write_all(&message).expect("a send");
            }
        }
        started.elapsed().as_secs_f64() / (n * rounds) as f64
    })
    .join()
    .expect("the floor measures")
}

/// This process and the threads it starts run on `core` only.
fn pin_to_core(core: usize) {
    let mut set = nix::sched::CpuSet::new();
    if set.set(core).is_ok() {
        let _ = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set);
    }
}

/// One socket per listener here and one in the service: raise the soft limit to the hard one.
fn raise_open_files() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}
