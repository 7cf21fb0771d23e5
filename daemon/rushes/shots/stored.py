"""Reading a media's stored shot analysis back from the catalog (for RPCs and exports)."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field


@dataclass
class StoredShots:
    media_id: int
    fps: str
    frame_count: int
    shots: list[dict] = field(default_factory=list)        # id, start_frame, end_frame, keyframes, motion
    transitions: list[dict] = field(default_factory=list)  # type, start, end, confidence
    segments: list[dict] = field(default_factory=list)     # kind, start_frame, end_frame
    analysed: bool = False


def load(conn: sqlite3.Connection, media: sqlite3.Row) -> StoredShots:
    media_id = int(media["id"])
    fps = f"{media['fps_num']}/{media['fps_den']}" if media["fps_num"] and media["fps_den"] else ""
    shots = conn.execute("SELECT id, start_frame, end_frame, motion FROM shots WHERE media_id=? ORDER BY idx",
                         (media_id,)).fetchall()
    kf: dict[int, list[int]] = {}
    for row in conn.execute("SELECT k.shot_id, k.frame FROM keyframes k JOIN shots s ON s.id=k.shot_id "
                            "WHERE s.media_id=? ORDER BY k.frame", (media_id,)):
        kf.setdefault(int(row[0]), []).append(int(row[1]))
    out = StoredShots(media_id, fps, int(media["frame_count"] or 0))
    out.analysed = conn.execute("SELECT 1 FROM analysis_stages WHERE media_id=? AND stage='analyse'",
                                (media_id,)).fetchone() is not None
    for s in shots:
        out.shots.append({"id": str(s["id"]), "start_frame": int(s["start_frame"]), "end_frame": int(s["end_frame"]),
                          "keyframes": kf.get(int(s["id"]), []), "motion": float(s["motion"])})
    if out.shots:
        out.frame_count = out.shots[-1]["end_frame"]   # shots cover every decoded frame
    for t in conn.execute("SELECT type, start_frame, end_frame, confidence FROM transitions WHERE media_id=? "
                          "ORDER BY start_frame", (media_id,)):
        out.transitions.append({"type": t[0], "start": int(t[1]), "end": int(t[2]), "confidence": float(t[3])})
    for g in conn.execute("SELECT kind, start_frame, end_frame FROM segments WHERE media_id=? ORDER BY start_frame",
                          (media_id,)):
        out.segments.append({"kind": g[0], "start_frame": int(g[1]), "end_frame": int(g[2])})
    return out


def thumb_for(conn: sqlite3.Connection, media_id: int, frame: int) -> str | None:
    row = conn.execute("SELECT k.thumb_path FROM keyframes k JOIN shots s ON s.id=k.shot_id "
                       "WHERE s.media_id=? AND k.frame=? AND k.thumb_path IS NOT NULL LIMIT 1",
                       (media_id, int(frame))).fetchone()
    return None if row is None else str(row[0])
