"""The one detector interface: features of the whole pass in, candidate transitions out.

Like PySceneDetect's detectors each class answers one question (hard cuts, fades, dissolves) and
knows nothing of decoding or storage; the analyser merges their candidates and sends the unsure
ones to the referee.
"""
from __future__ import annotations

from typing import Any, Protocol

from rushes.shots.features import Features
from rushes.shots.types import Candidate


class Detector(Protocol):
    name: str

    def detect(self, f: Features) -> list[Candidate]: ...


def setting(settings: Any, key: str, default: float) -> float:
    """A threshold from settings.get (env RUSHES_<KEY> > config [analysis] > default)."""
    if settings is None:
        return default
    return float(settings.get(key, default))
