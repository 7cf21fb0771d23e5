"""The daemon's results as records, through the thin client (the only module here that calls it).

Each product is one function: `shots(client, project, media)` and `clusters(client, project,
view)` return OTIO objects ready for any writer, built by the builders from typed records.
"""
from __future__ import annotations

import os
from typing import Any

import opentimelineio as otio

from rushes_proto.v1 import rushes_pb2 as pb

from .builders.clusters import build_bins
from .builders.compound import build_compound_timeline
from .builders.highlights import build_highlights_timeline, score_color
from .builders.selects import build_selects_timeline
from .builders.shots import build_shots_timeline
from .records import Compound, Group, Mark, MediaTime, Span

VIEWS = ("scene", "character", "people")
TRANSITION_COLORS = {"cut": "RED", "dissolve": "BLUE", "fade_in": "PURPLE", "fade_out": "PURPLE",
                     "fade_through_black": "PURPLE", "wipe": "YELLOW"}


def media_time(m: pb.Media) -> MediaTime:
    """A media message as its time space; a media not probed yet (no rate) cannot be exported."""
    if not m.fps or m.frame_count <= 0:
        raise ValueError(f"media {m.id} ({m.path}) has no frame rate or frames yet (status {m.status}): "
                         "wait for its ingest to finish")
    return MediaTime.from_fields(id=m.id, path=online_path(m), fps=m.fps, frame_count=m.frame_count,
                                 start_timecode=m.start_timecode, width=m.width, height=m.height, reel=m.reel,
                                 audio_channels=m.audio_channels, audio_rate=m.audio_rate, kind=m.kind or "video",
                                 variable_frame_rate=m.variable_frame_rate)


def online_path(m: pb.Media) -> str:
    """The copy to point editors at: the one the daemon reads, else the first other copy that is
    there on this machine, else the daemon's (an offline media keeps its last path)."""
    candidates = [m.path] + [p for p in m.paths if p != m.path]
    return next((p for p in candidates if p and os.path.exists(p)), m.path)


def get_media(client: Any, project: str, media: str) -> MediaTime:
    return media_time(client.call("GetMedia", pb.GetMediaRequest(media=media, project=project)))


def shots(client: Any, project: str, media: str) -> otio.schema.Timeline:
    """A media's shots as a timeline with a marker per transition."""
    m = get_media(client, project, media)
    resp = client.call("GetShots", pb.GetShotsRequest(media=m.id, project=project), timeout=600.0)
    spans = [Span(media_id=m.id, start=s.start_frame, end=s.end_frame, id=s.id) for s in resp.shots]
    return build_shots_timeline(m, spans, transition_marks(m.id, resp.transitions))


def transition_marks(media_id: str, transitions: Any) -> list[Mark]:
    marks = []
    for t in transitions:
        gradual = t.end > t.start
        start, end = (t.start, t.end) if gradual else (t.frame, t.frame + 1)
        note = f"{t.type}, confidence {t.confidence:.2f}" + (f", frames {t.start}-{t.end}" if gradual else
                                                             f", frame {t.frame}")
        marks.append(Mark(media_id=media_id, start=start, end=end, name=t.type, note=note,
                          color=TRANSITION_COLORS.get(t.type, "RED"), id=f"{t.type}@{start}", kind="transition"))
    return marks


def project_media(client: Any, project: str) -> dict[str, MediaTime]:
    """Every analysed media of the project (ready or offline: offline media keep their analysis)."""
    out = {}
    for m in client.call("ListMedia", pb.ListMediaRequest(project=project)).media:
        if m.status in ("ready", "offline") and m.fps and m.frame_count > 0:
            out[m.id] = media_time(m)
    return out


