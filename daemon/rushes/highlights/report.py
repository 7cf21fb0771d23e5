"""The typed result of one scoring run, and its debug report (JSON)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Components:
    excitement: float = 0.0
    boundary: float = 0.0
    anchor_placement: float = 0.0
    dead_time: float = 0.0


@dataclass(frozen=True)
class HighlightClip:
    media_id: int
    start_frame: int
    end_frame: int            # exclusive
    anchor_frame: int
    score: float
    reason: str
    components: Components
    mode: str

    @property
    def id(self) -> str:
        return f"hl-{self.media_id}-{self.start_frame}-{self.end_frame}"


@dataclass(frozen=True)
class Anchor:
    time_s: float
    score: float
    kind: str                  # peak | reaction | action | loud
    reason: str
    start_s: float | None = None   # action sequences: the stretch they cover
    end_s: float | None = None


@dataclass
class Decision:
    start_s: float
    end_s: float
    score: float
    kept: bool
    why: str
    anchor_s: float | None = None


@dataclass
class Report:
    media_id: int
    mode: str
    settings: dict[str, Any]
    features: dict[str, Any] = field(default_factory=dict)
    anchors: list[Anchor] = field(default_factory=list)
    boundaries: list[dict[str, Any]] = field(default_factory=list)   # time_s, score and its parts
    windows: list[dict[str, Any]] = field(default_factory=list)      # candidate windows per anchor
    decisions: list[Decision] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=False, default=float)


@dataclass
class ScoreResult:
    clips: list[HighlightClip]
    report: Report
