//! The HTTP service: routes, shared state and the serve loop.
//!
//! [`serve`] runs until its shutdown future completes, then stops accepting, lets requests in
//! flight finish and returns. Tests pass a listener bound to `127.0.0.1:0`.

mod api;
#[cfg(test)]
mod api_tests;
mod error;
mod judging;
mod openapi;
mod page;
mod songs;
mod udp;
mod ws;

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::{delete, get, post};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

pub use api::{Caller, now_ms};

use crate::library::shifted::ShiftedMedia;
use crate::library::{self, SongEntry};
use crate::referee::Referees;
use crate::room::Effect;
use crate::room::registry::Registry;
use crate::store::{SqliteStore, Store};
use crate::tls::Tls;
use crate::{Error, Result};

/// What the service serves.
#[derive(Debug)]
pub struct ServeConfig {
    /// The song library folder: one sub-folder with a `song.toml` per song.
    pub library: PathBuf,
    /// The SQLite database file (created if missing).
    pub database: PathBuf,
    /// HTTPS instead of HTTP, if set.
    pub tls: Option<Tls>,
    /// HTTPS beside the main listener (which then serves plain HTTP): what `ktv serve` does on
    /// a LAN by default, so phones get the microphone without any flag.
    pub https_beside: Option<HttpsBeside>,
    /// The `https://` address that phones should open, if the service has one (the main
    /// listener's when it serves TLS, else the one beside it): the page puts it in its join
    /// links and QR codes, and a page opened on an insecure origin goes there.
    pub https_url: Option<String>,
}

/// A second listener, serving the same service over TLS.
#[derive(Debug)]
pub struct HttpsBeside {
    /// Bound already (so the caller can print its address).
    pub listener: TcpListener,
    /// Its certificate.
    pub tls: Tls,
}

/// "Up next" shows (and the next song is locked) this long before a song ends (ms).
pub const UP_NEXT_MS: u64 = 30_000;

/// A singer whose client has been silent this long loses the stage (ms).
pub const HEARTBEAT_TIMEOUT_MS: u64 = 15_000;

/// A singer on stage whose last socket closed is given this long to come back (a dropped
/// line reconnects within it; a closed tab does not), before the song ends. With the
/// once-a-second check the room moves on within 4 s.
pub const SINGER_LEFT_GRACE_MS: u64 = 3_000;

/// Sync messages buffered per member before a slow one is dropped.
const RELAY_BUFFER: usize = 512;

/// State shared by every request; cheap to clone.
#[derive(Clone)]
pub(crate) struct AppState {
    library: PathBuf,
    songs: Arc<Vec<SongEntry>>,
    rooms: Arc<Registry>,
    store: Arc<SqliteStore>,
    /// The rooms' time reference (answers clock pings).
    clock: sync::net::NetClock,
    relays: Arc<Mutex<HashMap<String, broadcast::Sender<Arc<ws::Relayed>>>>>,
    /// The singer's audio over UDP, where the port could be bound.
    udp: Option<Arc<udp::AudioUdp>>,
    /// The service's judges of the songs on stage.
    referees: Arc<Referees>,
    /// The `https://` address phones should use, if any ([`ServeConfig::https_url`]).
    https_url: Option<String>,
    /// Songs' audio rendered at other keys and tempos, for the page.
    pub(crate) shifted: Arc<ShiftedMedia>,
}

impl AppState {
    /// The room's sync relay.
    fn relay(&self, room: &str) -> Result<broadcast::Sender<Arc<ws::Relayed>>> {
        let mut relays = self
            .relays
            .lock()
            .map_err(|_| Error::Internal("the relay table's lock was poisoned".into()))?;
        Ok(relays
            .entry(room.to_owned())
            .or_insert_with(|| broadcast::channel(RELAY_BUFFER).0)
            .clone())
    }
}

