-- The first schema (issue 2). Never edit a released migration: add a new file.
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  REAL NOT NULL
);

CREATE TABLE media (
    id              INTEGER PRIMARY KEY,
    fingerprint     TEXT NOT NULL UNIQUE,
    path            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('video', 'audio')),
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'analysing', 'ready', 'failed', 'offline')),
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
    updated_at      REAL NOT NULL
);
CREATE INDEX media_path ON media(path);

CREATE TABLE project_media (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    media_id    INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    added_at    REAL NOT NULL,
    PRIMARY KEY (project_id, media_id)
);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    project_id   INTEGER REFERENCES projects(id) ON DELETE CASCADE,
    media_id     INTEGER REFERENCES media(id) ON DELETE SET NULL,
    path         TEXT,
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    progress     REAL NOT NULL DEFAULT 0,
    message      TEXT NOT NULL DEFAULT '',
    error        TEXT,
    params_json  TEXT NOT NULL DEFAULT '{}',
    created_at   REAL NOT NULL,
    started_at   REAL,
    finished_at  REAL
);
CREATE INDEX jobs_state ON jobs(state);

CREATE TABLE watch_folders (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    polling     INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    UNIQUE (project_id, path)
);

CREATE TABLE shots (
    id           INTEGER PRIMARY KEY,
    media_id     INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    start_frame  INTEGER NOT NULL,
    end_frame    INTEGER NOT NULL,
    UNIQUE (media_id, idx)
);

CREATE TABLE keyframes (
    id          INTEGER PRIMARY KEY,
    shot_id     INTEGER NOT NULL REFERENCES shots(id) ON DELETE CASCADE,
    frame       INTEGER NOT NULL,
    role        TEXT NOT NULL,
    thumb_path  TEXT
);

CREATE TABLE face_tracks (
    id           INTEGER PRIMARY KEY,
    shot_id      INTEGER NOT NULL REFERENCES shots(id) ON DELETE CASCADE,
    first_frame  INTEGER NOT NULL,
    end_frame    INTEGER NOT NULL,
    best_frame   INTEGER NOT NULL,
    box_json     TEXT NOT NULL,
    quality      REAL NOT NULL
);

CREATE TABLE clusters (
    id          TEXT NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    view        TEXT NOT NULL CHECK (view IN ('scene', 'character', 'people')),
    name        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, id)
);

CREATE TABLE cluster_members (
    project_id   INTEGER NOT NULL,
    cluster_id   TEXT NOT NULL,
    member_kind  TEXT NOT NULL CHECK (member_kind IN ('shot', 'track')),
    member_id    INTEGER NOT NULL,
    confidence   REAL NOT NULL DEFAULT 1.0,
    PRIMARY KEY (project_id, cluster_id, member_kind, member_id),
    FOREIGN KEY (project_id, cluster_id) REFERENCES clusters(project_id, id) ON DELETE CASCADE
);

CREATE TABLE feedback (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    action       TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    created_at   REAL NOT NULL
);