def clusters(client: Any, project: str, view: str) -> otio.schema.SerializableCollection:
    """A project's clusters of one view as bins, the noise bucket included."""
    if view not in VIEWS:
        raise ValueError(f"unknown cluster view {view!r}: use one of {', '.join(VIEWS)}")
    found = client.call("ListClusters", pb.ListClustersRequest(project=project, view=view), timeout=600.0).clusters
    media = project_media(client, project)
    spans: dict[str, tuple[str, int, int]] = {}
    if view == "scene":
        for mid in media:
            for s in client.call("GetShots", pb.GetShotsRequest(media=mid, project=project), timeout=600.0).shots:
                spans[s.id] = (mid, s.start_frame, s.end_frame)
    else:
        for mid in media:
            for t in client.call("ListFaceTracks", pb.ListFaceTracksRequest(media=mid, project=project)).tracks:
                spans[t.id] = (t.media_id or mid, t.first_frame, t.end_frame)
    kind = "shot" if view == "scene" else "track"
    groups = []
    for c in found:
        ids = list(c.shots) if view == "scene" else list(c.tracks)
        members = []
        for member in ids:
            if member not in spans:
                raise ValueError(f"cluster {c.id} lists {kind} {member}, which no analysed media of project "
                                 f"{project!r} has: run `rushes clusters --recluster`")
            mid, start, end = spans[member]
            members.append(Span(media_id=mid, start=start, end=end, id=member, kind=kind,
                                confidence=c.confidence.get(member), reason=c.reasons.get(member, "")))
        groups.append(Group(id=c.id, view=view, name=c.name, parent_id=c.parent_id, members=tuple(members)))
    return build_bins(view, groups, media, project)


def _media_of(client: Any, project: str, ids: Any) -> dict[str, MediaTime]:
    out: dict[str, MediaTime] = {}
    for mid in ids:
        if mid not in out:
            out[mid] = get_media(client, project, mid)
    return out


def highlight_marks(clips: Any) -> list[Mark]:
    """Highlights (best first) as named, coloured marks whose note carries score and reason."""
    marks = []
    for rank, h in enumerate(clips, 1):
        rank = h.rank or rank
        parts = [f"score {h.score:.2f}", f"reason: {h.reason or 'unknown'}"]
        if h.HasField("components"):
            c = h.components
            parts.append(f"excitement {c.excitement:.2f}, boundary {c.boundary:.2f}, "
                         f"anchor {c.anchor_placement:.2f}, dead time {c.dead_time:.2f}")
        if h.mode:
            parts.append(f"mode {h.mode}")
        marks.append(Mark(media_id=h.media_id, start=h.start_frame, end=h.end_frame,
                          name=f"#{rank} {h.reason}".strip(), note="; ".join(parts), color=score_color(h.score),
                          id=h.id, kind="highlight"))
    return marks


def highlights(client: Any, project: str, media: str = "") -> otio.schema.Timeline:
    """One media's highlights, or (media empty) the project's best, as markers on their media."""
    resp = client.call("GetHighlights", pb.GetHighlightsRequest(project=project, media=media), timeout=600.0)
    marks = highlight_marks(resp.clips)
    found = _media_of(client, project, [m.media_id for m in marks])
    if not marks:
        raise ValueError("no highlights to export" + (f" for {media}" if media else f" in project {project!r}"))
    name = f"{found[marks[0].media_id].name} highlights" if media else f"{project} highlights"
    return build_highlights_timeline(name, found, marks)


def compound_record(c: Any) -> Compound:
    return Compound(id=c.id, name=c.name, segments=tuple(
        Span(media_id=s.media_id, start=s.start_frame, end=s.end_frame, id=s.highlight_id or f"segment {n}",
             kind="segment", name=s.label) for n, s in enumerate(c.segments, 1)))


def compound(client: Any, project: str, compound_id: str = "") -> otio.schema.Timeline:
    """The project's compound clips (or one) as nested stacks on a timeline."""
    if compound_id:
        found = [client.call("GetCompoundClip", pb.GetCompoundClipRequest(project=project, id=compound_id))]
    else:
        found = list(client.call("ListCompoundClips", pb.ListCompoundClipsRequest(project=project)).clips)
    records = [compound_record(c) for c in found]
    media = _media_of(client, project, [s.media_id for c in records for s in c.segments])
    name = records[0].name if compound_id and records else f"{project} compound clips"
    return build_compound_timeline(name, records, media)
def search(client: Any, project: str, query: str = "", saved: str = "", limit: int = 50) -> otio.schema.Timeline:
    """A search's hits (a query, or a search saved with `rushes search QUERY --save NAME`) as a
    selects timeline, best first."""
    if saved:
        request = client.call("GetSavedSearch", pb.GetSavedSearchRequest(project=project, name=saved)).search
    else:
        request = pb.SearchRequest(project=project, query=query, limit=limit)
    resp = client.call("Search", request, timeout=600.0)
    media = {h.media_id: get_media(client, project, h.media_id) for h in resp.hits}
    spans = [Span(media_id=h.media_id, start=h.start_frame, end=h.end_frame, id=f"hit{i}", kind="search",
                  confidence=round(h.score, 6), reason="+".join(h.channels)) for i, h in enumerate(resp.hits, 1)]
    return build_selects_timeline(f"search {saved or request.query}", request.query, spans, media)
