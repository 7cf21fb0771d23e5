"""Catalog reads and writes of the highlights room: raw features, stored runs and clips."""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass

from rushes.highlights.features import FEATURES_VERSION, RawFeatures
from rushes.highlights.report import Components, HighlightClip


def save_features(conn: sqlite3.Connection, media_id: int, raw: RawFeatures) -> None:
    conn.execute("INSERT OR REPLACE INTO media_features(media_id, version, data, created_at) VALUES (?,?,?,?)",
                 (media_id, FEATURES_VERSION, raw.to_bytes(), time.time()))


def load_features(conn: sqlite3.Connection, media_id: int) -> RawFeatures | None:
    """The stored raw features at the current version, or None (never gathered, or outdated)."""
    row = conn.execute("SELECT version, data FROM media_features WHERE media_id=?", (media_id,)).fetchone()
    if row is None or row[0] != FEATURES_VERSION:
        return None
    return RawFeatures.from_bytes(bytes(row[1]))


@dataclass
class StoredRun:
    media_id: int
    mode: str
    settings_hash: str
    debug_json: str
    clips: list[HighlightClip]


def save_run(conn: sqlite3.Connection, media_id: int, mode: str, settings_hash: str, settings_json: str,
             debug_json: str, clips: list[HighlightClip]) -> None:
    conn.execute("DELETE FROM highlights WHERE media_id=? AND mode=?", (media_id, mode))
    conn.execute("INSERT OR REPLACE INTO highlight_runs(media_id, mode, settings_hash, settings_json, debug_json, "
                 "created_at) VALUES (?,?,?,?,?,?)", (media_id, mode, settings_hash, settings_json, debug_json, time.time()))
    conn.executemany(
        "INSERT INTO highlights(media_id, mode, rank, start_frame, end_frame, anchor_frame, score, reason, components) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        [(media_id, mode, rank, c.start_frame, c.end_frame, c.anchor_frame, c.score, c.reason,
          json.dumps(c.components.__dict__)) for rank, c in enumerate(clips, 1)])


def load_run(conn: sqlite3.Connection, media_id: int, mode: str) -> StoredRun | None:
    run = conn.execute("SELECT settings_hash, debug_json FROM highlight_runs WHERE media_id=? AND mode=?",
                       (media_id, mode)).fetchone()
    if run is None:
        return None
    clips = [HighlightClip(media_id, int(r["start_frame"]), int(r["end_frame"]), int(r["anchor_frame"]),
                           float(r["score"]), str(r["reason"]), Components(**json.loads(r["components"])), mode)
             for r in conn.execute("SELECT * FROM highlights WHERE media_id=? AND mode=? ORDER BY rank",
                                   (media_id, mode))]
    return StoredRun(media_id, mode, str(run[0]), str(run[1]), clips)
