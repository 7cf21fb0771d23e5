"""Typed records of a search: what is asked, what each channel proposes, what comes back."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rushes.search.query import Query

CHANNELS = ("speech", "text", "meaning", "visual", "people", "slate")


@dataclass
class SearchRequest:
    """One search. Vectors in the scene space (`image_vectors`: from --image/--like; `scene_text_vector`:
    the words through the image-text model's text tower) are made by the caller, which owns the
    scene model; the meaning channel's query vector is made here from `query.free_text`."""

    query: Query
    project_id: int
    media_ids: list[int] | None = None          # --media (None: every media of the project)
    cluster_ids: list[str] = field(default_factory=list)
    has_speech: bool = False
    has_faces: bool = False
    min_duration_s: float = 0.0
    limit: int = 20
    image_vectors: list[np.ndarray] = field(default_factory=list)
    like_shot_ids: list[int] = field(default_factory=list)     # left out of their own results
    scene_text_vector: np.ndarray | None = None


@dataclass(frozen=True)
class Candidate:
    """A range one channel proposes, with that channel's own score (only its rank matters)."""

    channel: str
    media_id: int
    start_frame: int
    end_frame: int
    score: float
    detail: str = ""
    exact: bool = False           # every word and phrase of the query found as written


@dataclass(frozen=True)
class Why:
    channel: str
    score: float
    detail: str


@dataclass(frozen=True)
class SearchHit:
    media_id: int
    start_frame: int
    end_frame: int                # exclusive
    start_s: float
    end_s: float
    score: float                  # fused (reciprocal rank), exact matches first
    why: tuple[Why, ...]
    exact: bool = False
    path: str = ""

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w.channel for w in self.why))


@dataclass
class SearchResult:
    hits: list[SearchHit]
    notes: list[str] = field(default_factory=list)     # channels that could not run, and why
