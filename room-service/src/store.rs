//! Where rooms and results are kept: a narrow [`Store`] (rooms whole, results appended,
//! history and leaderboards read), so another database can back it; SQLite embedded by
//! default ([`SqliteStore`]), through sqlx with migrations.
//!
//! Durability: the service acknowledges a change only after `save_room` returned. SQLite runs
//! in WAL mode with `synchronous = FULL`, so an acknowledged write survives the process being
//! killed and the machine losing power (NORMAL would survive a kill but could lose the last
//! transactions on power loss).

use std::path::Path;
use std::str::FromStr;

use room_protocol::{Ending, PerformanceResult, RequestId};
use scoring::Progress;
use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::room::Room;
use crate::{Error, Result};

/// A stored result with its room.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredResult {
    /// The room it was sung in.
    pub room_id: String,
    /// The result.
    #[serde(flatten)]
    pub result: PerformanceResult,
}

/// What the service keeps.
pub trait Store: Send + Sync {
    /// Saves a room whole (a lower version than the one stored is ignored).
    fn save_room(&self, room: &Room) -> impl Future<Output = Result<()>> + Send;
    /// Forgets a room.
    fn delete_room(&self, id: &str) -> impl Future<Output = Result<()>> + Send;
    /// Every stored room, with how far its song on stage was judged.
    fn load_rooms(&self) -> impl Future<Output = Result<Vec<Room>>> + Send;
    /// How far the referee has judged `request`, the song on stage in room `room_id` (a
    /// judgement of the same request that has come less far is ignored).
    fn save_judgement(
        &self,
        room_id: &str,
        request: RequestId,
        progress: &Progress,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Appends a performance's result.
    fn add_result(
        &self,
        room_id: &str,
        result: &PerformanceResult,
    ) -> impl Future<Output = Result<()>> + Send;
    /// A room's results, newest first.
    fn history(
        &self,
        room_id: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredResult>>> + Send;
    /// A song's best finished results.
    fn leaderboard(
        &self,
        song_id: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredResult>>> + Send;
}

/// SQLite in one file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::StorageFolder {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// How far the song on stage in `room` was judged, if it was.
    async fn judgement(&self, room: &Room) -> Result<Option<(RequestId, Progress)>> {
        let Some(on_stage) = room.performance.as_ref().map(|p| p.request.id) else {
            return Ok(None);
        };
        let row = sqlx::query("SELECT request, progress FROM judgements WHERE room_id = ?1")
            .bind(&room.id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let request = row.try_get::<i64, _>("request")? as RequestId;
        let progress: String = row.try_get("progress")?;
        match serde_json::from_str::<Progress>(&progress) {
            Ok(progress) if request == on_stage => Ok(Some((request, progress))),
            Ok(_) => Ok(None),
            // Unreadable: the song is judged afresh from here on, and the room still loads.
            Err(e) => {
                tracing::error!(room = %room.id, "stored judgement unreadable: {e}");
                Ok(None)
            }
        }
    }

    /// A pragma's value as text (for tests that check the durability settings).
    pub async fn pragma(&self, name: &str) -> Result<String> {
        if !name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
            return Err(Error::BadRequest(format!("{name:?} is not a pragma")));
        }
        let row = sqlx::query(&format!("PRAGMA {name}"))
            .fetch_one(&self.pool)
            .await?;
        row.try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|v| v.to_string()))
            .map_err(Error::from)
    }
}

fn ending_name(ending: Ending) -> &'static str {
    match ending {
        Ending::Finished => "finished",
        Ending::Skipped => "skipped",
        Ending::Abandoned => "abandoned",
    }
}

fn ending_of(name: &str) -> Ending {
    match name {
        "finished" => Ending::Finished,
        "skipped" => Ending::Skipped,
        _ => Ending::Abandoned,
    }
}

fn stored(row: &sqlx::sqlite::SqliteRow) -> Result<StoredResult> {
    Ok(StoredResult {
        room_id: row.try_get("room_id")?,
        result: PerformanceResult {
            song_id: row.try_get("song_id")?,
            singer: row.try_get("singer")?,
            score: row.try_get::<Option<f64>, _>("score")?.map(|s| s as f32),
            ending: ending_of(&row.try_get::<String, _>("ending")?),
            started_at: row.try_get::<i64, _>("started_at")? as u64,
            ended_at: row.try_get::<i64, _>("ended_at")? as u64,
        },
    })
}

impl Store for SqliteStore {
    async fn save_room(&self, room: &Room) -> Result<()> {
        let state = serde_json::to_string(room)?;
        sqlx::query(
            "INSERT INTO rooms (id, version, state, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, state = excluded.state,
                 updated_at = excluded.updated_at
             WHERE excluded.version > rooms.version",
        )
        .bind(&room.id)
        .bind(room.version as i64)
        .bind(state)
        .bind(room.active_at as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_room(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM rooms WHERE id = ?1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM judgements WHERE room_id = ?1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn load_rooms(&self) -> Result<Vec<Room>> {
        let rows = sqlx::query("SELECT id, state FROM rooms")
            .fetch_all(&self.pool)
            .await?;
        let mut rooms = Vec::new();
        for row in rows {
            let id: String = row.try_get("id")?;
            let state: String = row.try_get("state")?;
            match serde_json::from_str::<Room>(&state) {
                Ok(mut room) => {
                    room.judged = self.judgement(&room).await?;
                    rooms.push(room);
                }
                // A room this build cannot read is reported and left in place, not lost.
                Err(e) => tracing::error!(room = %id, "stored room unreadable: {e}"),
            }
        }
        Ok(rooms)
    }

    async fn save_judgement(
        &self,
        room_id: &str,
        request: RequestId,
        progress: &Progress,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO judgements (room_id, request, notes, progress) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (room_id) DO UPDATE SET request = excluded.request,
                 notes = excluded.notes, progress = excluded.progress
             WHERE excluded.request != judgements.request OR excluded.notes > judgements.notes",
        )
        .bind(room_id)
        .bind(request as i64)
        .bind(progress.notes as i64)
        .bind(serde_json::to_string(progress)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn add_result(&self, room_id: &str, result: &PerformanceResult) -> Result<()> {
        sqlx::query(
            "INSERT INTO performances (room_id, song_id, singer, score, ending, started_at, ended_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(room_id)
        .bind(&result.song_id)
        .bind(&result.singer)
        .bind(result.score.map(f64::from))
        .bind(ending_name(result.ending))
        .bind(result.started_at as i64)
        .bind(result.ended_at as i64)
        .execute(&self.pool)
        .await
        ?;
        Ok(())
    }

    async fn history(&self, room_id: &str, limit: u32) -> Result<Vec<StoredResult>> {
        let rows = sqlx::query(
            "SELECT * FROM performances WHERE room_id = ?1 ORDER BY ended_at DESC, id DESC LIMIT ?2",
        )
        .bind(room_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        ?;
        rows.iter().map(stored).collect()
    }

    async fn leaderboard(&self, song_id: &str, limit: u32) -> Result<Vec<StoredResult>> {
        let rows = sqlx::query(
            "SELECT * FROM performances WHERE song_id = ?1 AND ending = 'finished'
                 AND score IS NOT NULL ORDER BY score DESC, ended_at ASC LIMIT ?2",
        )
        .bind(song_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored).collect()
    }
}
