"""Projects in the catalog: create by name, look up by name or id, link media into them.

A project is a name an editor gives a set of media; clustering, feedback and exports are per
project and a media can belong to several (DESIGN.md, Projects).
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from rushes.errors import InvalidArgument, clip


def ensure_project(conn: sqlite3.Connection, name: str) -> int:
    name = (name or "default").strip()
    if not name or len(name) > 200 or "/" in name:
        raise InvalidArgument(f"bad project name {clip(name)}: use a short name without '/'")
    row = conn.execute("SELECT id FROM projects WHERE name=?", (name,)).fetchone()
    if row:
        return int(row[0])
    return int(conn.execute("INSERT INTO projects(name, created_at) VALUES (?, ?)", (name, time.time())).lastrowid)


def project_id(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT id FROM projects WHERE name=?", ((name or "default"),)).fetchone()
    return None if row is None else int(row[0])


def project_name(conn: sqlite3.Connection, pid: int | None) -> str:
    if pid is None:
        return ""
    row = conn.execute("SELECT name FROM projects WHERE id=?", (pid,)).fetchone()
    return "" if row is None else str(row[0])


def link_media(conn: sqlite3.Connection, pid: int, media_id: int) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO project_media(project_id, media_id, added_at) VALUES (?, ?, ?)",
        (pid, media_id, time.time()),
    )


def media_projects(conn: sqlite3.Connection, media_id: int) -> list[str]:
    """Names of the projects a media belongs to, sorted."""
    rows = conn.execute(
        "SELECT p.name FROM project_media pm JOIN projects p ON p.id=pm.project_id WHERE pm.media_id=? ORDER BY p.name",
        (media_id,),
    ).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    name: str
    media_count: int


def list_projects(conn: sqlite3.Connection) -> list[ProjectSummary]:
    """Every project by name, with how many media it holds."""
    rows = conn.execute(
        "SELECT p.id, p.name, COUNT(pm.media_id) AS n FROM projects p "
        "LEFT JOIN project_media pm ON pm.project_id=p.id GROUP BY p.id ORDER BY p.name").fetchall()
    return [ProjectSummary(int(r[0]), str(r[1]), int(r[2])) for r in rows]
