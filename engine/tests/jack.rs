//! The engine on a real audio server: JACK with its dummy driver (headless, clocked like a
//! sound card), through cpal's JACK host, with a second JACK client standing in for the
//! singer's microphone and for a measuring instrument on the output.
//!
//! Each scenario runs in a child process of this test binary, alone, against a JACK server
//! of its own (the server is chosen by `JACK_DEFAULT_SERVER`, which must be set before the
//! process starts). The parent test starts the server with the period under test.
//!
//! The server runs in realtime mode where the machine allows it (root, or rtprio limits), as
//! a KTV box runs it: with `--no-realtime` on two busy cores, JACK's own clients miss cycles
//! (measured here: about 7 xruns a second at 128 frames, each costing the position clock a
//! period, −2% against the wall clock), whatever the engine does.

mod common;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use engine::driver::Driver;
use engine::driver::cpal::{CpalDriver, CpalSettings};
use engine::{Bus, EngineSettings, Event, HostClock, Original, SongSource};

const RATE: u32 = 48_000;

/// Set in a scenario's process; a scenario run any other way does nothing.
const SCENARIO_ENV: &str = "KTV_JACK_SCENARIO";

/// A JACK server with the dummy driver, stopped on drop.
struct JackServer {
    name: String,
    child: Child,
    /// The server's messages (where it says which client missed a cycle).
    log: std::path::PathBuf,
}

