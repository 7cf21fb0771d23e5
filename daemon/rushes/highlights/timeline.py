"""What highlights read of a media's stored picture analysis: shots, transitions, black/freeze.

Read straight from the catalog tables the shots step writes (typed here, so the highlights room
imports nothing of the shots room); times stay frames on the media's own rate.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Cut:
    frame: int            # first frame of the new shot (a gradual transition: its last frame + 1)
    kind: str             # cut, dissolve, fade_in, fade_out, fade_through_black, wipe
    confidence: float
    start: int            # gradual: the transition's first frame; a cut: == frame
    end: int              # exclusive


@dataclass(frozen=True)
class Span:
    kind: str             # black, freeze
    start: int
    end: int              # exclusive


@dataclass
class MediaTimeline:
    media_id: int
    fps: Fraction
    frame_count: int
    start_timecode: str
    path: str
    kind: str                                   # video | audio
    shots: list[tuple[int, int]] = field(default_factory=list)     # (start, end exclusive)
    cuts: list[Cut] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    def seconds(self, frame: int) -> float:
        return float(Fraction(frame) / self.fps)

    def frame_at(self, seconds: float) -> int:
        """The frame showing at `seconds` (rounded to the nearest frame edge), clamped to the media."""
        return max(0, min(self.frame_count, int(round(seconds * float(self.fps)))))


def media_fps(media: sqlite3.Row) -> Fraction:
    if media["fps_num"] and media["fps_den"]:
        return Fraction(int(media["fps_num"]), int(media["fps_den"]))
    return Fraction(25, 1)


def load_timeline(conn: sqlite3.Connection, media: sqlite3.Row) -> MediaTimeline:
    media_id = int(media["id"])
    tl = MediaTimeline(media_id=media_id, fps=media_fps(media), frame_count=int(media["frame_count"] or 0),
                       start_timecode=str(media["start_timecode"] or "00:00:00:00"), path=str(media["path"]),
                       kind=str(media["kind"]))
    tl.shots = [(int(r[0]), int(r[1])) for r in conn.execute(
        "SELECT start_frame, end_frame FROM shots WHERE media_id=? ORDER BY idx", (media_id,))]
    if tl.shots:
        tl.frame_count = max(tl.frame_count, tl.shots[-1][1]) if not tl.frame_count else tl.frame_count
    for kind, start, end, conf in conn.execute(
            "SELECT type, start_frame, end_frame, confidence FROM transitions WHERE media_id=? ORDER BY start_frame",
            (media_id,)):
        start, end = int(start), int(end)
        frame = start if kind == "cut" else end
        tl.cuts.append(Cut(frame=frame, kind=str(kind), confidence=float(conf), start=start, end=max(end, start)))
    tl.spans = [Span(str(k), int(a), int(b)) for k, a, b in conn.execute(
        "SELECT kind, start_frame, end_frame FROM segments WHERE media_id=? ORDER BY start_frame", (media_id,))]
    return tl