/// Builds the router.
fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/songs", get(songs::list))
        .route("/songs/{song}", get(songs::details))
        .route("/songs/{song}/lyrics", get(songs::lyrics))
        .route("/songs/{song}/media/{kind}", get(songs::media))
        .route("/songs/{song}/leaderboard", get(api::leaderboard))
        .route("/rooms", post(api::create_room))
        .route("/rooms/{room}", get(api::get_room))
        .route("/rooms/{room}/members", post(api::join_room))
        .route("/rooms/{room}/members/{member}", delete(api::remove_member))
        .route("/rooms/{room}/seats", post(api::take_seat))
        .route("/rooms/{room}/seats/mine", delete(api::leave_seat))
        .route("/rooms/{room}/seats/{seat}", delete(api::free_seat))
        .route("/rooms/{room}/seats/{seat}/mute", post(api::mute_seat))
        .route("/rooms/{room}/queue", post(api::request_song))
        .route("/rooms/{room}/queue/{request}", delete(api::remove_request))
        .route("/rooms/{room}/queue/{request}/pin", post(api::pin_request))
        .route(
            "/rooms/{room}/queue/{request}/move",
            post(api::move_request),
        )
        .route("/rooms/{room}/skip", post(api::skip))
        .route("/rooms/{room}/controls", post(api::control))
        .route("/rooms/{room}/performance/heartbeat", post(api::heartbeat))
        .route("/rooms/{room}/performance/finished", post(api::finished))
        .route("/rooms/{room}/history", get(api::history))
        .route("/rooms/{room}/ws", get(ws::connect))
        .route("/sync/config", get(sync_config))
        .route("/sync/leader", get(sync_leader))
        .route("/service", get(service_info))
        .route("/qr.svg", get(page::qr_svg))
        .route("/openapi.json", get(openapi_json))
        .fallback(api::not_found);
    Router::new()
        .route("/", get(index))
        .route("/web/{*path}", get(page::asset))
        .nest("/api", api)
        .with_state(state)
}

/// `GET /api/sync/config`: the rules a listener follows the singer by (the `sync` crate's
/// follower configuration), so the web page's port of the follower runs with the same numbers.
#[utoipa::path(get, path = "/api/sync/config", responses((status = 200, description = "the sync crate's FollowerConfig", body = Object)))]
pub(crate) async fn sync_config() -> axum::Json<sync::FollowerConfig> {
    axum::Json(sync::FollowerConfig::default())
}

/// `GET /api/sync/leader`: the rules a singer leads the room by (the `sync` crate's leader
/// configuration), so a page that sings leads with the same numbers as `ktv sing`.
#[utoipa::path(get, path = "/api/sync/leader", responses((status = 200, description = "the sync crate's LeaderConfig", body = Object)))]
pub(crate) async fn sync_leader() -> axum::Json<sync::LeaderConfig> {
    axum::Json(sync::LeaderConfig::default())
}

/// What a page needs to know of the service it was served by.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ServiceInfo {
    /// The `https://` address phones should open (the microphone needs a secure origin), if
    /// the service serves HTTPS.
    https_url: Option<String>,
}

/// `GET /api/service`: the service's addresses, for the page's join links.
#[utoipa::path(get, path = "/api/service", responses((status = 200, description = "the service's addresses", body = ServiceInfo)))]
pub(crate) async fn service_info(State(state): State<AppState>) -> axum::Json<ServiceInfo> {
    axum::Json(ServiceInfo {
        https_url: state.https_url.clone(),
    })
}

async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    use utoipa::OpenApi;
    axum::Json(openapi::ApiDoc::openapi())
}

/// Scans the library, opens the database and loads its rooms, then serves HTTP on `listener`
/// until `shutdown` completes.
pub async fn serve(
    config: ServeConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let mut state = state(&config).await?;
    // UDP beside TCP, on the same port: the audio path for clients that can use it. The
    // service runs without it if the port is taken.
    let udp = match listener.local_addr() {
        Ok(address) => match udp::AudioUdp::bind(address, state.clock.clone()).await {
            Ok(udp) => Some(Arc::new(udp)),
            Err(e) => {
                tracing::warn!("no UDP audio path on {address}: {e}");
                None
            }
        },
        Err(_) => None,
    };
    // The background tasks stop when their handles drop: when serving ends, and also when
    // this future is dropped before it does.
    let _udp_task = udp
        .clone()
        .map(|udp| AbortOnDropHandle::new(tokio::spawn(udp.serve())));
    state.udp = udp;
    let _housekeeping = AbortOnDropHandle::new(tokio::spawn(housekeeping(state.clone())));
    let app = router(state);
    let stop = CancellationToken::new();
    let _shutdown = AbortOnDropHandle::new(tokio::spawn({
        let stop = stop.clone();
        async move {
            shutdown.await;
            stop.cancel();
        }
    }));
    let main = serve_on(listener, config.tls, app.clone(), stop.clone());
    match config.https_beside {
        Some(beside) => {
            let secure = serve_on(beside.listener, Some(beside.tls), app, stop);
            tokio::try_join!(main, secure).map(|_| ())
        }
        None => main.await,
    }
}

