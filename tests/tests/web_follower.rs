//! The web page's follower (`room-service/web/sync/`, JavaScript) replays `sync-sim`'s
//! conformance vectors under node and makes exactly the Rust follower's decisions, output for
//! output; a vector changed in one bit must make it fail.

use std::process::Command;

use ktv_tests::process::workspace_root;
use serde_json::{Value, json};

fn replay(vectors: &str) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("ktv-web-follower-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("vectors-{}.json", vectors.len()));
    std::fs::write(&file, vectors).unwrap();
    let output = Command::new("node")
        .arg(workspace_root().join("room-service/web/sync/replay.mjs"))
        .arg(&file)
        .output()
        .expect("node is installed by scripts/setup");
    let _ = std::fs::remove_file(&file);
    output
}

#[test]
fn the_page_follower_matches_the_rust_follower_decision_for_decision() {
    let (_, recording) = sync_sim::record(&sync_sim::conformance_scenario(), 0);
    let steps = recording.steps.len();
    let json = serde_json::to_string(&recording).unwrap();
    let output = replay(&json);
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    assert!(said.contains(&format!("all {steps} steps match")), "{said}");

    // Changed input: one recorded rate decision off in its last digit must be caught.
    let mut changed = recording.clone();
    let step = changed
        .steps
        .iter_mut()
        .find_map(|s| {
            s.outputs.iter_mut().find_map(|o| match o {
                sync::Output::Steer(sync::Steer::Rate(rate)) => Some(rate),
                _ => None,
            })
        })
        .expect("the vectors hold a rate decision");
    *step = f64::from_bits(step.to_bits() + 1);
    let output = replay(&serde_json::to_string(&changed).unwrap());
    assert!(
        !output.status.success(),
        "a changed decision was not noticed"
    );
}

/// A leader's run, step by step, in the shape `conformance.mjs` replays: a singer that
/// starts, pauses, resumes, seeks, has its player jump, stops and starts again with another
/// tempo, against a room whose clock is offset and drifts, over a route with jitter.
fn record_leader() -> Value {
    use sync::{HostTime, Leader, LeaderConfig, MediaTime, Message, PlayerReport};
    use sync::{Pong, SongInfo, TimeDelta, TrackMode};

    let config = LeaderConfig::default();
    let session = 0x5eed_1ead;
    let mut now = HostTime::from_millis(1_000);
    let mut leader = Leader::new(config, session, now);
    let mut steps = vec![
        json!({ "now": now, "input": { "input": "start" }, "outputs": drain_leader(&mut leader) }),
    ];
    // xorshift: the jitter is random but the same every run.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let room_at = |local: HostTime| {
        // 5 s ahead, running 60 ppm fast.
        let micros = local.as_micros();
        HostTime::from_micros(micros + 5_000_000 + micros * 60 / 1_000_000)
    };
    let mut pongs: Vec<(HostTime, Pong)> = Vec::new();
    let mut deadline = now;
    let mut next_report = now;
    let song = |tempo: f32| SongInfo {
        song_id: "jasmine".into(),
        media: "/api/songs/jasmine/media/accompaniment".into(),
        track_mode: TrackMode::Accompaniment,
        key: 0.0,
        tempo,
    };
    // What the script does, at local milliseconds.
    let mut script: Vec<(i64, &str)> = vec![
        (1_500, "play"),
        (6_000, "pause"),
        (8_000, "resume"),
        (11_000, "seek"),
        (14_000, "jump"),
        (18_000, "stop"),
        (19_000, "play_fast"),
        (23_000, "end"),
    ];
    script.reverse();
    let mut jump = 0i64;
    loop {
        let action_at = HostTime::from_millis(script.last().expect("an end").0);
        let pong_at = pongs.iter().map(|(t, _)| *t).min();
        let next = [Some(deadline), pong_at, Some(next_report), Some(action_at)]
            .into_iter()
            .flatten()
            .min()
            .expect("a next event");
        now = next.max(now);
        let input = if now >= action_at {
            let (_, action) = script.pop().expect("an action");
            match action {
                "end" => break,
                "play" => {
                    leader.start(now, song(1.0), MediaTime::from_millis(2_000));
                    json!({ "input": "play", "song": song_json(&song(1.0)), "from": 2_000_000 })
                }
                "play_fast" => {
                    leader.start(now, song(1.1), MediaTime::ZERO);
                    json!({ "input": "play", "song": song_json(&song(1.1)), "from": 0 })
                }
                "pause" => {
                    leader.pause(now);
                    json!({ "input": "pause" })
                }
                "resume" => {
                    leader.resume(now);
                    json!({ "input": "resume" })
                }
                "seek" => {
                    leader.seek(now, MediaTime::from_millis(30_000));
                    json!({ "input": "seek", "to": 30_000_000 })
                }
                "jump" => {
                    jump = 250_000;
                    continue;
                }
                _ => {
                    leader.stop(now);
                    json!({ "input": "stop" })
                }
            }
        } else if pong_at == Some(now) {
            let i = pongs
                .iter()
                .position(|(t, _)| *t == now)
                .expect("the pong due");
            let (_, pong) = pongs.swap_remove(i);
            let message = Message::Pong(pong);
            leader.handle_message(now, &message);
            json!({ "input": "message", "message": message })
        } else if now >= next_report {
            next_report = now + TimeDelta::from_millis(10);
            let Some(planned) = leader.position_at(now) else {
                continue;
            };
            // The player's clock runs 30 ppm slow against ours, and jumps once.
            let playing = leader.position_at(now + TimeDelta::from_millis(1)) != Some(planned);
            let report = PlayerReport {
                position: planned - TimeDelta::from_micros(planned.as_micros() * 30 / 1_000_000)
                    + TimeDelta::from_micros(std::mem::take(&mut jump)),
                at: now,
                playing,
            };
            leader.handle_player(now, report);
            json!({ "input": "player", "report": report })
        } else {
            leader.handle_timeout(now);
            json!({ "input": "timeout" })
        };
        let outputs = drain_leader(&mut leader);
        for output in &outputs {
            if let Some(Value::Object(send)) = output.get("send")
                && send.get("type") == Some(&json!("ping"))
            {
                let ping: sync::Ping = serde_json::from_value(Value::Object(send.clone())).unwrap();
                let up = TimeDelta::from_micros(8_000 + (random() % 20_000) as i64);
                let down = TimeDelta::from_micros(8_000 + (random() % 20_000) as i64);
                let received = room_at(now + up);
                let pong = Pong {
                    id: ping.id,
                    ping_sent: ping.sent,
                    received,
                    sent: received,
                };
                pongs.push((now + up + down, pong));
            }
            if let Some(t) = output.get("timeout").and_then(Value::as_i64) {
                deadline = HostTime::from_micros(t);
            }
        }
        steps.push(json!({ "now": now, "input": input, "outputs": outputs }));
    }
    json!({ "kind": "leader", "config": config, "session": session, "steps": steps })
}

