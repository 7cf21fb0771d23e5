"""Compound clips: ordered source ranges from one or several media, kept per project."""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field

from rushes.errors import InvalidArgument, NotFound


@dataclass(frozen=True)
class CompoundSegment:
    media_id: int
    start_frame: int
    end_frame: int           # exclusive
    label: str = ""
    highlight_id: str = ""


@dataclass
class Compound:
    id: int
    project_id: int
    name: str
    created_at: float
    updated_at: float
    segments: list[CompoundSegment] = field(default_factory=list)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidArgument("a compound clip needs a name of 1 to 200 characters (--name)")
    return name


def _write_segments(conn: sqlite3.Connection, clip_id: int, segments: list[CompoundSegment]) -> None:
    if not segments:
        raise InvalidArgument("a compound clip needs at least one segment")
    conn.execute("DELETE FROM compound_segments WHERE clip_id=?", (clip_id,))
    conn.executemany("INSERT INTO compound_segments(clip_id, idx, media_id, start_frame, end_frame, label, highlight_id) "
                     "VALUES (?,?,?,?,?,?,?)",
                     [(clip_id, i, s.media_id, s.start_frame, s.end_frame, s.label, s.highlight_id)
                      for i, s in enumerate(segments)])


def create(conn: sqlite3.Connection, project_id: int, name: str, segments: list[CompoundSegment]) -> int:
    now = time.time()
    clip_id = int(conn.execute("INSERT INTO compound_clips(project_id, name, created_at, updated_at) VALUES (?,?,?,?)",
                               (project_id, _check_name(name), now, now)).lastrowid)
    _write_segments(conn, clip_id, segments)
    return clip_id


def get(conn: sqlite3.Connection, project_id: int, clip_id: str | int) -> Compound:
    text = str(clip_id).strip()
    if not text.isdigit():
        raise InvalidArgument(f"bad compound clip id {clip_id!r}: ids are numbers (see `rushes compound list`)")
    row = conn.execute("SELECT * FROM compound_clips WHERE id=? AND project_id=?", (int(text), project_id)).fetchone()
    if row is None:
        raise NotFound(f"no compound clip {text} in this project: run `rushes compound list`")
    clip = Compound(int(row["id"]), int(row["project_id"]), str(row["name"]), float(row["created_at"]),
                    float(row["updated_at"]))
    clip.segments = [CompoundSegment(int(r["media_id"]), int(r["start_frame"]), int(r["end_frame"]), str(r["label"]),
                                     str(r["highlight_id"]))
                     for r in conn.execute("SELECT * FROM compound_segments WHERE clip_id=? ORDER BY idx", (clip.id,))]
    return clip


def list_all(conn: sqlite3.Connection, project_id: int) -> list[Compound]:
    ids = [int(r[0]) for r in conn.execute("SELECT id FROM compound_clips WHERE project_id=? ORDER BY id", (project_id,))]
    return [get(conn, project_id, i) for i in ids]


def update(conn: sqlite3.Connection, project_id: int, clip_id: str, name: str | None,
           segments: list[CompoundSegment] | None) -> None:
    clip = get(conn, project_id, clip_id)
    if name:
        conn.execute("UPDATE compound_clips SET name=? WHERE id=?", (_check_name(name), clip.id))
    if segments is not None:
        _write_segments(conn, clip.id, segments)
    conn.execute("UPDATE compound_clips SET updated_at=? WHERE id=?", (time.time(), clip.id))


def delete(conn: sqlite3.Connection, project_id: int, clip_id: str) -> bool:
    clip = get(conn, project_id, clip_id)
    conn.execute("DELETE FROM compound_clips WHERE id=?", (clip.id,))
    return True
