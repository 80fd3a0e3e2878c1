//! The HTTP service: routes, shared state and the serve loop.
//!
//! [`serve`] runs until its shutdown future completes, then stops accepting, lets requests in
//! flight finish and returns. Tests pass a listener bound to `127.0.0.1:0`.

mod page;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{Html, Json};
use axum::routing::get;
use tokio::net::TcpListener;

use crate::library::{self, SongEntry};
use crate::{Error, Result};

/// What the service serves.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The song library folder: one sub-folder with a `song.toml` per song.
    pub library: PathBuf,
}

/// State shared by every request; cheap to clone.
#[derive(Debug, Clone)]
struct AppState {
    library: PathBuf,
    songs: Arc<Vec<SongEntry>>,
}

/// Builds the router for a scanned library.
fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/api/songs", get(songs))
        .with_state(state)
}

/// Scans the library, then serves HTTP on `listener` until `shutdown` completes.
pub async fn serve(
    config: ServeConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
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
    let state = AppState {
        library: config.library,
        songs: Arc::new(songs),
    };
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(Error::Serve)
}

async fn index(State(state): State<AppState>) -> Html<String> {
    Html(page::index(&state.library, &state.songs))
}

async fn songs(State(state): State<AppState>) -> Json<Vec<SongEntry>> {
    Json(state.songs.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get_body(router: Router, uri: &str) -> (axum::http::StatusCode, String) {
        use tower::ServiceExt;
        let response = router
            .oneshot(
                axum::http::Request::get(uri)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    fn state_with(songs: Vec<SongEntry>) -> AppState {
        AppState {
            library: PathBuf::from("/lib"),
            songs: Arc::new(songs),
        }
    }

    fn song(id: &str, title: &str) -> SongEntry {
        SongEntry {
            id: id.into(),
            title: title.into(),
            artist: Some("Trad.".into()),
            folder: PathBuf::from("/lib").join(id),
            problem: None,
        }
    }

    #[tokio::test]
    async fn index_lists_the_songs() {
        let router = router(state_with(vec![
            song("jasmine", "茉莉花"),
            song("twinkle", "Twinkle"),
        ]));
        let (status, body) = get_body(router, "/").await;
        assert_eq!(status, 200);
        assert!(body.contains("茉莉花"), "{body}");
        assert!(body.contains("Twinkle"), "{body}");
    }

    #[tokio::test]
    async fn songs_api_returns_json() {
        let router = router(state_with(vec![song("jasmine", "茉莉花")]));
        let (status, body) = get_body(router, "/api/songs").await;
        assert_eq!(status, 200);
        assert!(body.starts_with("[{\"id\":\"jasmine\""), "{body}");
    }

    #[tokio::test]
    async fn unknown_path_is_404() {
        let (status, _) = get_body(router(state_with(vec![])), "/nope").await;
        assert_eq!(status, 404);
    }
}
