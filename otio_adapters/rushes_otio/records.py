"""Typed records the builders take: what the daemon knows, in each media's own frames.

`fetch.py` fills them from the gRPC client; the builders turn them into OTIO objects. Frames
are integers from the media's first frame (0), `end` exclusive, as the daemon sends them; the
media's start timecode is added only when a time becomes an OTIO `RationalTime`, so every
source range lands in the media's timecode space (what Resolve's OTIO import requires).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction

import opentimelineio as otio

from . import timecode as tc


@dataclass(frozen=True)
class MediaTime:
    """One media file's time space: rate, length and start timecode."""

    id: str
    path: str
    rate: Fraction
    frame_count: int
    start_frame: int = 0            # the start timecode as frames since 00:00:00:00
    drop_frame: bool = False
    width: int = 0
    height: int = 0
    reel: str = ""
    audio_channels: int = 0
    audio_rate: int = 0
    kind: str = "video"
    variable_frame_rate: bool = False

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def otio_rate(self) -> float:
        return float(self.rate)

    @property
    def start_timecode(self) -> str:
        return tc.to_label(self.start_frame, self.rate, self.drop_frame)

    def time(self, frame: int) -> otio.opentime.RationalTime:
        """A frame of this media (0 = its first) in its timecode space."""
        return otio.opentime.RationalTime(self.start_frame + int(frame), self.otio_rate)

    def duration(self, frames: int) -> otio.opentime.RationalTime:
        return otio.opentime.RationalTime(int(frames), self.otio_rate)

    def range(self, start: int, end: int) -> otio.opentime.TimeRange:
        return otio.opentime.TimeRange(self.time(start), self.duration(end - start))

    def timecode(self, frame: int) -> str:
        return tc.to_label(self.start_frame + int(frame), self.rate, self.drop_frame)

    def frame_of(self, time: otio.opentime.RationalTime) -> int:
        """The media frame (0 = first) of a time in this media's timecode space."""
        return round(time.rescaled_to(self.otio_rate).value) - self.start_frame

    @classmethod
    def from_fields(cls, *, id: str, path: str, fps: str, frame_count: int, start_timecode: str = "",
                    **rest: object) -> "MediaTime":
        """From the daemon's strings: fps "num/den", start timecode "HH:MM:SS:FF" (';' drop-frame)."""
        rate = tc.parse_rate(fps)
        start, drop = 0, False
        if start_timecode:
            drop = tc.parse_label(start_timecode).drop_frame and tc.can_drop_frame(rate)
            start = tc.to_frames(start_timecode, rate, drop)
        return cls(id=id, path=path, rate=rate, frame_count=int(frame_count), start_frame=start, drop_frame=drop,
                   **rest)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Span:
    """A stretch of one media: a shot, a face track, a highlight; `end` exclusive."""

    media_id: str
    start: int
    end: int
    id: str = ""
    kind: str = "shot"              # shot | track | highlight
    name: str = ""
    confidence: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class Mark:
    """A moment to mark: a transition, a highlight's peak; `end` exclusive (== start + 1 for a point)."""

    media_id: str
    start: int
    end: int
    name: str
    note: str = ""
    color: str = "RED"              # an otio.schema.MarkerColor name
    id: str = ""
    kind: str = "transition"


@dataclass(frozen=True)
class Group:
    """A cluster as a bin: its members in the media they come from."""

    id: str
    view: str
    name: str = ""
    parent_id: str = ""
    members: tuple[Span, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        """What the editor sees: the name they gave, else the id ("noise" for the noise bucket)."""
        return self.name or self.id


@dataclass(frozen=True)
class Compound:
    """A compound clip: named, ordered source ranges from one or several media."""

    id: str
    name: str
    segments: tuple[Span, ...] = field(default_factory=tuple)
