-- Issue 16, search everything: what speech and on-screen text analysis store, so search (and
-- the text vectors, whose point ids are text_spans ids) reads typed records without re-analysis.

-- One row per line of text Rushes can search: a transcript segment (source 'speech') or a line
-- of on-screen text read by OCR (source 'screen'). Frames on the media's own rate, end exclusive.
CREATE TABLE text_spans (
    id           INTEGER PRIMARY KEY,
    media_id     INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    source       TEXT NOT NULL CHECK (source IN ('speech', 'screen')),
    start_frame  INTEGER NOT NULL,
    end_frame    INTEGER NOT NULL,
    text         TEXT NOT NULL,
    box_json     TEXT NOT NULL DEFAULT '',      -- screen: [x0, y0, x1, y1] in displayed pixels
    frame        INTEGER,                       -- screen: the frame the text was read on
    confidence   REAL NOT NULL DEFAULT 0,
    language     TEXT NOT NULL DEFAULT '',
    model        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX text_spans_media ON text_spans(media_id, source, start_frame);

-- Words of a transcript segment with their own times (faster-whisper word timestamps).
CREATE TABLE transcript_words (
    span_id      INTEGER NOT NULL REFERENCES text_spans(id) ON DELETE CASCADE,
    media_id     INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    word         TEXT NOT NULL,
    start_frame  INTEGER NOT NULL,
    end_frame    INTEGER NOT NULL,
    start_s      REAL NOT NULL,
    end_s        REAL NOT NULL,
    probability  REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (span_id, idx)
);
CREATE INDEX transcript_words_media ON transcript_words(media_id, start_frame);

-- Per media: the transcript's language (detected or set) and the model that made it.
CREATE TABLE transcripts (
    media_id      INTEGER PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,
    language      TEXT NOT NULL DEFAULT '',
    language_prob REAL NOT NULL DEFAULT 0,
    model         TEXT NOT NULL DEFAULT '',
    speech_s      REAL NOT NULL DEFAULT 0,
    created_at    REAL NOT NULL
);

-- A clapperboard read on the media (the best-read slate frame): scene / take / roll / camera / date.
CREATE TABLE slates (
    media_id     INTEGER PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,
    frame        INTEGER NOT NULL,
    scene        TEXT NOT NULL DEFAULT '',
    take         TEXT NOT NULL DEFAULT '',
    roll         TEXT NOT NULL DEFAULT '',
    camera       TEXT NOT NULL DEFAULT '',
    date         TEXT NOT NULL DEFAULT '',
    raw_text     TEXT NOT NULL DEFAULT '',
    confidence   REAL NOT NULL DEFAULT 0
);
CREATE INDEX slates_scene_take ON slates(scene, take);

-- Saved searches (`rushes search QUERY --save NAME`), for the Resolve menu that cannot type.
CREATE TABLE saved_searches (
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    query_json   TEXT NOT NULL,
    created_at   REAL NOT NULL,
    PRIMARY KEY (project_id, name)
);