/// Serves `app` on `listener` (over TLS if `tls` is set) until `stop` is cancelled.
async fn serve_on(
    listener: TcpListener,
    tls: Option<Tls>,
    app: Router,
    stop: CancellationToken,
) -> Result<()> {
    let Some(tls) = tls else {
        return axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
            .map_err(Error::Serve);
    };
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    let _shutdown = AbortOnDropHandle::new(tokio::spawn(async move {
        stop.cancelled().await;
        // Requests in flight get this long; open WebSockets are closed after it.
        stopping.graceful_shutdown(Some(Duration::from_secs(5)));
    }));
    let listener = listener.into_std().map_err(Error::Serve)?;
    axum_server::from_tcp_rustls(listener, tls.config)
        .map_err(Error::Serve)?
        .handle(handle)
        .serve(app.into_make_service())
        .await
        .map_err(Error::Serve)
}

/// The service's state: the library scanned, the rooms loaded.
async fn state(config: &ServeConfig) -> Result<AppState> {
    let songs = library::scan(&config.library)?;
    for song in &songs {
        if let Some(problem) = &song.problem {
            tracing::warn!(song = %song.id, "{problem}");
        }
    }
    tracing::info!(
        songs = songs.len(),
        library = %config.library.display(),
        "song library scanned"
    );
    let store = SqliteStore::open(&config.database).await?;
    let rooms = Registry::default();
    let now = now_ms();
    for mut room in store.load_rooms().await? {
        room.restored(now);
        rooms.insert(room)?;
    }
    Ok(AppState {
        library: config.library.clone(),
        songs: Arc::new(songs),
        rooms: Arc::new(rooms),
        store: Arc::new(store),
        clock: room_clock(),
        relays: Arc::default(),
        udp: None,
        referees: Arc::default(),
        https_url: config.https_url.clone(),
        shifted: Arc::new(ShiftedMedia::new(
            config
                .database
                .parent()
                .unwrap_or_else(|| std::path::Path::new("."))
                .join("media-cache"),
        )),
    })
}

/// Where the rooms' clock reads zero: 2026-01-01T00:00:00Z on the wall clock.
const ROOM_CLOCK_EPOCH_SECS: u64 = 1_767_225_600;

/// The rooms' clock: the wall clock's microseconds since [`ROOM_CLOCK_EPOCH_SECS`] when the
/// service starts, then the monotonic clock. A restarted service reads on where the last one
/// left off, so the clock estimates of the singer and every listener survive the restart
/// (a clock that restarted at zero would look to them like a jump of the service's uptime).
/// Values stay far below 2^53 µs, exact in the web page's numbers, for centuries.
fn room_clock() -> sync::net::NetClock {
    let epoch = std::time::UNIX_EPOCH + Duration::from_secs(ROOM_CLOCK_EPOCH_SECS);
    let since = std::time::SystemTime::now()
        .duration_since(epoch)
        .unwrap_or_default();
    let offset = sync::TimeDelta::from_micros(i64::try_from(since.as_micros()).unwrap_or(0));
    sync::net::NetClock::new(
        std::time::Instant::now(),
        sync::time::HostClock {
            offset,
            ..Default::default()
        },
    )
}

/// Tells the room's players the song is over, in the singer's name: a stop after their last
/// sync message (the next sequence number of their session), for a song the service ended
/// because the singer left, went silent or let the music run out, so no listener plays on.
fn stop_for_the_singer(
    state: &AppState,
    room_id: &str,
    last: sync::Transport,
    now: sync::HostTime,
) {
    let stop = sync::Message::Stop(sync::Transport {
        seq: last.seq + 1,
        position: last.position_at(now),
        at: now,
        playing: false,
        ..last
    });
    if let (Ok(relay), Some(payload)) = (state.relay(room_id), ws::encode_once(&stop)) {
        let _ = relay.send(std::sync::Arc::new(ws::Relayed {
            from: None,
            payload,
        }));
    }
}

