-- Highlights (issue 13): raw features per media, stored highlight runs and clips, compound clips.

CREATE TABLE media_features (
    media_id    INTEGER PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,
    version     TEXT NOT NULL,
    data        BLOB NOT NULL,            -- rushes.highlights.features.RawFeatures.to_bytes()
    created_at  REAL NOT NULL
);

-- The result of the last scoring per media and mode, with the settings it was scored with.
CREATE TABLE highlight_runs (
    media_id      INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    mode          TEXT NOT NULL CHECK (mode IN ('v1', 'v2')),
    settings_hash TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    debug_json    TEXT NOT NULL,
    created_at    REAL NOT NULL,
    PRIMARY KEY (media_id, mode)
);

CREATE TABLE highlights (
    media_id     INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    mode         TEXT NOT NULL,
    rank         INTEGER NOT NULL,
    start_frame  INTEGER NOT NULL,
    end_frame    INTEGER NOT NULL,        -- exclusive
    anchor_frame INTEGER NOT NULL,
    score        REAL NOT NULL,
    reason       TEXT NOT NULL,
    components   TEXT NOT NULL,           -- JSON: excitement, boundary, anchor_placement, dead_time
    PRIMARY KEY (media_id, mode, rank),
    FOREIGN KEY (media_id, mode) REFERENCES highlight_runs(media_id, mode) ON DELETE CASCADE
);

CREATE TABLE compound_clips (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE INDEX compound_clips_project ON compound_clips(project_id);

CREATE TABLE compound_segments (
    clip_id      INTEGER NOT NULL REFERENCES compound_clips(id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    media_id     INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    start_frame  INTEGER NOT NULL,
    end_frame    INTEGER NOT NULL,        -- exclusive
    label        TEXT NOT NULL DEFAULT '',
    highlight_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (clip_id, idx)
);
