"""Media rows in the catalog: find one by id or path, insert or update one from a probe, set its status.

Domain modules (shots, faces, clusters) keep their own SQL next to their code; these are the
media lookups every one of them needs.
"""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from rushes.catalog.projects import project_id
from rushes.errors import InvalidArgument, NotFound

MEDIA_FIELDS = (
    "kind", "container", "video_codec", "audio_codec", "width", "height", "rotation", "fps_num", "fps_den",
    "frame_count", "duration_s", "start_timecode", "drop_frame", "reel", "audio_channels", "audio_rate",
    "variable_frame_rate",
)


def resolve_media(conn: sqlite3.Connection, text: str, project: str | None = None) -> sqlite3.Row:
    """MEDIA in every command: a media id or a path (DESIGN.md, CLI arguments)."""
    text = (text or "").strip()
    if not text:
        raise InvalidArgument("no media given: pass a media id or a path (see `rushes media list`)")
    row = None
    if text.isdigit():
        row = conn.execute("SELECT * FROM media WHERE id=?", (int(text),)).fetchone()
    if row is None:
        path = os.path.abspath(os.path.expanduser(text))
        row = conn.execute("SELECT * FROM media WHERE path=? ORDER BY id DESC LIMIT 1", (path,)).fetchone()
    if row is None:
        raise NotFound(f"no media {text!r} in the catalog: ingest it with `rushes ingest {text}` or see `rushes media list`")
    if project:
        pid = project_id(conn, project)
        linked = pid is not None and conn.execute(
            "SELECT 1 FROM project_media WHERE project_id=? AND media_id=?", (pid, row["id"])
        ).fetchone()
        if not linked:
            raise NotFound(f"media {row['id']} ({row['path']}) is not in project {project!r}")
    return row


def upsert_media(conn: sqlite3.Connection, *, fingerprint: str, path: str, size: int | None, mtime: float | None,
                 probe: dict[str, Any] | None, status: str, reason: str | None = None,
                 probe_json: str = "{}") -> int:
    """Insert or update by fingerprint (identity survives renames and moves)."""
    now = time.time()
    probe = probe or {}
    row = conn.execute("SELECT id FROM media WHERE fingerprint=?", (fingerprint,)).fetchone()
    values = {k: probe.get(k) for k in MEDIA_FIELDS if k in probe}
    values.setdefault("kind", probe.get("kind") or "video")
    if row is None:
        cols = ["fingerprint", "path", "size", "mtime", "status", "reason", "probe_json", "created_at", "updated_at", *values]
        vals = [fingerprint, path, size, mtime, status, reason, probe_json, now, now, *values.values()]
        return int(conn.execute(
            f"INSERT INTO media({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", vals
        ).lastrowid)
    media_id = int(row[0])
    sets = {"path": path, "size": size, "mtime": mtime, "status": status, "reason": reason,
            "updated_at": now, **values}
    if probe:
        sets["probe_json"] = probe_json
    conn.execute(f"UPDATE media SET {', '.join(k + '=?' for k in sets)} WHERE id=?", (*sets.values(), media_id))
    return media_id


def set_media_status(conn: sqlite3.Connection, media_id: int, status: str, reason: str | None = None) -> None:
    conn.execute("UPDATE media SET status=?, reason=?, updated_at=? WHERE id=?", (status, reason, time.time(), media_id))


def fps_text(row: sqlite3.Row) -> str:
    if row["fps_num"] and row["fps_den"]:
        return f"{row['fps_num']}/{row['fps_den']}"
    return ""


def same_file(path: Path, row: sqlite3.Row) -> bool:
    """Cheap check that a path still holds the media it held at ingest (size and mtime)."""
    try:
        st = path.stat()
    except OSError:
        return False
    return row["size"] == st.st_size and row["mtime"] is not None and abs(float(row["mtime"]) - st.st_mtime) < 1e-3
