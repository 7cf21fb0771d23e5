"""Per-media stage bookkeeping: which version of which model produced each stored output.

The pipeline skips a stage whose stored version matches the current one, so a restart resumes
and a new model re-does only the stages that depend on it.
"""
from __future__ import annotations

import sqlite3
import time


def mark_done(conn: sqlite3.Connection, media_id: int, stage: str, version: str) -> None:
    """Record inside the caller's write transaction, so output and bookkeeping land together."""
    conn.execute(
        "INSERT INTO analysis_stages(media_id, stage, version, done_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(media_id, stage) DO UPDATE SET version=excluded.version, done_at=excluded.done_at",
        (media_id, stage, version, time.time()),
    )


def done_version(conn: sqlite3.Connection, media_id: int, stage: str) -> str | None:
    row = conn.execute(
        "SELECT version FROM analysis_stages WHERE media_id=? AND stage=?", (media_id, stage)
    ).fetchone()
    return None if row is None else str(row[0])


def clear(conn: sqlite3.Connection, media_id: int, stages: list[str] | None = None) -> None:
    if stages is None:
        conn.execute("DELETE FROM analysis_stages WHERE media_id=?", (media_id,))
    else:
        conn.executemany("DELETE FROM analysis_stages WHERE media_id=? AND stage=?", [(media_id, s) for s in stages])
