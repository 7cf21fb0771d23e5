"""Highlights as a timeline of the media they come from, with a named, coloured marker per
highlight whose note carries its score and reason.

One clip per media (the whole media, so the editor scrubs around each highlight), in the order
of each media's best highlight; each marker spans its highlight in the media's timecode space.
The timeline starts at the first media's start timecode, so for one media record and source
timecodes match.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import opentimelineio as otio

from ..records import Mark, MediaTime, Span
from .media import NAMESPACE, clip
from .shots import marker


def score_color(score: float) -> str:
    """Green for the best, yellow for good, orange for the rest (otio.schema.MarkerColor names)."""
    return "GREEN" if score >= 0.75 else "YELLOW" if score >= 0.5 else "ORANGE"


def build_highlights_timeline(name: str, media: Mapping[str, MediaTime], marks: Sequence[Mark]) -> (
        otio.schema.Timeline):
    """`marks` best first (kind "highlight"); each names its media."""
    order: list[str] = []
    for m in marks:
        if m.media_id not in order:
            order.append(m.media_id)
    if not order:
        raise ValueError("no highlights to export: run `rushes highlights` on an analysed media first")
    first = media[order[0]]
    timeline = otio.schema.Timeline(name=name, global_start_time=first.time(0))
    timeline.metadata[NAMESPACE] = {"product": "highlights", "media_ids": order}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for mid in order:
        mt = media[mid]
        c = clip(mt, Span(media_id=mid, start=0, end=mt.frame_count, id=mid, kind="media", name=mt.name))
        for mark in sorted((k for k in marks if k.media_id == mid), key=lambda k: (k.start, k.id)):
            c.markers.append(marker(mt, mark))
        track.append(c)
    return timeline
