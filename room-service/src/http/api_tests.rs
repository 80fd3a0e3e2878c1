//! The room API through the router (`oneshot`): every rule reaches its route, every refusal
//! by role gets its status and the one error shape, and changes are stored before they are
//! acknowledged.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::*;

struct Api {
    router: Router,
    state: AppState,
}

impl Api {
    async fn new() -> Api {
        let song = |id: &str, seconds: f64| SongEntry {
            id: id.into(),
            title: id.into(),
            artist: None,
            duration: Some(seconds),
            folder: PathBuf::from("/lib").join(id),
            problem: None,
            search: Default::default(),
        };
        let state = tests::state_with(vec![song("jasmine", 101.8), song("farewell", 90.0)]).await;
        Api {
            router: router(state.clone()),
            state,
        }
    }

    async fn call(
        &self,
        method: Method,
        uri: &str,
        auth: Option<&Value>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(who) = auth {
            request = request.header(
                "authorization",
                format!(
                    "Bearer {}.{}",
                    who["member"],
                    who["secret"].as_str().unwrap()
                ),
            );
        }
        let body = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        let (status, bytes) = tests::send(self.router.clone(), request.body(body).unwrap()).await;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    async fn post(&self, uri: &str, auth: &Value, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, uri, Some(auth), Some(body)).await
    }
}

