//! A room with a singer, for the audience tests: a real `ktv serve`, one room, and `ktv sing`
//! singing a demo song offline with its guide vocal as the microphone.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::process::{KtvProcess, free_port, http_call, serve, workspace_root};

/// The service and its room.
pub struct VoiceRoom {
    /// The service (killed when dropped).
    pub service: KtvProcess,
    /// Its address, `127.0.0.1:port` (UDP beside TCP).
    pub bind: String,
    /// `http://` + `bind`.
    pub base: String,
    /// The room.
    pub room: String,
    /// Its join token.
    pub token: String,
}

impl VoiceRoom {
    /// Starts the service on a free port with its database in `dir`, and creates a room.
    pub fn start(dir: &Path) -> VoiceRoom {
        let bind = format!("127.0.0.1:{}", free_port());
        let (service, _) = serve(&bind, &dir.join("ktv.db"));
        let base = format!("http://{bind}");
        let body = json!({"name": "Voices", "owner_name": "Olga"}).to_string();
        let (status, text) = http_call("POST", &format!("{base}/api/rooms"), None, Some(&body))
            .expect("the service answers");
        assert!(
            (200..300).contains(&status),
            "POST /api/rooms: {status} {text}"
        );
        let created: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        VoiceRoom {
            service,
            bind,
            base,
            room: created["room"].as_str().unwrap().to_owned(),
            token: created["join_token"].as_str().unwrap().to_owned(),
        }
    }

    /// Sings `song` once, its guide vocal as the microphone, caching in `cache`; returns the
    /// singer's live score when it finished.
    pub fn sing(&self, song: &str, cache: &Path) -> f64 {
        let guide = guide(song);
        let mut sing = KtvProcess::spawn(&[
            "sing",
            "--server",
            &self.base,
            "--room",
            &self.room,
            "--token",
            &self.token,
            "--name",
            "Sam",
            "--offline",
            "--mic",
            guide.to_str().unwrap(),
            "--request",
            song,
            "--songs",
            "1",
            "--cache",
            cache.to_str().unwrap(),
        ]);
        let score = sing
            .wait_for_line(Duration::from_secs(150), |l| {
                l.strip_prefix(&format!("finished {song} score "))
                    .and_then(|s| s.parse().ok())
            })
            .unwrap_or_else(|e| panic!("the singer never finished ({e}): {}", sing.stderr()));
        println!("the singer's live score {score:.1}");
        score
    }
}

/// A demo song's guide vocal: what the singer sings, in song time (the dry voice).
pub fn guide(song: &str) -> std::path::PathBuf {
    workspace_root().join(format!("assets/{song}/guide.wav"))
}
