-- How far the service's referee has judged the song on stage in each room (scoring's
-- Progress as JSON), saved after every line, so a restarted service takes the judgement
-- over instead of losing what was sung. `notes` only grows within a request.
CREATE TABLE judgements (
    room_id TEXT PRIMARY KEY NOT NULL,
    request INTEGER NOT NULL,
    notes INTEGER NOT NULL,
    progress TEXT NOT NULL
);
