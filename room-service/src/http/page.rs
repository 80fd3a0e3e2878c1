//! The room's web page (`room-service/web`), embedded in the binary: `/` serves its shell with the
//! library listed inside (what shows before the scripts run, and without them), `/web/...`
//! its modules and styles. No build step: the files are served as they are in the source tree.
//! Also the QR code the page shows for its join link, drawn here as SVG.

use std::fmt::Write;
use std::path::Path;

use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use qrcode::{Color, QrCode};
use serde::Deserialize;

use crate::Error;
use crate::library::SongEntry;

/// One embedded file of the page.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! asset {
    ($path:literal, $type:expr) => {
        Asset {
            path: $path,
            content_type: $type,
            body: include_str!(concat!("../../web/", $path)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file under `web/` but the shell (a unit test checks none is missing).
const ASSETS: &[Asset] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.mjs", JS),
    asset!("calibrate.mjs", JS),
    asset!("api.mjs", JS),
    asset!("follow.mjs", JS),
    asset!("i18n.mjs", JS),
    asset!("lead.mjs", JS),
    asset!("lyrics.mjs", JS),
    asset!("mic.mjs", JS),
    asset!("mic-worklet.js", JS),
    asset!("origin.mjs", JS),
    asset!("player.mjs", JS),
    asset!("sing.mjs", JS),
    asset!("stage.mjs", JS),
    asset!("tap.mjs", JS),
    asset!("tap-worklet.js", JS),
    asset!("voice.mjs", JS),
    asset!("sync/clock.mjs", JS),
    asset!("sync/conformance.mjs", JS),
    asset!("sync/follower.mjs", JS),
    asset!("sync/leader.mjs", JS),
    asset!("sync/ping.mjs", JS),
    asset!("sync/rate-limit.mjs", JS),
    asset!("sync/rust.mjs", JS),
];

const SHELL: &str = include_str!("../../web/index.html");

/// `GET /web/{*path}`: a file of the page.
pub(super) async fn asset(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                // Small files, and a new binary may bring new ones: always revalidate.
                (header::CACHE_CONTROL, "no-cache"),
            ],
            asset.body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file of the page\n").into_response(),
    }
}

/// The page's shell for a library: the scripts take over from the songs listed in it.
pub(super) fn index(library: &Path, songs: &[SongEntry]) -> String {
    let mut html = String::new();
    let library = escape(&library.display().to_string());
    if songs.is_empty() {
        let _ = writeln!(html, "<p>No songs found in <code>{library}</code>.</p>");
    } else {
        let _ = writeln!(
            html,
            "<section class=\"card\"><h2>Songs</h2>\n<p class=\"muted\">{} songs in <code>{library}</code>:</p>\n<ul id=\"songs\" class=\"song-list preview\">",
            songs.len()
        );
        for song in songs {
            let _ = write!(
                html,
                "<li data-song-id=\"{}\"><b>{}</b>",
                escape(&song.id),
                escape(&song.title)
            );
            if let Some(artist) = &song.artist {
                let _ = write!(html, " <span class=\"muted\">{}</span>", escape(artist));
            }
            if let Some(problem) = &song.problem {
                let _ = write!(html, " <em>(unreadable: {})</em>", escape(problem));
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ul></section>\n");
    }
    SHELL.replace("<!--library-->", &html)
}

/// What to encode.
#[derive(Debug, Deserialize)]
pub struct QrText {
    /// The text (a join link).
    pub text: String,
}

/// `GET /api/qr.svg?text=..`: `text` as a QR code in SVG, dark on white with a quiet zone.
#[utoipa::path(get, path = "/api/qr.svg", params(("text" = String, Query, description = "what to encode, e.g. a join link")), responses((status = 200, description = "an SVG image", content_type = "image/svg+xml"), (status = 400, body = crate::http::error::ErrorBody)))]
pub async fn qr_svg(Query(query): Query<QrText>) -> crate::Result<Response> {
    let svg = qr_svg_of(&query.text).ok_or_else(|| {
        Error::BadRequest(format!(
            "{} bytes are too many for a QR code",
            query.text.len()
        ))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        svg,
    )
        .into_response())
}

/// `text` as an SVG QR code: one path of unit squares on a white square.
fn qr_svg_of(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let quiet = 2;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let _ = write!(path, "M{} {}h1v1h-1z", i % width + quiet, i / width + quiet);
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

/// Escapes text for HTML element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shell (served at `/`) and node-only tools kept beside the page's modules.
    const NOT_SERVED: &[&str] = &["index.html", "sync/replay.mjs"];

    #[test]
    fn song_titles_are_escaped() {
        let song = SongEntry {
            id: "x".into(),
            title: "<script>alert(1)</script>".into(),
            artist: None,
            duration: None,
            folder: "/lib/x".into(),
            problem: None,
            search: Default::default(),
        };
        let html = index(Path::new("/lib"), &[song]);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn empty_library_says_so() {
        let html = index(Path::new("/lib"), &[]);
        assert!(
            html.contains("No songs found in <code>/lib</code>"),
            "{html}"
        );
    }

    #[test]
    fn every_file_of_the_page_is_embedded() {
        let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut on_disk = Vec::new();
        let mut folders = vec![web.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    let relative = path.strip_prefix(&web).unwrap();
                    on_disk.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        for file in &on_disk {
            assert!(
                ASSETS.iter().any(|a| a.path == file) || NOT_SERVED.contains(&file.as_str()),
                "web/{file} is not embedded (add it to ASSETS or NOT_SERVED)"
            );
        }
        // Every module the page imports is served.
        for asset in ASSETS {
            for import in asset.body.split("from '").skip(1) {
                let Some(target) = import.split('\'').next() else {
                    continue;
                };
                let base = Path::new(asset.path).parent().unwrap();
                let resolved = normalise(&base.join(target));
                assert!(
                    ASSETS.iter().any(|a| a.path == resolved),
                    "{} imports {target} ({resolved}), which is not served",
                    asset.path
                );
            }
        }
    }

    fn normalise(path: &Path) -> String {
        let mut parts: Vec<String> = Vec::new();
        for part in path.components() {
            match part {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
            }
        }
        parts.join("/")
    }

    #[test]
    fn the_qr_code_is_an_svg_with_the_code_s_modules() {
        let text = "http://192.168.1.20:8080/?room=abc&token=def";
        let svg = qr_svg_of(text).unwrap();
        let code = QrCode::new(text.as_bytes()).unwrap();
        let dark = code
            .to_colors()
            .iter()
            .filter(|c| **c == Color::Dark)
            .count();
        assert_eq!(svg.matches("h1v1h-1z").count(), dark);
        let size = code.width() + 4;
        assert!(
            svg.contains(&format!("viewBox=\"0 0 {size} {size}\"")),
            "{svg}"
        );
        assert!(qr_svg_of(&"x".repeat(8000)).is_none());
    }
}
