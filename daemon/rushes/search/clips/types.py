"""Typed records of the clipper: sentences of a transcript, the settings, the clips it returns."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

RANKERS = ("offline", "llm")


@dataclass(frozen=True)
class Sentence:
    """One sentence (or one turn, when a pause ends it first), with its first and last word's frames.

    `index` counts from 0 in the media's transcript; frames are on the media's own rate, `end_frame`
    exclusive (the last word's end)."""

    index: int
    text: str
    start_frame: int
    end_frame: int
    question: bool = False


@dataclass(frozen=True)
class Window:
    """A candidate clip: sentences `first`..`last` (inclusive) of the transcript."""

    first: int
    last: int
    start_frame: int
    end_frame: int
    text: str


@dataclass(frozen=True)
class Clip:
    """A clip in the highlights' shape: `id` is stable for the same media and range."""

    id: str
    media_id: int
    start_frame: int
    end_frame: int              # exclusive
    start_s: float
    end_s: float
    score: float                # 0..1, higher is better
    reason: str
    text: str
    first_sentence: int         # sentence numbers of the transcript, from 0, inclusive
    last_sentence: int


def clip_id(media_id: int, start_frame: int, end_frame: int) -> str:
    return f"clip-{media_id}-{start_frame}-{end_frame}"


def make_clip(media_id: int, rate: Fraction, w: Window, score: float, reason: str) -> Clip:
    """A window as a clip: seconds from the frames on the media's own rate (never the other way)."""
    return Clip(id=clip_id(media_id, w.start_frame, w.end_frame), media_id=media_id, start_frame=w.start_frame,
                end_frame=w.end_frame, start_s=round(float(Fraction(w.start_frame) / rate), 4),
                end_s=round(float(Fraction(w.end_frame) / rate), 4), score=round(float(score), 4), reason=reason,
                text=w.text, first_sentence=w.first, last_sentence=w.last)


@dataclass(frozen=True)
class ClipConfig:
    """The clipper's settings (`clips_*` and `llm_*` in rushes.settings; defaults here, README)."""

    min_s: float = 4.0            # shortest clip: shorter runs of sentences are joined with their neighbours
    max_s: float = 30.0           # longest clip (one sentence longer than this is cut at its longest pause)
    pause_s: float = 1.0          # a silence this long between two words ends a sentence (a turn)
    count: int = 5                # clips returned when the request gives no limit
    max_overlap: float = 0.0      # share of the shorter clip that may overlap a better one
    topic_min: float = 0.25       # with a topic: clips scoring below this are not about it (measured, README)
    ranker: str = "offline"       # offline | llm
    llm_url: str = ""             # an OpenAI-compatible base URL (…/v1); empty: no endpoint
    llm_key: str = ""             # sent as a Bearer token; from RUSHES_LLM_KEY
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 60.0

    @classmethod
    def from_settings(cls, settings: Any) -> "ClipConfig":
        d = cls()
        get: Callable[[str, Any], Any] = (lambda k, v: settings.get(k, v)) if settings is not None else (lambda k, v: v)
        return cls(min_s=float(get("clips_min_s", d.min_s)), max_s=float(get("clips_max_s", d.max_s)),
                   pause_s=float(get("clips_pause_s", d.pause_s)), count=int(get("clips_count", d.count)),
                   max_overlap=float(get("clips_max_overlap", d.max_overlap)),
                   topic_min=float(get("clips_topic_min", d.topic_min)),
                   ranker=str(get("clips_ranker", d.ranker) or d.ranker),
                   llm_url=str(get("llm_url", d.llm_url) or ""), llm_key=str(get("llm_key", d.llm_key) or ""),
                   llm_model=str(get("llm_model", d.llm_model) or d.llm_model),
                   llm_timeout_s=float(get("llm_timeout_s", d.llm_timeout_s)))