/// Once a second: ends performances whose singer went silent; once a minute: closes rooms
/// idle past their expiry.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut seconds = 0u64;
    loop {
        tick.tick().await;
        seconds += 1;
        let now = now_ms();
        for id in state.rooms.ids().unwrap_or_default() {
            let Ok(live) = state.rooms.get(&id) else {
                continue;
            };
            let room_clock = state.clock.now();
            let ended = live.act(|room| {
                let timeline = room.timeline.map(|(_, t)| t);
                let ended = if let Some(effect) = room.check_singer_left(SINGER_LEFT_GRACE_MS, now)
                {
                    Some(("the singer left", effect))
                } else if let Some(effect) = room.check_heartbeat(HEARTBEAT_TIMEOUT_MS, now) {
                    Some(("the singer went silent", effect))
                } else {
                    room.check_music_end(room_clock, now)
                        .map(|e| ("the music ended", e))
                };
                match ended {
                    Some((why, effect)) => Ok(((why, timeline), effect)),
                    None => Err(Error::Refused {
                        action: "end the song",
                        reason: "nothing to do".into(),
                    }),
                }
            });
            if let Ok(((why, timeline), effect, room)) = ended {
                if let Some(timeline) = timeline {
                    stop_for_the_singer(&state, &id, timeline, room_clock);
                }
                if let Effect::Ended(request, result) = effect {
                    tracing::info!(room = %id, song = %result.song_id, "{why}; moving on");
                    if let Err(e) = judging::store_result(&state, &id, request, result).await {
                        tracing::error!("{e}");
                    }
                }
                if let Err(e) = state.store.save_room(&room).await {
                    tracing::error!("{e}");
                }
            }
            // "Up next" goes on screen in the song's last half minute: from then on the next
            // song stays next.
            let announced = live.act(|room| {
                let due = room.performance.as_ref().is_some_and(|p| {
                    p.started_at + u64::from(p.request.seconds) * 1000 <= now + UP_NEXT_MS
                });
                let before = room.version;
                if due {
                    room.announce_next(now);
                }
                if room.version == before {
                    return Err(Error::Refused {
                        action: "announce the next song",
                        reason: "nothing to announce".into(),
                    });
                }
                Ok(((), Effect::State))
            });
            if let Ok(((), _, room)) = announced
                && let Err(e) = state.store.save_room(&room).await
            {
                tracing::error!("{e}");
            }
        }
        if seconds.is_multiple_of(60) {
            for id in state.rooms.expire(now).unwrap_or_default() {
                tracing::info!(room = %id, "closed after being idle");
                if let Err(e) = state.store.delete_room(&id).await {
                    tracing::error!("{e}");
                }
            }
        }
    }
}

async fn index(State(state): State<AppState>) -> Html<String> {
    Html(page::index(&state.library, &state.songs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `request` through the router and reads the whole answer.
    pub(super) async fn send(
        router: Router,
        request: axum::http::Request<axum::body::Body>,
    ) -> (axum::http::StatusCode, axum::body::Bytes) {
        use tower::ServiceExt;
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await;
        (status, bytes.unwrap())
    }

    async fn get_body(router: Router, uri: &str) -> (axum::http::StatusCode, String) {
        let request = axum::http::Request::get(uri).body(axum::body::Body::empty());
        let (status, bytes) = send(router, request.unwrap()).await;
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    pub(super) async fn state_with(songs: Vec<SongEntry>) -> AppState {
        let dir = std::env::temp_dir().join(format!("ktv-http-{}", api::token(12)));
        let store = SqliteStore::open(&dir.join("ktv.db")).await.unwrap();
        AppState {
            library: PathBuf::from("/lib"),
            songs: Arc::new(songs),
            rooms: Arc::default(),
            store: Arc::new(store),
            clock: sync::net::NetClock::system(),
            relays: Arc::default(),
            udp: None,
            referees: Arc::default(),
            https_url: Some("https://192.0.2.7:8443/".into()),
            shifted: Arc::new(ShiftedMedia::new(dir.join("media-cache"))),
        }
    }

    fn song(id: &str, title: &str) -> SongEntry {
        SongEntry {
            id: id.into(),
            title: title.into(),
            artist: Some("Trad.".into()),
            duration: Some(100.0),
            folder: PathBuf::from("/lib").join(id),
            problem: None,
            search: Default::default(),
        }
    }

    #[tokio::test]
    async fn index_lists_the_songs() {
        let router =
            router(state_with(vec![song("jasmine", "茉莉花"), song("twinkle", "Twinkle")]).await);
        let (status, body) = get_body(router, "/").await;
        assert_eq!(status, 200);
        assert!(body.contains("茉莉花"), "{body}");
        assert!(body.contains("Twinkle"), "{body}");
    }

    #[tokio::test]
    async fn songs_api_returns_json() {
        let router = router(state_with(vec![song("jasmine", "茉莉花")]).await);
        let (status, body) = get_body(router, "/api/songs").await;
        assert_eq!(status, 200);
        assert!(body.starts_with("[{\"id\":\"jasmine\""), "{body}");
    }

    #[tokio::test]
    async fn unknown_path_is_404() {
        let (status, _) = get_body(router(state_with(vec![]).await), "/nope").await;
        assert_eq!(status, 404);
    }
}
