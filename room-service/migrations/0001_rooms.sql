-- Rooms are stored whole (JSON) after every acknowledged change; a newer version never
-- loses to an older one written late.
CREATE TABLE rooms (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Every performance that ended, for history and leaderboards.
CREATE TABLE performances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL,
    song_id TEXT NOT NULL,
    singer TEXT NOT NULL,
    score REAL,
    ending TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL
);
CREATE INDEX performances_by_song ON performances (song_id, score DESC);
CREATE INDEX performances_by_room ON performances (room_id, ended_at DESC);
