"""A media's shot list as one typed record: shots, transitions and black/freeze segments.

The same object comes out of the catalog (the daemon's GetShots), out of an in-process analysis
(`rushes shots PATH` with no daemon) and out of a GetShots reply (the CLI against a daemon), and
prints the same JSON in all three, so scripts never see two shapes. It lives in the catalog,
below the rooms, so a room that reads shots (highlights, exports) needs no import of the shots
room.

Ids: `id` is the shot's catalog id as text when the list is stored, None when it is not (an
in-process analysis stores nothing); `index` is the shot's position in its media, the same
both ways.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class ShotEntry:
    index: int                  # position in the media, from 0
    start_frame: int
    end_frame: int              # exclusive
    keyframes: tuple[int, ...] = ()
    motion: float = 0.0         # mean frame-to-frame change inside the shot (0..1)
    id: str | None = None       # catalog id; None when not stored


@dataclass(frozen=True)
class TransitionEntry:
    """A cut at `start` (end = start + 1), or a gradual change over [start, end)."""

    type: str                   # cut, dissolve, fade_in, fade_out, fade_through_black, wipe
    start: int
    end: int
    confidence: float

    @property
    def is_cut(self) -> bool:
        return self.type == "cut"


@dataclass(frozen=True)
class SegmentEntry:
    kind: str                   # black | freeze
    start_frame: int
    end_frame: int              # exclusive


@dataclass
class ShotList:
    fps: str                    # "num/den", the media's own rate ("" when unknown)
    frame_count: int
    shots: list[ShotEntry] = field(default_factory=list)
    transitions: list[TransitionEntry] = field(default_factory=list)
    segments: list[SegmentEntry] = field(default_factory=list)
    media_id: str | None = None  # None when not stored

    def seconds(self, frame: int) -> float:
        """A frame's start time on the media's own rate (0.0 when the rate is unknown)."""
        if not self.fps:
            return 0.0
        rate = Fraction(self.fps)
        return round(float(frame / rate), 6) if rate else 0.0

    def as_json(self) -> dict[str, Any]:
        """What `rushes shots --json` prints: snake_case, ids as strings (null: not stored),
        frames plus seconds, every end exclusive; a cut is {"type", "frame", "confidence"}."""
        return {
            "media_id": self.media_id,
            "fps": self.fps,
            "frame_count": self.frame_count,
            "shots": [{"id": s.id, "index": s.index, "start_frame": s.start_frame, "end_frame": s.end_frame,
                       "start_s": self.seconds(s.start_frame), "end_s": self.seconds(s.end_frame),
                       "keyframes": list(s.keyframes), "motion": round(s.motion, 4)} for s in self.shots],
            "transitions": [{"type": "cut", "frame": t.start, "confidence": round(t.confidence, 3)} if t.is_cut else
                            {"type": t.type, "start": t.start, "end": t.end, "confidence": round(t.confidence, 3)}
                            for t in self.transitions],
            "segments": [{"kind": g.kind, "start_frame": g.start_frame, "end_frame": g.end_frame}
                         for g in self.segments],
        }


def is_analysed(conn: sqlite3.Connection, media_id: int) -> bool:
    """Whether the shots stage ever stored this media's shot list (an empty list is still a result)."""
    return conn.execute("SELECT 1 FROM analysis_stages WHERE media_id=? AND stage='analyse'",
                        (media_id,)).fetchone() is not None


def load_shot_list(conn: sqlite3.Connection, media: sqlite3.Row) -> ShotList:
    """The stored shot list of a media row (empty when not analysed: check is_analysed)."""
    media_id = int(media["id"])
    fps = f"{media['fps_num']}/{media['fps_den']}" if media["fps_num"] and media["fps_den"] else ""
    kf: dict[int, list[int]] = {}
    for row in conn.execute("SELECT k.shot_id, k.frame FROM keyframes k JOIN shots s ON s.id=k.shot_id "
                            "WHERE s.media_id=? ORDER BY k.frame", (media_id,)):
        kf.setdefault(int(row[0]), []).append(int(row[1]))
    out = ShotList(fps=fps, frame_count=int(media["frame_count"] or 0), media_id=str(media_id))
    rows = conn.execute("SELECT id, start_frame, end_frame, motion FROM shots WHERE media_id=? ORDER BY idx",
                        (media_id,)).fetchall()
    for i, s in enumerate(rows):
        out.shots.append(ShotEntry(index=i, start_frame=int(s["start_frame"]), end_frame=int(s["end_frame"]),
                                   keyframes=tuple(kf.get(int(s["id"]), [])), motion=float(s["motion"]),
                                   id=str(s["id"])))
    if out.shots:
        out.frame_count = out.shots[-1].end_frame   # shots cover every decoded frame
    for t in conn.execute("SELECT type, start_frame, end_frame, confidence FROM transitions WHERE media_id=? "
                          "ORDER BY start_frame", (media_id,)):
        out.transitions.append(TransitionEntry(str(t[0]), int(t[1]), int(t[2]), float(t[3])))
    for g in conn.execute("SELECT kind, start_frame, end_frame FROM segments WHERE media_id=? ORDER BY start_frame",
                          (media_id,)):
        out.segments.append(SegmentEntry(str(g[0]), int(g[1]), int(g[2])))
    return out


def keyframe_thumb(conn: sqlite3.Connection, media_id: int, frame: int) -> str | None:
    """The stored thumbnail of a keyframe of this media at `frame`, or None."""
    row = conn.execute("SELECT k.thumb_path FROM keyframes k JOIN shots s ON s.id=k.shot_id "
                       "WHERE s.media_id=? AND k.frame=? AND k.thumb_path IS NOT NULL LIMIT 1",
                       (media_id, int(frame))).fetchone()
    return None if row is None else str(row[0])