impl JackServer {
    fn start(period: u32) -> JackServer {
        static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("ktv-test-{}-{n}-p{period}", std::process::id());
        let realtime = Command::new("chrt")
            .args(["-f", "1", "true"])
            .status()
            .is_ok_and(|s| s.success());
        let mode = if realtime {
            "--realtime"
        } else {
            "--no-realtime"
        };
        println!("jackd {mode} -d dummy -p {period}");
        let log = std::env::temp_dir().join(format!("{name}.log"));
        let child = Command::new("jackd")
            .args(["-n", &name, mode, "-d", "dummy", "-r"])
            .arg(RATE.to_string())
            .args(["-p", &period.to_string()])
            .env("JACK_NO_AUDIO_RESERVATION", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start jackd (scripts/setup installs jackd2): {e}"));
        let server = JackServer { name, child, log };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let listed = Command::new("jack_lsp")
                .env("JACK_DEFAULT_SERVER", &server.name)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("system:playback_1"))
                .unwrap_or(false);
            if listed {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "jackd {} did not come up",
                server.name
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The server's xrun messages so far.
    fn xrun_log(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("XRun") || l.contains("finished"))
            .map(str::to_owned)
            .collect()
    }

    /// Runs the scenario test `name` of this binary in a child process against this server;
    /// returns its output lines.
    fn run_scenario(&self, name: &str) -> Vec<String> {
        let exe = std::env::current_exe().unwrap();
        let mut child = Command::new(exe)
            .args([
                "--exact",
                name,
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("JACK_DEFAULT_SERVER", &self.name)
            .env(SCENARIO_ENV, "1")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let lines: Vec<String> = std::io::BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map_while(Result::ok)
            .inspect(|line| println!("  | {line}"))
            .collect();
        let status = child.wait().unwrap();
        assert!(status.success(), "{name} failed on {}", self.name);
        lines
    }
}

impl Drop for JackServer {
    fn drop(&mut self) {
        // SIGTERM, so the server leaves JACK's shared registry (it holds eight servers; one
        // killed outright stays registered and a ninth cannot start).
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = std::fs::remove_file(&self.log);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The value after `key=` in the scenario's output.
fn reported(lines: &[String], key: &str) -> f64 {
    lines
        .iter()
        .find_map(|l| l.split_once(&format!("{key}=")))
        .and_then(|(_, v)| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {lines:?}"))
}

#[test]
fn the_engine_plays_on_jack_with_a_microphone_and_monitors_it_within_a_period() {
    // 256 frames (5.3 ms), a KTV box's usual period. On a shared two-core virtual machine the
    // server now and then misses a cycle whoever its clients are: its log then blames clients
    // that had not even been scheduled (state "Triggered", the trivial singer among them). So
    // a run with xruns is tried again, on a fresh server, up to three times; each attempt's
    // server log is shown.
    let mut attempts = Vec::new();
    for _ in 0..3 {
        let server = JackServer::start(256);
        let lines = server.run_scenario("scenario_ten_seconds_of_a_song_with_a_microphone");
        let causes = server.xrun_log();
        drop(server);
        let xruns = reported(&lines, "xruns_after_warmup");
        let drift = reported(&lines, "clock_vs_wall_percent");
        attempts.push(format!(
            "xruns after warm-up {xruns}, clock vs wall {drift:+.4}%, server: {causes:?}"
        ));
        // A server that missed cycles counted less time than passed: such an attempt's drift
        // measures the machine, not the engine (-0.34% with 23 xruns, -0.98% with 55, seen
        // here); an attempt without xruns is judged.
        if xruns == 0.0 {
            assert!(
                drift.abs() < 0.2,
                "the position clock drifts {drift}% from the wall clock"
            );
            break;
        }
    }
    println!("{}", attempts.join("\n"));
    assert!(
        attempts
            .last()
            .is_some_and(|a| a.starts_with("xruns after warm-up 0,")),
        "xruns in every attempt:\n{}",
        attempts.join("\n")
    );

    for period in [64u32, 128, 256] {
        let server = JackServer::start(period);
        let lines = server.run_scenario("scenario_monitor_round_trip");
        let round_trip = reported(&lines, "round_trip_frames");
        let event = reported(&lines, "event_latency_frames");
        // The probe's ports connect straight to the engine's: a loop, which JACK closes with
        // one period (the probe hears in a cycle what was played in the one before), so one
        // period is the least any client could show. The rest is the engine's: cpal's input
        // and output are separate JACK clients run in either order, with a ring between them.
        let added = round_trip - f64::from(period);
        println!(
            "period {period}: impulse round trip {round_trip} frames, of which the engine adds {added} (the loop itself one period); the engine's own figure {event} frames"
        );
        assert!(
            (0.0..=f64::from(period)).contains(&added),
            "the engine adds {added} frames, more than one {period}-frame period"
        );
    }
}

/// The twinkle demo song, its accompaniment and guide vocal.
fn demo_song() -> SongSource {
    // At run time (cargo sets it): a shared target folder may hold a test built elsewhere.
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into());
    let dir = std::path::Path::new(&manifest).join("../assets/twinkle");
    SongSource::two_files(dir.join("accompaniment.flac"), dir.join("guide.mp3"))
        .with_original(Original::VocalOnly)
}

/// Names of the JACK ports of this process's cpal clients.
fn cpal_port(client: &jack::Client, direction: &str) -> String {
    let pattern = format!("cpal_client_{}_{direction}:.*_0", std::process::id());
    client
        .ports(Some(&pattern), None, jack::PortFlags::empty())
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no cpal port matching {pattern}"))
}

fn jack_driver(clock: HostClock) -> CpalDriver {
    CpalDriver::new(
        CpalSettings {
            host: Some("JACK".into()),
            device: None,
            buffer_frames: None,
            input_device: None,
        },
        clock,
    )
}

#[test]
#[ignore = "run by the JACK test in a process of its own, against its own server"]
fn scenario_ten_seconds_of_a_song_with_a_microphone() {
    if std::env::var_os(SCENARIO_ENV).is_none() {
        return;
    }
    let clock = HostClock::start();
    let (mut handle, processor) = engine::new(EngineSettings {
        sample_rate: RATE,
        ..EngineSettings::default()
    });
    // The singer: the song's guide vocal, played into the engine's input by another client.
    let mut voice = Vec::new();
    let song = demo_song();
    engine::source::stream::decode_to_end(&song, RATE, |f| {
        voice.extend(f.chunks(4).map(|f| f[2]));
    })
    .unwrap();
    let (singer, _) =
        jack::Client::new("ktv_singer", jack::ClientOptions::NO_START_SERVER).unwrap();
    let mut out = singer
        .register_port("voice", jack::AudioOut::default())
        .unwrap();
    let mut at = 0usize;
    let singer = singer
        .activate_async(
            (),
            jack::contrib::ClosureProcessHandler::new(
                move |_: &jack::Client, ps: &jack::ProcessScope| {
                    for sample in out.as_mut_slice(ps) {
                        *sample = voice[at % voice.len()];
                        at += 1;
                    }
                    jack::Control::Continue
                },
            ),
        )
        .unwrap();

    handle.load(&song).unwrap();
    let mut dry = handle.tap(Bus::DryVoice, 4096).unwrap();
    let mut driver = jack_driver(clock);
    driver.set_microphone(handle.add_microphone().unwrap(), 0);
    driver.start(processor).unwrap();
    let input = cpal_port(singer.as_client(), "in");
    singer
        .as_client()
        .connect_ports_by_name("ktv_singer:voice", &input)
        .unwrap();
    handle.play().unwrap();

    // Warm-up: clients connecting can make the server miss a cycle.
    std::thread::sleep(Duration::from_secs(1));
    let xruns_before = driver.errors();
    let first = handle.clock();
    let first_wall = clock.now();
    std::thread::sleep(Duration::from_secs(10));
    let last = handle.clock();
    let last_wall = clock.now();
    let xruns = driver.errors() - xruns_before;

    let played = last.position_at(last_wall) - first.position_at(first_wall);
    let wall = last_wall.nanos_since(first_wall) as f64 * 1e-9;
    let drift = (played / f64::from(RATE) / wall - 1.0) * 100.0;
    let mut voice_heard = Vec::new();
    dry.drain_into(&mut voice_heard);
    let events = handle.poll_events();
    let latencies: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            Event::MonitorLatency { frames, .. } => Some(*frames),
            _ => None,
        })
        .collect();
    driver.stop().unwrap();
    drop(singer);

    println!("xruns_after_warmup={xruns}");
    println!("clock_vs_wall_percent={drift:.4}");
    println!("monitor_latency_events={latencies:?}");
    println!(
        "callbacks={} input_callbacks={}",
        driver.callbacks(),
        driver.input_callbacks()
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::Underrun { .. } | Event::DecodeError(_))),
        "{events:?}"
    );
    let level = common::rms(&voice_heard, 0);
    assert!(
        level > 0.01,
        "the microphone's voice reached the engine: rms {level}"
    );
}

#[test]
#[ignore = "run by the JACK test in a process of its own, against its own server"]
fn scenario_monitor_round_trip() {
    if std::env::var_os(SCENARIO_ENV).is_none() {
        return;
    }
    let clock = HostClock::start();
    let (mut handle, processor) = engine::new(EngineSettings {
        sample_rate: RATE,
        ..EngineSettings::default()
    });
    // The probe: an impulse out every quarter second, and a scan of what comes back.
    let (probe, _) = jack::Client::new("ktv_probe", jack::ClientOptions::NO_START_SERVER).unwrap();
    let mut impulse = probe
        .register_port("impulse", jack::AudioOut::default())
        .unwrap();
    let back = probe
        .register_port("return", jack::AudioIn::default())
        .unwrap();
    let (mut found, mut results) = rtrb::RingBuffer::<u32>::new(256);
    let mut sent_at: Option<u32> = None;
    let mut next = 0u32;
    let probe = probe
        .activate_async(
            (),
            jack::contrib::ClosureProcessHandler::new(
                move |_: &jack::Client, ps: &jack::ProcessScope| {
                    let now = ps.last_frame_time();
                    let out = impulse.as_mut_slice(ps);
                    out.fill(0.0);
                    if let Some(sent) = sent_at {
                        if let Some(k) = back.as_slice(ps).iter().position(|s| s.abs() > 0.25) {
                            let _ = found.push(now.wrapping_add(k as u32).wrapping_sub(sent));
                            sent_at = None;
                        } else if now.wrapping_sub(sent) > RATE / 8 {
                            // Lost (sent before the ports were connected): send another.
                            sent_at = None;
                        }
                    }
                    if sent_at.is_none() && now.wrapping_sub(next) < u32::MAX / 2 {
                        out[0] = 0.5;
                        sent_at = Some(now);
                        next = now.wrapping_add(RATE / 4);
                    }
                    jack::Control::Continue
                },
            ),
        )
        .unwrap();

    let mut driver = jack_driver(clock);
    driver.set_microphone(handle.add_microphone().unwrap(), 0);
    driver.start(processor).unwrap();
    let client = probe.as_client();
    client
        .connect_ports_by_name("ktv_probe:impulse", &cpal_port(client, "in"))
        .unwrap();
    client
        .connect_ports_by_name(&cpal_port(client, "out"), "ktv_probe:return")
        .unwrap();
    std::thread::sleep(Duration::from_secs(4));
    let mut trips = Vec::new();
    while let Ok(trip) = results.pop() {
        trips.push(trip);
    }
    let event = handle
        .poll_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::MonitorLatency { frames, .. } => Some(frames),
            _ => None,
        })
        .next_back();
    driver.stop().unwrap();
    drop(probe);
    // The first trips may cross clients connecting; the steady state is what a singer hears.
    let steady = &trips[trips.len().min(4)..];
    assert!(steady.len() >= 8, "too few round trips measured: {trips:?}");
    let (min, max) = (
        steady.iter().min().copied().unwrap_or(0),
        steady.iter().max().copied().unwrap_or(0),
    );
    println!("round_trips={trips:?}");
    println!("round_trip_frames={max} (min {min})");
    println!("event_latency_frames={}", event.unwrap_or(0));
}