fn song_json(song: &sync::SongInfo) -> Value {
    json!({
        "song_id": song.song_id,
        "media": song.media,
        "track_mode": song.track_mode,
        "key": song.key,
        "tempo": song.tempo,
    })
}

fn drain_leader(leader: &mut sync::Leader) -> Vec<Value> {
    let mut outputs = Vec::new();
    loop {
        let output = leader.poll_output();
        let done = matches!(output, sync::Output::Timeout(_));
        outputs.push(serde_json::to_value(&output).unwrap());
        if done {
            return outputs;
        }
    }
}

#[test]
fn the_page_leader_matches_the_rust_leader_decision_for_decision() {
    let recording = record_leader();
    let steps = recording["steps"].as_array().unwrap().len();
    let sent = |name: &str| {
        recording["steps"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["outputs"].as_array().unwrap())
            .filter(|o| o["send"]["type"] == name)
            .count()
    };
    // The run exercises every change, and beats with a learnt clock.
    for name in ["song_start", "pause", "resume", "seek", "stop", "beat"] {
        assert!(sent(name) > 0, "no {name} was sent");
    }
    let output = replay(&recording.to_string());
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    assert!(said.contains(&format!("all {steps} steps match")), "{said}");

    // Changed input: one beat's room instant a microsecond off must be caught.
    let mut changed = recording.clone();
    let beat = changed["steps"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .rev()
        .flat_map(|s| s["outputs"].as_array_mut().unwrap().iter_mut())
        .find(|o| o["send"]["type"] == "beat")
        .expect("a beat");
    let at = beat["send"]["at"].as_i64().unwrap();
    beat["send"]["at"] = json!(at + 1);
    let output = replay(&changed.to_string());
    assert!(!output.status.success(), "a changed beat was not noticed");
}
