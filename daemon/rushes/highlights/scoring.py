"""Scoring one media from what the catalog holds: stored features + stored shots -> clips.

The step and GetHighlights both come here, so a stored result and a re-score are the same code.
"""
from __future__ import annotations

import sqlite3

from rushes.errors import FailedPrecondition
from rushes.highlights import v1, v2
from rushes.highlights.config import HighlightConfig
from rushes.highlights.report import ScoreResult
from rushes.highlights.store import load_features
from rushes.highlights.timeline import load_timeline


def score_media(conn: sqlite3.Connection, media: sqlite3.Row, cfg: HighlightConfig) -> ScoreResult:
    raw = load_features(conn, int(media["id"]))
    if raw is None:
        raise FailedPrecondition(
            f"media {media['id']} ({media['path']}) has no highlight features yet (status {media['status']}): "
            "wait for its ingest job, or re-ingest it (`rushes ingest PATH`)")
    tl = load_timeline(conn, media)
    return (v1 if cfg.mode == "v1" else v2).score(raw, tl, cfg)
