"""The one detector interface: features of the whole pass in, candidate transitions out.

Like PySceneDetect's detectors each class answers one question (hard cuts, fades, dissolves) and
knows nothing of decoding or storage; the analyser merges their candidates and sends the unsure
ones to the referee.
"""
from __future__ import annotations

from typing import Protocol

from rushes.shots.features import Features
from rushes.shots.types import Candidate
from rushes.settings import Settings


class Detector(Protocol):
    name: str

    def detect(self, f: Features) -> list[Candidate]: ...


def setting(settings: Settings | None, key: str, default: float) -> float:
    """A threshold from settings.get (env RUSHES_<KEY> > config [analysis] > default)."""
    if settings is None:
        return default
    return float(settings.get(key, default))
