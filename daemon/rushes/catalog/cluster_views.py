"""Clusters as every API shows them, as typed records: one shape for the daemon, the RPC and the CLI.

A `ClusterView` is one stored cluster of one view (scene, character, people) with its members
and their confidences; the noise bucket is the cluster with id "noise", whose `reasons` say why
each member is there. `FeedbackOutcome` is what one editor decision returns. The clustering
room builds them (clustering/views.py), the server converts them to rushes.v1 messages and
back, and `as_json` is what `rushes clusters --json` and `rushes feedback --json` print. They
live in the catalog, below the rooms, so any room (or export) can read clusters without
importing the clustering room.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

NOISE = "noise"


def _by_member(d: Mapping[str, Any]) -> dict[str, Any]:
    """Member ids in numeric order (they are catalog ids as text)."""
    return dict(sorted(d.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 1 << 62))


@dataclass(frozen=True)
class ClusterView:
    id: str                     # stable across re-clustering; "noise" is the noise bucket
    name: str
    view: str                   # scene | character | people
    shots: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    confidence: Mapping[str, float] = field(default_factory=dict)   # member id -> membership confidence
    parent_id: str = ""         # character clusters: the scene they sit in
    reasons: Mapping[str, str] = field(default_factory=dict)        # noise bucket: member id -> why

    @property
    def is_noise(self) -> bool:
        return self.id == NOISE

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "view": self.view, "shots": list(self.shots),
                               "tracks": list(self.tracks),
                               "confidence": {k: float(v) for k, v in _by_member(self.confidence).items()}}
        if self.parent_id:
            out["parent_id"] = self.parent_id
        if self.is_noise:
            out["reasons"] = _by_member(self.reasons)
        return out


@dataclass(frozen=True)
class FeedbackOutcome:
    """One stored editor decision: its id and the clusters it changed, as the API shows them."""

    feedback_id: str
    changed: tuple[ClusterView, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"feedback_id": self.feedback_id, "changed": [c.as_json() for c in self.changed]}
