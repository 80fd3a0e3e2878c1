//! The room service's HTTP API as the clients call it: every call names itself in its
//! errors, and the service's own error message comes back with its status.

use std::path::Path;
use std::time::Duration;

use room_protocol::{Credentials, MediaKind, Preset, RequestId, RoomView, SongDetails};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::{Error, Result};

/// How long one call may take (a media download has longer: see [`Api::download`]).
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The service at one address, called as one member (once joined).
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    member: Option<Credentials>,
    watcher: Option<Watcher>,
}

/// A watcher's way in: the room and its join link's token (and password).
#[derive(Debug, Clone)]
struct Watcher {
    room: String,
    token: String,
    password: Option<String>,
}

impl Api {
    /// The service at `server` (`http://host:port`).
    pub fn new(server: &str) -> Result<Api> {
        let base = server.trim_end_matches('/').to_owned();
        if !base.starts_with("http://") {
            return Err(Error::BadRequest(format!(
                "the server address {server:?} is not http://host:port"
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| Error::Unreachable {
                call: "building the HTTP client".into(),
                reason: e.to_string(),
            })?;
        Ok(Api {
            http,
            base,
            member: None,
            watcher: None,
        })
    }

    /// Calls from now on as `member`.
    pub fn as_member(&mut self, member: Credentials) {
        self.member = Some(member);
    }

    /// Watches `room` with its join link (no member: the audience at scale).
    pub fn as_watcher(&mut self, room: &str, token: &str, password: Option<&str>) {
        self.watcher = Some(Watcher {
            room: room.to_owned(),
            token: token.to_owned(),
            password: password.map(str::to_owned),
        });
    }

    /// Who this client is, once joined.
    pub fn member(&self) -> Option<&Credentials> {
        self.member.as_ref()
    }

    /// The room WebSocket's address, as the member or the watcher this client is.
    pub fn socket_url(&self) -> Option<String> {
        let base = self.base.replacen("http://", "ws://", 1);
        if let Some(m) = &self.member {
            return Some(format!(
                "{base}/api/rooms/{}/ws?member={}&secret={}",
                m.room, m.member, m.secret
            ));
        }
        let w = self.watcher.as_ref()?;
        let mut url = format!("{base}/api/rooms/{}/ws?token={}", w.room, w.token);
        if let Some(password) = &w.password {
            url.push_str("&password=");
            url.push_str(&percent_encode(password));
        }
        Some(url)
    }

    /// Joins `room` with its join link's token.
    pub async fn join(
        &self,
        room: &str,
        token: &str,
        name: &str,
        password: Option<&str>,
    ) -> Result<Credentials> {
        let body = json!({"token": token, "name": name, "password": password});
        self.call("POST", &format!("/api/rooms/{room}/members"), Some(body))
            .await
    }

    /// The room as its members see it.
    pub async fn room(&self) -> Result<RoomView> {
        let room = self.room_id()?;
        self.call("GET", &format!("/api/rooms/{room}"), None).await
    }

    /// Takes a free mic seat.
    pub async fn take_seat(&self) -> Result<()> {
        let room = self.room_id()?;
        self.call::<Value>("POST", &format!("/api/rooms/{room}/seats"), Some(json!({})))
            .await
            .map(drop)
    }

    /// Requests a song to sing, with how to sing it.
    pub async fn request(&self, song: &str, preset: Preset) -> Result<RequestId> {
        let room = self.room_id()?;
        let body = json!({"song_id": song, "preset": preset});
        let answer: Value = self
            .call("POST", &format!("/api/rooms/{room}/queue"), Some(body))
            .await?;
        answer["request"].as_u64().ok_or_else(|| Error::Remote {
            call: format!("POST /api/rooms/{room}/queue"),
            status: 200,
            message: format!("no request id in {answer}"),
        })
    }

    /// A sign of life, about `request` (the score is the service's, not the client's).
    pub async fn heartbeat(&self, request: RequestId) -> Result<()> {
        self.report("heartbeat", request).await
    }

    /// The song `request` was sung to its end.
    pub async fn finished(&self, request: RequestId) -> Result<()> {
        self.report("finished", request).await
    }

    async fn report(&self, what: &str, request: RequestId) -> Result<()> {
        let room = self.room_id()?;
        self.call::<Value>(
            "POST",
            &format!("/api/rooms/{room}/performance/{what}"),
            Some(serde_json::json!({ "request": request })),
        )
        .await
        .map(drop)
    }

    /// A song's details: what it is and which media to fetch.
    pub async fn song(&self, id: &str) -> Result<SongDetails> {
        self.call("GET", &format!("/api/songs/{id}"), None).await
    }

    /// A song's lyrics and reference melody.
    pub async fn lyrics(&self, id: &str) -> Result<lyrics::Lyrics> {
        self.call("GET", &format!("/api/songs/{id}/lyrics"), None)
            .await
    }

    /// Fetches a song's medium of `kind` into `dest` (written beside it, then renamed, so a
    /// broken download never looks whole).
    pub async fn download(&self, song: &str, kind: MediaKind, dest: &Path) -> Result<()> {
        let path = format!("/api/songs/{song}/media/{}", kind.name());
        let call = format!("GET {path}");
        let unreachable = |e: reqwest::Error| Error::Unreachable {
            call: call.clone(),
            reason: e.to_string(),
        };
        let mut response = self
            .http
            .get(format!("{}{path}", self.base))
            .timeout(Duration::from_secs(300))
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(remote_error(&call, response).await);
        }
        let partial = dest.with_extension("part");
        let file_error = |error| Error::File {
            path: partial.clone(),
            error,
        };
        let mut file = tokio::fs::File::create(&partial)
            .await
            .map_err(file_error)?;
        use tokio::io::AsyncWriteExt;
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            file.write_all(&chunk).await.map_err(file_error)?;
        }
        file.flush().await.map_err(file_error)?;
        drop(file);
        tokio::fs::rename(&partial, dest)
            .await
            .map_err(|error| Error::File {
                path: dest.to_owned(),
                error,
            })
    }

    fn room_id(&self) -> Result<&str> {
        self.member
            .as_ref()
            .map(|m| m.room.as_str())
            .ok_or_else(|| Error::Unauthorized("the client has not joined a room".into()))
    }

    /// One call: JSON in, JSON out (an empty answer reads as `null`).
    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<T> {
        let call = format!("{method} {path}");
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| Error::BadRequest(e.to_string()))?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .timeout(CALL_TIMEOUT);
        if let Some(m) = &self.member {
            request = request.bearer_auth(format!("{}.{}", m.member, m.secret));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| Error::Unreachable {
            call: call.clone(),
            reason: e.to_string(),
        })?;
        if !response.status().is_success() {
            return Err(remote_error(&call, response).await);
        }
        let bytes = response.bytes().await.map_err(|e| Error::Unreachable {
            call: call.clone(),
            reason: e.to_string(),
        })?;
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        serde_json::from_slice(bytes).map_err(|e| Error::Remote {
            call,
            status: 200,
            message: format!("an answer that does not read: {e}"),
        })
    }
}

/// `text` safe in a URL's query.
fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The service's error (its JSON error's message, or the body as it came).
async fn remote_error(call: &str, response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or(text);
    Error::Remote {
        call: call.to_owned(),
        status,
        message,
    }
}

impl Error {
    /// Whether this is the service saying no (as opposed to not being reachable).
    pub fn is_remote(&self, status: u16) -> bool {
        matches!(self, Error::Remote { status: s, .. } if *s == status)
    }
}
