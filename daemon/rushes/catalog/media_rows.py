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
from rushes.errors import InvalidArgument, NotFound, clip

#: A media's status (DESIGN.md, Enumerations, plus `cancelled`: migration 0010 and the design
#: notes, issue 11): its job was cancelled; the next Ingest or watch event analyses it again.
STATUSES = ("queued", "analysing", "ready", "failed", "cancelled", "offline")

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
    if text.isascii() and text.isdigit() and len(text) <= 18:  # "٣" is no id; 19+ digits overflow SQLite
        row = conn.execute("SELECT * FROM media WHERE id=?", (int(text),)).fetchone()
    if row is None:
        path = os.path.abspath(os.path.expanduser(text))
        row = conn.execute("SELECT * FROM media WHERE path=? ORDER BY id DESC LIMIT 1", (path,)).fetchone()
    if row is None:  # any other copy of a media (issue 11: one media, several copies)
        row = conn.execute("SELECT m.* FROM media m JOIN media_paths mp ON mp.media_id=m.id WHERE mp.path=? "
                           "ORDER BY m.id DESC LIMIT 1", (path,)).fetchone()
    if row is None:
        raise NotFound(f"no media {clip(text)} in the catalog: ingest it with `rushes ingest PATH` or see `rushes media list`")
    if project:
        pid = project_id(conn, project)
        linked = pid is not None and conn.execute(
            "SELECT 1 FROM project_media WHERE project_id=? AND media_id=?", (pid, row["id"])
        ).fetchone()
        if not linked:
            raise NotFound(f"media {row['id']} ({row['path']}) is not in project {clip(project)}")
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


def add_path(conn: sqlite3.Connection, media_id: int, path: str, size: int | None, mtime: float | None) -> None:
    """Remember one more (or a refreshed) copy of a media."""
    conn.execute(
        "INSERT INTO media_paths(media_id, path, size, mtime, seen_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(media_id, path) DO UPDATE SET size=excluded.size, mtime=excluded.mtime, seen_at=excluded.seen_at",
        (media_id, path, size, mtime, time.time()))


def media_paths(conn: sqlite3.Connection, media_id: int) -> list[str]:
    """Every known copy of a media, the one Rushes reads first, then newest seen first."""
    rows = conn.execute(
        "SELECT mp.path FROM media_paths mp JOIN media m ON m.id=mp.media_id WHERE mp.media_id=? "
        "ORDER BY mp.path<>m.path, mp.seen_at DESC, mp.path", (media_id,)).fetchall()
    return [r[0] for r in rows]


def copy_gone(conn: sqlite3.Connection, path: str) -> list[int]:
    """`path` was deleted or became unreachable: forget that copy, switch each media holding it to
    a copy still present, and send a media offline only when none is left. Returns the media ids
    that went offline."""
    offline = []
    ids = {int(r[0]) for r in conn.execute("SELECT media_id FROM media_paths WHERE path=?", (path,))}
    ids |= {int(r[0]) for r in conn.execute("SELECT id FROM media WHERE path=?", (path,))}
    for media_id in sorted(ids):
        conn.execute("DELETE FROM media_paths WHERE media_id=? AND path=?", (media_id, path))
        present = [p for p in media_paths(conn, media_id) if os.path.isfile(p)]
        if present:
            conn.execute("UPDATE media SET path=?, updated_at=?, reason=NULL, "
                         "status=CASE WHEN status='offline' THEN 'ready' ELSE status END WHERE id=? AND path=?",
                         (present[0], time.time(), media_id, path))
            continue
        # failed and cancelled media were never analysed to the end: offline (which turns back
        # into ready when a copy reappears) would claim they were
        n = conn.execute("UPDATE media SET status='offline', reason=?, updated_at=? "
                         "WHERE id=? AND status NOT IN ('failed', 'cancelled')",
                         (f"{path}: file deleted or unreachable, and no other copy is known; analysis kept",
                          time.time(), media_id)).rowcount
        if n:
            offline.append(media_id)
    return offline


def copy_moved(conn: sqlite3.Connection, src: str, dst: str) -> None:
    """A copy was renamed or moved: follow it (media.path too when it was the one read)."""
    conn.execute("UPDATE OR REPLACE media_paths SET path=?, seen_at=? WHERE path=?", (dst, time.time(), src))
    conn.execute("UPDATE media SET path=?, reason=NULL, "
                 "status=CASE WHEN status='offline' THEN 'ready' ELSE status END WHERE path=?", (dst, src))


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


def list_media(conn: sqlite3.Connection, project_id: int | None = None, statuses: list[str] | None = None) -> list[sqlite3.Row]:
    """Media rows by id, optionally only one project's and only some statuses."""
    sql = "SELECT m.* FROM media m"
    params: list[Any] = []
    where = []
    if project_id is not None:
        sql += " JOIN project_media pm ON pm.media_id=m.id"
        where.append("pm.project_id=?")
        params.append(project_id)
    if statuses:
        where.append(f"m.status IN ({','.join('?' * len(statuses))})")
        params.extend(statuses)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return conn.execute(sql + " ORDER BY m.id", params).fetchall()
