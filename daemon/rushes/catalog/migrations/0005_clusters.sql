-- Issue 6: what clustering must remember between runs so that the editor's word always holds
-- and cluster ids stay stable. Noise buckets are stored as clusters with id 'noise:<view>'
-- (the API calls each of them "noise").

-- An editor's explicit placement of one member (move, confirm, split, merge): every later
-- clustering puts the member exactly there. cluster_id may be 'noise'. The newest decision wins.
CREATE TABLE cluster_pins (
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    view         TEXT NOT NULL CHECK (view IN ('scene', 'character', 'people')),
    member_kind  TEXT NOT NULL CHECK (member_kind IN ('shot', 'track')),
    member_id    INTEGER NOT NULL,
    cluster_id   TEXT NOT NULL,
    feedback_id  INTEGER REFERENCES feedback(id) ON DELETE SET NULL,
    created_at   REAL NOT NULL,
    PRIMARY KEY (project_id, view, member_kind, member_id)
);

-- Pairwise constraints derived from feedback: 'must' (same cluster) or 'cannot' (never together).
CREATE TABLE cluster_links (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    view         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('must', 'cannot')),
    a_kind       TEXT NOT NULL,
    a_id         INTEGER NOT NULL,
    b_kind       TEXT NOT NULL,
    b_id         INTEGER NOT NULL,
    feedback_id  INTEGER REFERENCES feedback(id) ON DELETE SET NULL,
    created_at   REAL NOT NULL
);
CREATE INDEX cluster_links_project ON cluster_links(project_id, view);

-- The per-project learned metric (a linear projection fitted on the feedback's triplets).
CREATE TABLE cluster_metrics (
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    view         TEXT NOT NULL,
    model        TEXT NOT NULL DEFAULT '',
    in_dim       INTEGER NOT NULL,
    out_dim      INTEGER NOT NULL,
    weights      BLOB NOT NULL,          -- float32, row-major in_dim x out_dim
    triplets     INTEGER NOT NULL,
    loss_before  REAL NOT NULL,
    loss_after   REAL NOT NULL,
    updated_at   REAL NOT NULL,
    PRIMARY KEY (project_id, view)
);

-- Bookkeeping per (project, view): next cluster number (ids are never reused) and the signature
-- of the inputs of the last clustering, so the pipeline step is free when nothing changed.
CREATE TABLE cluster_state (
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    view         TEXT NOT NULL,
    next_seq     INTEGER NOT NULL DEFAULT 1,
    signature    TEXT NOT NULL DEFAULT '',
    members      INTEGER NOT NULL DEFAULT 0,
    full_at      INTEGER NOT NULL DEFAULT 0,   -- member count at the last full clustering
    updated_at   REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, view)
);

CREATE INDEX cluster_members_member ON cluster_members(project_id, member_kind, member_id);
CREATE INDEX feedback_project ON feedback(project_id);