fn refused_with(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn a_room_run_through_the_api_with_every_refusal_by_role() {
    let api = Api::new().await;
    let (status, owner) = api
        .call(
            Method::POST,
            "/api/rooms",
            None,
            Some(json!({"name": "Friday", "owner_name": "Olivia", "password": "pw", "seats": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{owner}");
    let room = owner["room"].as_str().unwrap().to_owned();
    let token = owner["join_token"].as_str().unwrap().to_owned();
    let base = format!("/api/rooms/{room}");

    // Joining: the token, the password, a name.
    let join =
        |name: &str, password: &str| json!({"token": token, "name": name, "password": password});
    let (status, body) = api
        .call(
            Method::POST,
            &format!("{base}/members"),
            None,
            Some(join("A", "nope")),
        )
        .await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = api
        .call(
            Method::POST,
            "/api/rooms/nowhere/members",
            None,
            Some(join("A", "pw")),
        )
        .await;
    refused_with(status, &body, StatusCode::NOT_FOUND, "not_found");
    let mut members = Vec::new();
    for name in ["Alice", "Bob", "Carol"] {
        let (status, member) = api
            .call(
                Method::POST,
                &format!("{base}/members"),
                None,
                Some(join(name, "pw")),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{member}");
        members.push(member);
    }
    let (alice, bob, carol) = (&members[0], &members[1], &members[2]);

    // Who is calling: no header, a wrong secret.
    let (status, body) = api.call(Method::GET, &base, None, None).await;
    refused_with(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let forged = json!({"member": alice["member"], "secret": "guess"});
    let (status, body) = api.call(Method::GET, &base, Some(&forged), None).await;
    refused_with(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");

    // Seats: two, then full.
    assert_eq!(
        api.post(&format!("{base}/seats"), alice, json!({})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        api.post(&format!("{base}/seats"), bob, json!({})).await.0,
        StatusCode::OK
    );
    let (status, body) = api.post(&format!("{base}/seats"), carol, json!({})).await;
    refused_with(status, &body, StatusCode::CONFLICT, "refused");

    // Requests: the audience may not; unknown songs, bad presets and bad JSON are 4xx.
    let queue = format!("{base}/queue");
    let (status, body) = api.post(&queue, carol, json!({"song_id": "jasmine"})).await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = api.post(&queue, alice, json!({"song_id": "nope"})).await;
    refused_with(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = api
        .post(
            &queue,
            alice,
            json!({"song_id": "jasmine", "preset": {"key": 20.0, "tempo": 1.0, "mode": "guide"}}),
        )
        .await;
    refused_with(status, &body, StatusCode::BAD_REQUEST, "bad_request");
    let (status, body) = api.post(&queue, alice, json!({"song_id": 5})).await;
    refused_with(status, &body, StatusCode::BAD_REQUEST, "bad_request");
    let (status, body) = api
        .post(&queue, alice, json!({"song_id": "jasmine", "extra": 1}))
        .await;
    refused_with(status, &body, StatusCode::BAD_REQUEST, "bad_request");
    let (status, body) = api
        .post(
            &queue,
            bob,
            json!({"song_id": "jasmine", "walk_up": "Grandpa"}),
        )
        .await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");

    let (status, first) = api
        .post(
            &queue,
            alice,
            json!({"song_id": "jasmine", "preset": {"key": 2.0, "tempo": 1.0, "mode": "guide"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (_, a2) = api
        .post(&queue, alice, json!({"song_id": "farewell"}))
        .await;
    let (_, b1) = api.post(&queue, bob, json!({"song_id": "jasmine"})).await;
    let (status, walk_up) = api
        .post(
            &queue,
            &owner,
            json!({"song_id": "farewell", "walk_up": "Grandpa"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{walk_up}");

    // The first request went on stage at once, with its preset.
    let (_, view) = api.call(Method::GET, &base, Some(carol), None).await;
    assert_eq!(view["performance"]["request"]["id"], first["request"]);
    assert_eq!(view["performance"]["request"]["preset"]["key"], 2.0);
    let waiting: Vec<_> = view["queue"]["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(
        waiting,
        [
            a2["request"].clone(),
            b1["request"].clone(),
            walk_up["request"].clone()
        ]
    );
    assert!(
        view.to_string().find("secret").is_none(),
        "secrets leak: {view}"
    );

    // Pin and move: the owner only.
    let b1_id = b1["request"].as_u64().unwrap();
    let (status, body) = api
        .post(&format!("{queue}/{b1_id}/pin"), alice, json!({}))
        .await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        api.post(&format!("{queue}/{b1_id}/pin"), &owner, json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = api
        .post(&format!("{queue}/{b1_id}/move"), bob, json!({"index": 2}))
        .await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        api.post(
            &format!("{queue}/{b1_id}/move"),
            &owner,
            json!({"index": 2})
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );

    // Remove: one's own, or the owner any.
    let a2_id = a2["request"].as_u64().unwrap();
    let (status, body) = api
        .call(Method::DELETE, &format!("{queue}/{a2_id}"), Some(bob), None)
        .await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        api.call(
            Method::DELETE,
            &format!("{queue}/{a2_id}"),
            Some(alice),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = api
        .call(
            Method::DELETE,
            &format!("{queue}/{a2_id}"),
            Some(&owner),
            None,
        )
        .await;
    refused_with(status, &body, StatusCode::NOT_FOUND, "not_found");

    // Live controls and skip: the owner and the singer on stage.
    let controls = format!("{base}/controls");
    let (status, body) = api.post(&controls, bob, json!({"control": "pause"})).await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = api
        .post(
            &controls,
            carol,
            json!({"control": "key", "semitones": 1.0}),
        )
        .await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        api.post(
            &controls,
            alice,
            json!({"control": "key", "semitones": -3.0})
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = api
        .post(
            &controls,
            alice,
            json!({"control": "effect", "preset": "disco"}),
        )
        .await;
    refused_with(status, &body, StatusCode::BAD_REQUEST, "bad_request");
    let (status, body) = api.post(&format!("{base}/skip"), carol, json!({})).await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = api
        .post(&format!("{base}/performance/finished"), bob, json!({}))
        .await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    // Scores are the service's own: the singer's client cannot say one, on any route.
    for route in ["heartbeat", "finished"] {
        let (status, body) = api
            .post(
                &format!("{base}/performance/{route}"),
                alice,
                json!({"score": 1e9}),
            )
            .await;
        refused_with(status, &body, StatusCode::BAD_REQUEST, "bad_request");
    }
    assert_eq!(
        api.post(&format!("{base}/performance/finished"), alice, json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );

    // Owner-only seat actions.
    let (status, body) = api
        .post(
            &format!("{base}/seats/1/mute"),
            alice,
            json!({"muted": true}),
        )
        .await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        api.post(
            &format!("{base}/seats/1/mute"),
            &owner,
            json!({"muted": true})
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = api
        .call(Method::DELETE, &format!("{base}/seats/0"), Some(bob), None)
        .await;
    refused_with(status, &body, StatusCode::FORBIDDEN, "forbidden");

    // The result is stored: history and the song's leaderboard.
    let (status, history) = api
        .call(Method::GET, &format!("{base}/history"), Some(carol), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(history[0]["song_id"], "jasmine");
    assert_eq!(history[0]["singer"], "Alice");
    assert_eq!(history[0]["ending"], "finished");
    // No voice reached the service, so nothing was judged: no score, no place on the board.
    assert_eq!(history[0]["score"], Value::Null);
    let (_, board) = api
        .call(Method::GET, "/api/songs/jasmine/leaderboard", None, None)
        .await;
    assert_eq!(board, json!([]));

    // Everything acknowledged is in the store.
    let stored = api.state.store.load_rooms().await.unwrap();
    let live = api
        .state
        .rooms
        .get(&room)
        .unwrap()
        .read(|r| r.clone())
        .unwrap();
    assert_eq!(stored, vec![live]);
}

#[tokio::test]
async fn the_database_is_in_wal_mode_with_full_sync() {
    let api = Api::new().await;
    assert_eq!(api.state.store.pragma("journal_mode").await.unwrap(), "wal");
    // 2 = FULL: a committed transaction survives a power loss, not only a kill.
    assert_eq!(api.state.store.pragma("synchronous").await.unwrap(), "2");
}

#[tokio::test]
async fn unknown_api_paths_get_the_error_shape() {
    let api = Api::new().await;
    let (status, body) = api.call(Method::GET, "/api/nope", None, None).await;
    refused_with(status, &body, StatusCode::NOT_FOUND, "not_found");
}

/// The demo library, scanned as the service does.
async fn demo_library() -> Api {
    let root = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../assets");
    let songs = library::scan(&root).unwrap();
    let state = tests::state_with(songs).await;
    Api {
        router: router(state.clone()),
        state,
    }
}

#[tokio::test]
async fn songs_are_found_by_pinyin_initials_and_serve_lyrics_and_media_ranges() {
    let api = demo_library().await;
    let (status, found) = api.call(Method::GET, "/api/songs?q=mlh", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["jasmine"], "{found}");
    let (_, found) = api
        .call(Method::GET, "/api/songs?q=Susanna", None, None)
        .await;
    assert_eq!(found[0]["id"], "susanna");
    let (_, all) = api.call(Method::GET, "/api/songs", None, None).await;
    assert_eq!(all.as_array().unwrap().len(), 5);

    let (status, lyrics) = api
        .call(Method::GET, "/api/songs/jasmine/lyrics", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(lyrics["lines"].as_array().unwrap().len() > 4, "{lyrics}");
    assert!(!lyrics["notes"].as_array().unwrap().is_empty());

    // A range of the accompaniment: 206 with exactly those bytes.
    let file = library::media_file(
        &api.state.songs[1].folder,
        room_protocol::MediaKind::Accompaniment,
    )
    .unwrap()
    .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let id = &api.state.songs[1].id;
    let response = api
        .router
        .clone()
        .oneshot(
            Request::get(format!("/api/songs/{id}/media/accompaniment"))
                .header("range", "bytes=100-199")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    let range = response.headers()["content-range"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(range, format!("bytes 100-199/{}", bytes.len()));
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    assert_eq!(&body[..], &bytes[100..200]);

    let (status, body) = api
        .call(Method::GET, "/api/songs/nope/lyrics", None, None)
        .await;
    refused_with(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, _) = api
        .call(Method::GET, "/api/songs/jasmine/media/poster", None, None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // At a key and tempo: a rendering (FLAC), not the file; shifts out of range refused.
    let response = api
        .router
        .clone()
        .oneshot(
            Request::get(format!(
                "/api/songs/{id}/media/accompaniment?key=-2&tempo=0.9"
            ))
            .body(Body::empty())
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .unwrap();
    assert_eq!(&body[..4], b"fLaC");
    for wrong in ["key=30", "tempo=3", "key=x"] {
        let (status, _) = api
            .call(
                Method::GET,
                &format!("/api/songs/{id}/media/accompaniment?{wrong}"),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{wrong}");
    }
}

#[tokio::test]
async fn the_openapi_description_covers_every_route() {
    let api = Api::new().await;
    let (status, doc) = api.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/songs",
        "/api/songs/{song}/lyrics",
        "/api/songs/{song}/media/{kind}",
        "/api/songs/{song}/leaderboard",
        "/api/rooms",
        "/api/rooms/{room}",
        "/api/rooms/{room}/members",
        "/api/rooms/{room}/members/{member}",
        "/api/rooms/{room}/seats",
        "/api/rooms/{room}/seats/mine",
        "/api/rooms/{room}/seats/{seat}",
        "/api/rooms/{room}/seats/{seat}/mute",
        "/api/rooms/{room}/queue",
        "/api/rooms/{room}/queue/{request}",
        "/api/rooms/{room}/queue/{request}/pin",
        "/api/rooms/{room}/queue/{request}/move",
        "/api/rooms/{room}/skip",
        "/api/rooms/{room}/controls",
        "/api/rooms/{room}/performance/heartbeat",
        "/api/rooms/{room}/performance/finished",
        "/api/rooms/{room}/history",
        "/api/sync/config",
        "/api/qr.svg",
    ] {
        assert!(paths.contains_key(path), "{path} is not described");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "RoomView",
        "Queue",
        "Request",
        "Preset",
        "Control",
        "ErrorBody",
    ] {
        assert!(schemas.contains_key(schema), "{schema} is not described");
    }
}

#[tokio::test]
async fn a_judgement_is_stored_and_comes_back_with_its_room() {
    let api = Api::new().await;
    let (_, owner) = api
        .call(
            Method::POST,
            "/api/rooms",
            None,
            Some(json!({"name": "Friday", "owner_name": "Olivia"})),
        )
        .await;
    let room = owner["room"].as_str().unwrap().to_owned();
    let base = format!("/api/rooms/{room}");
    api.post(&format!("{base}/seats"), &owner, json!({})).await;
    let (status, first) = api
        .post(
            &format!("{base}/queue"),
            &owner,
            json!({"song_id": "jasmine"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    api.post(
        &format!("{base}/queue"),
        &owner,
        json!({"song_id": "farewell"}),
    )
    .await;
    let on_stage = |rooms: &[crate::room::Room]| {
        let room = rooms.iter().find(|r| r.id == room).unwrap();
        (room.performance.as_ref().map(|p| p.request.id), room.judged)
    };
    let rooms = api.state.store.load_rooms().await.unwrap();
    let (request, judged) = on_stage(&rooms);
    let request = request.expect("a song on stage");
    assert_eq!(judged, None);

    let progress = |notes: usize, score: f32| scoring::Progress {
        notes,
        lines: notes / 4,
        weight: notes as f32,
        credit: notes as f32 * score / 100.0,
        lines_judged: notes / 4,
        great_lines: 0,
    };
    let store = &api.state.store;
    store
        .save_judgement(&room, request, &progress(12, 80.0))
        .await
        .unwrap();
    // One that came less far (saved late) does not replace it.
    store
        .save_judgement(&room, request, &progress(8, 10.0))
        .await
        .unwrap();
    let rooms = store.load_rooms().await.unwrap();
    assert_eq!(on_stage(&rooms).1, Some((request, progress(12, 80.0))));

    // The song ends: the next song's room carries no judgement of the last.
    let (status, _) = api.post(&format!("{base}/skip"), &owner, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let rooms = store.load_rooms().await.unwrap();
    let (next, judged) = on_stage(&rooms);
    assert_ne!(next, Some(request));
    assert_eq!(judged, None);
}
