-- Issue 11: one media, several copies. Two identical files (same fingerprint) are one media;
-- before this, the media remembered only the last path, so deleting that copy sent it offline
-- although the other copy still existed. Every path a media was seen at is kept here; media.path
-- stays the copy Rushes reads (the newest one still present), and a media goes offline only
-- when none of its paths remains.
CREATE TABLE media_paths (
    media_id   INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    size       INTEGER,
    mtime      REAL,
    seen_at    REAL NOT NULL,
    PRIMARY KEY (media_id, path)
);
CREATE INDEX media_paths_path ON media_paths(path);

INSERT INTO media_paths(media_id, path, size, mtime, seen_at)
    SELECT id, path, size, mtime, updated_at FROM media;
