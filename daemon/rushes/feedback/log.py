"""The JSONL log of training pairs: one line per (anchor, positive, negative, source) triplet.

Appended after the catalog commit, flushed and fsynced, so an editor's decision survives a
power cut even before anyone exports it. The catalog's feedback table stays the source of
truth: `export` rebuilds a project's pairs from it, so a log deleted by hand loses nothing.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def append_pairs(path: Path, lines: list[dict]) -> None:
    """Append JSON lines to the log at `path` and fsync it (the folder is created if needed)."""
    if not lines:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # private like all of RUSHES_HOME
    try:
        os.write(fd, data.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def pair_lines(project: str, feedback_id: int, payload: dict, created_at: float) -> list[dict]:
    """The log lines of one stored feedback (every pair carries where it came from)."""
    return [{
        "project": project,
        "feedback_id": feedback_id,
        "action": payload.get("action", ""),
        "view": payload.get("view", ""),
        "anchor": p.get("anchor"),
        "positive": p.get("positive"),
        "negative": p.get("negative"),
        "source": payload.get("source", "") or "unknown",
        "model": payload.get("model", ""),
        "created_at": created_at,
    } for p in payload.get("pairs", [])]


def export(catalog, project_id: int) -> list[dict]:
    """Every training pair of a project, oldest first, rebuilt from the catalog."""
    row = catalog.query_one("SELECT name FROM projects WHERE id=?", (project_id,))
    project = row[0] if row else str(project_id)
    out: list[dict] = []
    for r in catalog.query("SELECT id, payload_json, created_at FROM feedback WHERE project_id=? ORDER BY id",
                           (project_id,)):
        out += pair_lines(project, int(r[0]), json.loads(r[1]), float(r[2]))
    return out


def to_jsonl(lines: list[dict]) -> str:
    return "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines)
