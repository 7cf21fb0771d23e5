-- rushes: foreign_keys=off
-- A media whose job was cancelled is `cancelled`, not `failed` (issue 11): nothing is wrong with
-- the file, the editor stopped it, and the next Ingest or watch event picks it up again.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt its documented way
-- (sqlite.org/lang_altertable.html, "other kinds of table schema changes"): with foreign keys
-- off (the header above; Catalog.migrate turns them off around this file and runs
-- foreign_key_check before the commit), create the new table, copy every row, drop the old,
-- rename the new, recreate its index. Children keep their REFERENCES media(id); ids are kept.
-- Every column of media up to here is listed: a later migration adding one to media must come
-- after this file.
CREATE TABLE media_new (
    id              INTEGER PRIMARY KEY,
    fingerprint     TEXT NOT NULL UNIQUE,
    path            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('video', 'audio')),
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'analysing', 'ready', 'failed', 'cancelled', 'offline')),
    reason          TEXT,
    size            INTEGER,
    mtime           REAL,
    container       TEXT,
    width           INTEGER,
    height          INTEGER,
    fps_num         INTEGER,
    fps_den         INTEGER,
    frame_count     INTEGER,
    duration_s      REAL,
    start_timecode  TEXT,
    audio_channels  INTEGER,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    rotation        INTEGER NOT NULL DEFAULT 0,
    drop_frame      INTEGER NOT NULL DEFAULT 0,
    reel            TEXT,
    audio_rate      INTEGER,
    video_codec     TEXT,
    audio_codec     TEXT,
    variable_frame_rate INTEGER NOT NULL DEFAULT 0,
    probe_json      TEXT NOT NULL DEFAULT '{}'
);

INSERT INTO media_new (id, fingerprint, path, kind, status, reason, size, mtime, container, width, height,
                       fps_num, fps_den, frame_count, duration_s, start_timecode, audio_channels, created_at,
                       updated_at, rotation, drop_frame, reel, audio_rate, video_codec, audio_codec,
                       variable_frame_rate, probe_json)
SELECT id, fingerprint, path, kind, status, reason, size, mtime, container, width, height,
       fps_num, fps_den, frame_count, duration_s, start_timecode, audio_channels, created_at,
       updated_at, rotation, drop_frame, reel, audio_rate, video_codec, audio_codec,
       variable_frame_rate, probe_json
FROM media;

-- Media that ended failed only because their last job was cancelled (the reason the daemon
-- wrote then says so) are what they were: cancelled.
UPDATE media_new SET status = 'cancelled'
WHERE status = 'failed' AND reason LIKE '%: cancelled during %'
  AND (SELECT j.state FROM jobs j WHERE j.media_id = media_new.id ORDER BY j.id DESC LIMIT 1) = 'cancelled';

DROP TABLE media;
ALTER TABLE media_new RENAME TO media;
CREATE INDEX media_path ON media(path);
