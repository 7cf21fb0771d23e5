"""Plain records the shot analysis produces (frames on the media's own rate, ends exclusive)."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from rushes.catalog.shot_lists import SegmentEntry, ShotEntry, ShotList, TransitionEntry

TRANSITION_TYPES = ("cut", "dissolve", "fade_in", "fade_out", "fade_through_black", "wipe")
GRADUAL = frozenset(TRANSITION_TYPES) - {"cut"}


@dataclass
class Transition:
    """A boundary: a cut at `start` (end = start + 1), or a gradual change over [start, end)."""

    type: str
    start: int
    end: int
    confidence: float
    source: str = ""            # which detector (and whether the referee confirmed it)

    @property
    def is_cut(self) -> bool:
        return self.type == "cut"

    def as_json(self) -> dict:
        if self.is_cut:
            return {"type": "cut", "frame": self.start, "confidence": round(self.confidence, 3)}
        return {"type": self.type, "start": self.start, "end": self.end, "confidence": round(self.confidence, 3)}


@dataclass
class Candidate:
    """What a detector saw; `sure` candidates skip the referee in auto mode."""

    type: str
    start: int
    end: int
    score: float                # detector-specific strength, mapped to confidence 0..1
    sure: bool
    detector: str


@dataclass
class Segment:
    kind: str                   # black | freeze
    start: int
    end: int


@dataclass
class Shot:
    idx: int
    start: int
    end: int
    motion: float = 0.0         # mean frame-to-frame change inside the shot (0..1)
    keyframes: list[tuple[int, str]] = field(default_factory=list)   # (frame, role)


@dataclass
class ShotAnalysis:
    fps: Fraction
    frame_count: int
    shots: list[Shot]
    transitions: list[Transition]
    segments: list[Segment]
    width: int = 0
    height: int = 0
    rotation: int = 0
    referee_frames: int = 0     # frames the neural referee looked at
    model: str = "auto"

    @property
    def fps_text(self) -> str:
        return f"{self.fps.numerator}/{self.fps.denominator}"

    def shot_list(self) -> ShotList:
        """This analysis as the one shot-list record (not stored: no ids)."""
        return ShotList(
            fps=self.fps_text, frame_count=self.frame_count,
            shots=[ShotEntry(index=i, start_frame=s.start, end_frame=s.end, keyframes=tuple(f for f, _ in s.keyframes),
                             motion=float(s.motion)) for i, s in enumerate(self.shots)],
            transitions=[TransitionEntry(t.type, t.start, t.end, float(t.confidence)) for t in self.transitions],
            segments=[SegmentEntry(g.kind, g.start, g.end) for g in self.segments],
        )
