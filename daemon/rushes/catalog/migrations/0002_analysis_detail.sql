-- Issue 3-5 detail: richer probe data, job steps, transitions, segments, individual faces,
-- per-stage bookkeeping so a new model re-does only the stages that depend on it.
ALTER TABLE media ADD COLUMN rotation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN drop_frame INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN reel TEXT;
ALTER TABLE media ADD COLUMN audio_rate INTEGER;
ALTER TABLE media ADD COLUMN video_codec TEXT;
ALTER TABLE media ADD COLUMN audio_codec TEXT;
ALTER TABLE media ADD COLUMN variable_frame_rate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN probe_json TEXT NOT NULL DEFAULT '{}';

CREATE TABLE job_steps (
    job_id       INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    progress     REAL NOT NULL DEFAULT 0,
    started_at   REAL,
    finished_at  REAL,
    error        TEXT,
    PRIMARY KEY (job_id, name)
);

-- One row per (media, stage): which version of which model produced the stored output.
CREATE TABLE analysis_stages (
    media_id     INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    stage        TEXT NOT NULL,
    version      TEXT NOT NULL,
    done_at      REAL NOT NULL,
    PRIMARY KEY (media_id, stage)
);

CREATE TABLE transitions (
    id           INTEGER PRIMARY KEY,
    media_id     INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    type         TEXT NOT NULL
                 CHECK (type IN ('cut', 'dissolve', 'fade_in', 'fade_out', 'fade_through_black', 'wipe')),
    start_frame  INTEGER NOT NULL,
    end_frame    INTEGER NOT NULL,   -- exclusive; a cut has end_frame = start_frame + 1
    confidence   REAL NOT NULL
);
CREATE INDEX transitions_media ON transitions(media_id);

-- Black and freeze segments (used by highlights).
CREATE TABLE segments (
    id           INTEGER PRIMARY KEY,
    media_id     INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('black', 'freeze')),
    start_frame  INTEGER NOT NULL,
    end_frame    INTEGER NOT NULL
);

ALTER TABLE shots ADD COLUMN motion REAL NOT NULL DEFAULT 0;
ALTER TABLE face_tracks ADD COLUMN media_id INTEGER REFERENCES media(id) ON DELETE CASCADE;

CREATE TABLE faces (
    id           INTEGER PRIMARY KEY,
    track_id     INTEGER REFERENCES face_tracks(id) ON DELETE CASCADE,
    media_id     INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    shot_id      INTEGER REFERENCES shots(id) ON DELETE CASCADE,
    frame        INTEGER NOT NULL,
    box_json     TEXT NOT NULL,
    quality      REAL NOT NULL
);
CREATE INDEX faces_track ON faces(track_id);

ALTER TABLE clusters ADD COLUMN parent_id TEXT;
ALTER TABLE clusters ADD COLUMN created_at REAL NOT NULL DEFAULT 0;
ALTER TABLE cluster_members ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cluster_members ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
