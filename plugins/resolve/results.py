"""What the plan needs from the daemon, as typed records, and how to fetch it through rushes_client."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .frames import Rate


@dataclass(frozen=True)
class Shot:
    id: str
    media_id: str
    start_frame: int
    end_frame: int          # exclusive


@dataclass(frozen=True)
class Media:
    id: str
    path: str
    fps: Rate
    frame_count: int
    start_timecode: str = "00:00:00:00"
    shots: tuple[Shot, ...] = ()


@dataclass(frozen=True)
class Cluster:
    id: str                 # "noise" is the noise bucket
    view: str               # scene, character, people
    name: str = ""
    shots: tuple[str, ...] = ()
    parent_id: str = ""

    @property
    def is_noise(self) -> bool:
        return self.id == "noise"

    def label(self) -> str:
        """The editor's name when given, else one made from the id ("scene-3" -> "Scene 3")."""
        if self.name:
            return self.name
        if self.is_noise:
            return "Unsorted"
        head = self.id.split("@", 1)[0]
        kind, _, number = head.rpartition("-")
        return f"{kind.capitalize()} {number}" if kind and number.isdigit() else self.id


@dataclass(frozen=True)
class Results:
    project: str
    media: tuple[Media, ...] = ()
    clusters: dict[str, tuple[Cluster, ...]] = field(default_factory=dict)   # view -> clusters

    def view(self, name: str) -> tuple[Cluster, ...]:
        return self.clusters.get(name, ())

    def shot_index(self) -> dict[str, Shot]:
        return {s.id: s for m in self.media for s in m.shots}


VIEWS = ("scene", "people", "character")


def fetch(client: Any, project: str = "default") -> Results:
    """Ready media with their shots, and the clusters of every view, from a connected RushesClient."""
    media = []
    for m in client.list_media(project):
        if m.status != "ready" or m.kind != "video":
            continue
        shots = client.shots(m.id, project)
        media.append(Media(id=m.id, path=m.path, fps=Rate.parse(m.fps, ";" in m.start_timecode),
                           frame_count=m.frame_count, start_timecode=m.start_timecode or "00:00:00:00",
                           shots=tuple(Shot(s.id, m.id, s.start_frame, s.end_frame) for s in shots.shots)))
    clusters = {view: tuple(Cluster(id=c.id, view=view, name=c.name, shots=tuple(c.shots), parent_id=c.parent_id)
                            for c in client.clusters(view, project)) for view in VIEWS}
    return Results(project=project, media=tuple(media), clusters=clusters)
