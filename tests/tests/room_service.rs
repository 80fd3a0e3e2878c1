//! The room service as a real process on 127.0.0.1: the queue rules and refusals by role over
//! HTTP, every change reaching another member's WebSocket in order, and acknowledged writes
//! surviving SIGKILL.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ktv_tests::process::{KtvProcess, Signal, http_call, serve};
use serde_json::{Value, json};

struct Server {
    process: KtvProcess,
    url: String,
}

fn database(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ktv-room-service-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("ktv.db")
}

fn start(database: &std::path::Path) -> Server {
    let (process, url) = serve("127.0.0.1:0", database);
    Server { process, url }
}

impl Server {
    fn call(
        &self,
        method: &str,
        path: &str,
        who: Option<&Value>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let bearer = who.map(|w| format!("{}.{}", w["member"], w["secret"].as_str().unwrap()));
        let body = body.map(|b| b.to_string());
        let (status, text) = http_call(
            method,
            &format!("{}{path}", self.url),
            bearer.as_deref(),
            body.as_deref(),
        )
        .expect("the server answers");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn create_room(server: &Server) -> (Value, String) {
    let (status, owner) = server.call(
        "POST",
        "/api/rooms",
        None,
        Some(json!({"name": "Test room", "owner_name": "Owner", "rules": {"max_songs": 2, "max_seconds": null, "fair_rotation": true}})),
    );
    assert_eq!(status, 201, "{owner}");
    let room = owner["room"].as_str().unwrap().to_owned();
    (owner, room)
}

fn join(server: &Server, room: &str, token: &Value, name: &str) -> Value {
    let (status, member) = server.call(
        "POST",
        &format!("/api/rooms/{room}/members"),
        None,
        Some(json!({"token": token, "name": name})),
    );
    assert_eq!(status, 201, "{member}");
    member
}

#[test]
fn queue_rules_and_refusals_by_role_over_http_and_changes_reach_other_members_in_order() {
    let db = database("rules");
    let server = start(&db);
    let (owner, room) = create_room(&server);
    let base = format!("/api/rooms/{room}");
    let (alice, bob, carol) = (
        join(&server, &room, &owner["join_token"], "Alice"),
        join(&server, &room, &owner["join_token"], "Bob"),
        join(&server, &room, &owner["join_token"], "Carol"),
    );

    // Carol listens on a WebSocket, as the page does.
    let ws_url = format!(
        "{}/api/rooms/{room}/ws?member={}&secret={}",
        server.url.replace("http://", "ws://"),
        carol["member"],
        carol["secret"].as_str().unwrap()
    );
    let (mut socket, _) = tungstenite::connect(ws_url).expect("the WebSocket opens");
    if let tungstenite::stream::MaybeTlsStream::Plain(stream) = socket.get_ref() {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
    }
    let mut next_event = || loop {
        let message = socket.read().expect("an event within 5 s");
        if let tungstenite::Message::Text(text) = message {
            let event: Value = serde_json::from_str(&text).unwrap();
            if event["type"] == "room" {
                return event["room"].clone();
            }
        }
    };
    let first = next_event();
    let mut version = first["version"].as_u64().unwrap();

    for who in [&alice, &bob] {
        assert_eq!(
            server
                .call("POST", &format!("{base}/seats"), Some(who), Some(json!({})))
                .0,
            200
        );
    }
    let request = |who: &Value, song: &str| {
        server.call(
            "POST",
            &format!("{base}/queue"),
            Some(who),
            Some(json!({"song_id": song})),
        )
    };
    assert_eq!(
        request(&carol, "jasmine").0,
        403,
        "the audience may not request"
    );
    assert_eq!(request(&alice, "jasmine").0, 201);
    assert_eq!(request(&alice, "farewell").0, 201);
    assert_eq!(request(&alice, "twinkle").0, 201);
    let (status, body) = request(&alice, "susanna");
    assert_eq!(status, 409, "over the limit of 2 waiting: {body}");
    assert_eq!(request(&bob, "tigers").0, 201);
    // Fair rotation: Alice is on stage (her first song), so Bob's first goes before her
    // second and third.
    let (_, view) = server.call("GET", &base, Some(&carol), None);
    let order: Vec<&str> = view["queue"]["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["song_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["tigers", "farewell", "twinkle"], "{view}");
    let twinkle = view["queue"]["waiting"][2]["id"].as_u64().unwrap();
    assert_eq!(
        server
            .call(
                "POST",
                &format!("{base}/queue/{twinkle}/pin"),
                Some(&alice),
                Some(json!({}))
            )
            .0,
        403
    );
    assert_eq!(
        server
            .call(
                "POST",
                &format!("{base}/queue/{twinkle}/pin"),
                Some(&owner),
                Some(json!({}))
            )
            .0,
        204
    );
    assert_eq!(
        server
            .call("POST", &format!("{base}/skip"), Some(&bob), Some(json!({})))
            .0,
        403
    );
    assert_eq!(
        server
            .call(
                "POST",
                &format!("{base}/skip"),
                Some(&alice),
                Some(json!({}))
            )
            .0,
        204
    );

    // Every change reached Carol, in order, none missed.
    let (_, now) = server.call("GET", &base, Some(&carol), None);
    let last = now["version"].as_u64().unwrap();
    let started = Instant::now();
    while version < last {
        let event = next_event();
        let v = event["version"].as_u64().unwrap();
        assert_eq!(v, version + 1, "a change was missed or reordered");
        version = v;
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(
        now["performance"]["request"]["song_id"], "twinkle",
        "the pinned song is on after the skip"
    );
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let db = database("sigkill");
    let server = start(&db);
    let (owner, room) = create_room(&server);
    let base = format!("/api/rooms/{room}");
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    // Two writers add walk-up singers' songs as fast as the server acknowledges them.
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (url, owner, base) = (server.url.clone(), owner.clone(), base.clone());
            let (acknowledged, stop) = (Arc::clone(&acknowledged), Arc::clone(&stop));
            std::thread::spawn(move || {
                let bearer = format!("{}.{}", owner["member"], owner["secret"].as_str().unwrap());
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let body = json!({"song_id": "jasmine", "walk_up": format!("guest {w}-{i}")})
                        .to_string();
                    match http_call(
                        "POST",
                        &format!("{url}{base}/queue"),
                        Some(&bearer),
                        Some(&body),
                    ) {
                        Ok((201, text)) => {
                            let id = serde_json::from_str::<Value>(&text).unwrap()["request"]
                                .as_u64()
                                .unwrap();
                            acknowledged.lock().unwrap().push(id);
                        }
                        // The server died under us: what was not acknowledged may be lost.
                        _ => break,
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 60 {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.process.signal(Signal::SIGKILL);
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    drop(server);

    let server = start(&db);
    let (status, view) = server.call("GET", &base, Some(&owner), None);
    assert_eq!(status, 200, "the room is back: {view}");
    let mut kept: Vec<u64> = view["queue"]["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            view["performance"]["request"]
                .as_object()
                .map(|_| &view["performance"]["request"]),
        )
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    kept.sort_unstable();
    let missing: Vec<_> = acknowledged
        .iter()
        .filter(|id| kept.binary_search(id).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but lost: {missing:?} of {}",
        acknowledged.len()
    );
}

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

fn open_socket(server: &Server, room: &str, who: &Value) -> Socket {
    let url = format!(
        "{}/api/rooms/{room}/ws?member={}&secret={}",
        server.url.replace("http://", "ws://"),
        who["member"],
        who["secret"].as_str().unwrap()
    );
    let (socket, _) = tungstenite::connect(url).expect("the WebSocket opens");
    if let tungstenite::stream::MaybeTlsStream::Plain(stream) = socket.get_ref() {
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
    }
    socket
}

/// Everything `socket` receives within the read timeout, room state events left out.
fn drain(socket: &mut Socket) -> Vec<tungstenite::Message> {
    let mut got = Vec::new();
    while let Ok(message) = socket.read() {
        let is_state =
            matches!(&message, tungstenite::Message::Text(t) if t.contains("\"type\":\"room\""));
        if !is_state {
            got.push(message);
        }
    }
    got
}

#[test]
fn the_singer_on_stage_is_relayed_and_pings_are_answered_by_the_room() {
    let db = database("relay");
    let server = start(&db);
    let (owner, room) = create_room(&server);
    let base = format!("/api/rooms/{room}");
    let (alice, bob, carol) = (
        join(&server, &room, &owner["join_token"], "Alice"),
        join(&server, &room, &owner["join_token"], "Bob"),
        join(&server, &room, &owner["join_token"], "Carol"),
    );
    for who in [&alice, &bob] {
        server.call("POST", &format!("{base}/seats"), Some(who), Some(json!({})));
    }
    let (status, _) = server.call(
        "POST",
        &format!("{base}/queue"),
        Some(&alice),
        Some(json!({"song_id": "jasmine"})),
    );
    assert_eq!(status, 201);
    let (mut singer, mut other, mut listener) = (
        open_socket(&server, &room, &alice),
        open_socket(&server, &room, &bob),
        open_socket(&server, &room, &carol),
    );
    drain(&mut listener);
    let beat = |seq: u64| {
        sync::Message::Beat(sync::Transport {
            leader: 9,
            seq,
            song: 1,
            position: sync::MediaTime::from_millis(5_000),
            at: sync::HostTime::from_millis(1_000),
            rate: 1.0,
            playing: true,
        })
    };
    // The singer on stage: relayed. Someone else: not.
    singer
        .send(tungstenite::Message::Binary(
            sync::wire::encode(&beat(1)).unwrap().into(),
        ))
        .unwrap();
    other
        .send(tungstenite::Message::Binary(
            sync::wire::encode(&beat(2)).unwrap().into(),
        ))
        .unwrap();
    let pitch = serde_json::to_string(&scoring::LiveEvent::Pitch {
        voice: lyrics::Voice::P1,
        time: lyrics::SongTime::from_millis(5_000),
        midi: Some(64.2),
    })
    .unwrap();
    let pitch = pitch.as_str();
    singer
        .send(tungstenite::Message::Text(pitch.into()))
        .unwrap();
    let got = drain(&mut listener);
    let beats: Vec<_> = got
        .iter()
        .filter_map(|m| match m {
            tungstenite::Message::Binary(b) => sync::wire::decode(b).ok().flatten(),
            _ => None,
        })
        .collect();
    assert_eq!(beats, vec![beat(1)], "only the singer's beat: {got:?}");
    // A scoring event of the singer's own is not the room's: its scores are the service's,
    // judged from the voice (tests/tests/referee.rs).
    assert!(
        !got.iter()
            .any(|m| matches!(m, tungstenite::Message::Text(t) if t.as_str() == pitch)),
        "the singer's own pitch event was relayed: {got:?}"
    );
    // Beats past 30 a second are dropped, not relayed.
    for seq in 10..110 {
        singer
            .send(tungstenite::Message::Binary(
                sync::wire::encode(&beat(seq)).unwrap().into(),
            ))
            .unwrap();
    }
    let relayed = drain(&mut listener).len();
    assert!(
        (10..=30).contains(&relayed),
        "{relayed} of 100 beats sent at once were relayed"
    );

    // Clock pings are answered with the room's clock, in the form they came.
    let ping = sync::Message::Ping(sync::Ping {
        id: 7,
        sent: sync::HostTime::from_micros(123),
    });
    listener
        .send(tungstenite::Message::Text(
            sync::wire::to_json(&ping).unwrap().into(),
        ))
        .unwrap();
    let pong = drain(&mut listener)
        .into_iter()
        .find_map(|m| match m {
            tungstenite::Message::Text(t) => sync::wire::from_json(&t).ok().flatten(),
            _ => None,
        })
        .expect("a pong");
    let sync::Message::Pong(pong) = pong else {
        panic!("{pong:?}")
    };
    assert_eq!(
        (pong.id, pong.ping_sent),
        (7, sync::HostTime::from_micros(123))
    );
    assert!(pong.sent >= pong.received);
}

#[test]
fn a_member_who_stops_reading_holds_nobody_back() {
    let db = database("slow");
    let server = start(&db);
    let (owner, room) = create_room(&server);
    let base = format!("/api/rooms/{room}");
    let (stuck, reader) = (
        join(&server, &room, &owner["join_token"], "Stuck"),
        join(&server, &room, &owner["join_token"], "Reader"),
    );
    // One member's socket is opened and never read again.
    let _stuck = open_socket(&server, &room, &stuck);
    let mut socket = open_socket(&server, &room, &reader);
    if let tungstenite::stream::MaybeTlsStream::Plain(stream) = socket.get_ref() {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
    }
    let first = loop {
        if let tungstenite::Message::Text(t) = socket.read().unwrap() {
            break serde_json::from_str::<Value>(&t).unwrap()["room"]["version"]
                .as_u64()
                .unwrap();
        }
    };
    // 400 changes (seat taken and left, over and over), each acknowledged.
    let started = Instant::now();
    for _ in 0..200 {
        assert_eq!(
            server
                .call(
                    "POST",
                    &format!("{base}/seats"),
                    Some(&reader),
                    Some(json!({}))
                )
                .0,
            200
        );
        assert_eq!(
            server
                .call("DELETE", &format!("{base}/seats/mine"), Some(&reader), None)
                .0,
            204
        );
    }
    let mut version = first;
    while version < first + 400 {
        if let tungstenite::Message::Text(t) =
            socket.read().expect("the reader keeps getting changes")
        {
            let v = serde_json::from_str::<Value>(&t).unwrap()["room"]["version"]
                .as_u64()
                .unwrap();
            assert_eq!(v, version + 1);
            version = v;
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_watcher_with_the_join_link_hears_the_room_and_cannot_speak_for_it() {
    let db = database("watch");
    let server = start(&db);
    let (owner, room) = create_room(&server);
    let base = format!("/api/rooms/{room}");
    let ws = server.url.replace("http://", "ws://");
    let token = owner["join_token"].as_str().unwrap();
    // A wrong token is refused before the socket opens.
    let refused = tungstenite::connect(format!("{ws}{base}/ws?token=nope"));
    assert!(
        matches!(&refused, Err(tungstenite::Error::Http(r)) if r.status() == 403),
        "{refused:?}"
    );
    let (mut watcher, _) =
        tungstenite::connect(format!("{ws}{base}/ws?token={token}")).expect("a watcher connects");
    if let tungstenite::stream::MaybeTlsStream::Plain(stream) = watcher.get_ref() {
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
    }
    let first = watcher.read().unwrap();
    assert!(
        matches!(&first, tungstenite::Message::Text(t) if t.contains("\"type\":\"room\"")),
        "{first:?}"
    );
    // Counted without being a member.
    let (_, view) = server.call("GET", &base, Some(&owner), None);
    assert_eq!(view["watching"], 1, "{view}");
    assert_eq!(view["members"].as_array().unwrap().len(), 1, "{view}");

    // The singer on stage reaches the watcher; the watcher's beats reach nobody.
    server.call(
        "POST",
        &format!("{base}/seats"),
        Some(&owner),
        Some(json!({})),
    );
    server.call(
        "POST",
        &format!("{base}/queue"),
        Some(&owner),
        Some(json!({"song_id": "jasmine"})),
    );
    let mut singer = open_socket(&server, &room, &owner);
    drain(&mut singer);
    drain(&mut watcher);
    let beat = |leader: u32| {
        sync::Message::Beat(sync::Transport {
            leader,
            seq: 1,
            song: 1,
            position: sync::MediaTime::from_millis(5_000),
            at: sync::HostTime::from_millis(1_000),
            rate: 1.0,
            // Paused: its instant is not on the room's clock, so playing it would read as a
            // song long past its end, which the service ends (and stops for the singer).
            playing: false,
        })
    };
    let send = |socket: &mut Socket, leader: u32| {
        socket
            .send(tungstenite::Message::Binary(
                sync::wire::encode(&beat(leader)).unwrap().into(),
            ))
            .unwrap();
    };
    send(&mut singer, 1);
    send(&mut watcher, 2);
    let heard: Vec<_> = drain(&mut watcher)
        .iter()
        .filter_map(|m| match m {
            tungstenite::Message::Binary(b) => sync::wire::decode(b).ok().flatten(),
            _ => None,
        })
        .collect();
    assert_eq!(heard, vec![beat(1)]);
    let to_singer = drain(&mut singer);
    assert!(
        to_singer.is_empty(),
        "the watcher's beat was relayed: {to_singer:?}"
    );
    drop(watcher);
    std::thread::sleep(Duration::from_millis(200));
    let (_, view) = server.call("GET", &base, Some(&owner), None);
    assert_eq!(view["watching"], 0, "{view}");
}
