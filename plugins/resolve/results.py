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
class Highlight:
    id: str                 # stable for the same media and range
    media_id: str
    start_frame: int
    end_frame: int          # exclusive
    score: float = 0.0
    reason: str = ""
    rank: int = 0           # 1 = best


@dataclass(frozen=True)
class Segment:
    media_id: str
    start_frame: int
    end_frame: int          # exclusive
    label: str = ""


@dataclass(frozen=True)
class CompoundClip:
    id: str
    name: str
    segments: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One search hit: a sub-range of a media, on its own rate."""

    media_id: str
    start_frame: int
    end_frame: int          # exclusive
    score: float = 0.0
    channels: tuple[str, ...] = ()
    detail: str = ""        # the line said or read, the person, the slate...


@dataclass(frozen=True)
class SavedHits:
    """A saved search (`rushes search QUERY --save NAME`) and what it finds now, best first."""

    name: str
    query: str
    hits: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class Results:
    project: str
    media: tuple[Media, ...] = ()
    clusters: dict[str, tuple[Cluster, ...]] = field(default_factory=dict)   # view -> clusters
    highlights: dict[str, tuple[Highlight, ...]] = field(default_factory=dict)   # media id -> its highlights
    best: tuple[Highlight, ...] = ()          # the project's best highlights, best first
    compounds: tuple[CompoundClip, ...] = ()
    searches: tuple[SavedHits, ...] = ()      # the saved search(es) a "Search to timeline" runs
    saved_names: tuple[str, ...] = ()         # every saved search of the project, newest first

    def view(self, name: str) -> tuple[Cluster, ...]:
        return self.clusters.get(name, ())

    def shot_index(self) -> dict[str, Shot]:
        return {s.id: s for m in self.media for s in m.shots}


VIEWS = ("scene", "people", "character")


def _highlight(h: Any) -> Highlight:
    return Highlight(h.id, h.media_id, h.start_frame, h.end_frame, h.score, h.reason, h.rank)


def saved_hits(client: Any, project: str, saved: str | None = None) -> tuple[tuple[SavedHits, ...], tuple[str, ...]]:
    """The saved search named `saved` (else the newest one) run now, and every saved name.

    Resolve Free's Lua scripts have no text input (since 19.1), so the query was saved from the
    command line; the newest is the one the editor just made."""
    every = client.saved_searches(project)
    names = tuple(s.name for s in every)
    chosen = [s for s in every if s.name == saved] if saved else every[:1]
    out = []
    for s in chosen:
        resp = client.call("Search", s.search, timeout=300)
        out.append(SavedHits(s.name, s.search.query, tuple(
            Hit(h.media_id, h.start_frame, h.end_frame, h.score, tuple(h.channels), h.why[0].detail if h.why else "")
            for h in resp.hits)))
    return tuple(out), names


def fetch(client: Any, project: str = "default", parts: tuple[str, ...] = ("sync", "highlights", "compound"),
          saved: str | None = None) -> Results:
    """Ready media with their shots, the clusters of every view, and (for those parts) the
    highlights, compound clips and saved-search hits, from a connected RushesClient."""
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
    highlights: dict[str, tuple[Highlight, ...]] = {}
    best: tuple[Highlight, ...] = ()
    compounds: tuple[CompoundClip, ...] = ()
    if "highlights" in parts or "compound" in parts:
        highlights = {m.id: tuple(_highlight(h) for h in client.highlights(m.id, project).clips) for m in media}
        best = tuple(_highlight(h) for h in client.highlights("", project).clips)
    if "compound" in parts:
        compounds = tuple(CompoundClip(c.id, c.name, tuple(Segment(s.media_id, s.start_frame, s.end_frame, s.label)
                                                           for s in c.segments))
                          for c in client.compound_clips(project))
    searches: tuple[SavedHits, ...] = ()
    names: tuple[str, ...] = ()
    if "search" in parts:
        searches, names = saved_hits(client, project, saved)
    return Results(project=project, media=tuple(media), clusters=clusters, highlights=highlights, best=best,
                   compounds=compounds, searches=searches, saved_names=names)
