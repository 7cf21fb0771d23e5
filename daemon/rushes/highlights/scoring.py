"""Scoring one media from what the catalog holds: stored features + stored shots -> clips.

The step and GetHighlights both come here, so a stored result and a re-score are the same code.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from rushes.errors import FailedPrecondition
from rushes.highlights import v1, v2
from rushes.highlights.config import HighlightConfig
from rushes.highlights.report import HighlightClip, ScoreResult
from rushes.highlights.store import load_features, load_run, save_run
from rushes.highlights.timeline import load_timeline

if TYPE_CHECKING:
    from rushes.catalog import Catalog


def score_media(conn: sqlite3.Connection, media: sqlite3.Row, cfg: HighlightConfig) -> ScoreResult:
    raw = load_features(conn, int(media["id"]))
    if raw is None:
        raise FailedPrecondition(
            f"media {media['id']} ({media['path']}) has no highlight features yet (status {media['status']}): "
            "wait for its ingest job, or re-ingest it (`rushes ingest PATH`)")
    tl = load_timeline(conn, media)
    return (v1 if cfg.mode == "v1" else v2).score(raw, tl, cfg)


@dataclass
class MediaHighlights:
    media: sqlite3.Row
    clips: list[HighlightClip]
    debug_json: str
    config: HighlightConfig
    rescored: bool


def media_highlights(catalog: "Catalog", media: sqlite3.Row, base: HighlightConfig,
                     overrides: Mapping[str, str] | None = None) -> MediaHighlights:
    """Stored clips when they were scored with these settings; else a re-score from the stored
    features (kept as the new stored result unless the request overrode settings)."""
    cfg = HighlightConfig.from_settings(None, {**base.to_dict(), **(overrides or {})}) if overrides else base
    conn = catalog.connect()
    media_id = int(media["id"])
    if not overrides:
        run = load_run(conn, media_id, cfg.mode)
        if run is not None and run.settings_hash == cfg.digest():
            return MediaHighlights(media, run.clips, run.debug_json, cfg, False)
    result = score_media(conn, media, cfg)
    debug = result.report.to_json()
    if not overrides:
        with catalog.transaction() as wconn:
            save_run(wconn, media_id, cfg.mode, cfg.digest(), json.dumps(cfg.to_dict(), sort_keys=True), debug,
                     result.clips)
    return MediaHighlights(media, result.clips, debug, cfg, True)


def project_highlights(catalog: "Catalog", project_id: int, base: HighlightConfig,
                       overrides: Mapping[str, str] | None = None) -> list[tuple[HighlightClip, sqlite3.Row]]:
    """Every analysed media's highlights in the project, best first (media without features skip)."""
    rows = catalog.query(
        "SELECT m.* FROM media m JOIN project_media pm ON pm.media_id=m.id "
        "JOIN media_features f ON f.media_id=m.id WHERE pm.project_id=? ORDER BY m.id", (project_id,))
    found: list[tuple[HighlightClip, sqlite3.Row]] = []
    for media in rows:
        mh = media_highlights(catalog, media, base, overrides)
        found.extend((c, media) for c in mh.clips)
    found.sort(key=lambda cm: (-cm[0].score, cm[0].media_id, cm[0].start_frame))
    return found
