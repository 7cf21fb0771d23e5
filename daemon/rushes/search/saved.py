"""Saved searches (`rushes search QUERY --save NAME`): the request as JSON, per project.

The Resolve menu scripts cannot ask for text (Free's Lua has no input box since 19.1), so an
editor saves a search from the command line and the menu runs it by name.
"""
from __future__ import annotations

import sqlite3
import time

from rushes.errors import InvalidArgument, NotFound


def save(conn: sqlite3.Connection, project_id: int, name: str, request_json: str) -> None:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidArgument("a saved search needs a short name: `rushes search QUERY --save NAME`")
    conn.execute(
        "INSERT INTO saved_searches(project_id, name, query_json, created_at) VALUES (?,?,?,?) "
        "ON CONFLICT(project_id, name) DO UPDATE SET query_json=excluded.query_json, created_at=excluded.created_at",
        (project_id, name, request_json, time.time()))


def load(conn: sqlite3.Connection, project_id: int, name: str) -> str:
    row = conn.execute("SELECT query_json FROM saved_searches WHERE project_id=? AND name=?",
                       (project_id, name.strip())).fetchone()
    if row is None:
        names = [r[0] for r in conn.execute("SELECT name FROM saved_searches WHERE project_id=? ORDER BY name",
                                            (project_id,))]
        raise NotFound(f"no saved search {name!r}" + (f" (saved: {', '.join(names)})" if names else "")
                       + ": save one with `rushes search QUERY --save NAME`")
    return str(row[0])


def listing(conn: sqlite3.Connection, project_id: int) -> list[tuple[str, str, float]]:
    """(name, request JSON, saved at) of every saved search of the project, newest first (the
    Resolve menu's "Search to timeline" takes the first)."""
    rows = conn.execute("SELECT name, query_json, created_at FROM saved_searches WHERE project_id=? "
                        "ORDER BY created_at DESC, name", (project_id,)).fetchall()
    return [(str(r[0]), str(r[1]), float(r[2] or 0.0)) for r in rows]
