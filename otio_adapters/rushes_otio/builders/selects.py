"""Search hits as a selects timeline: one clip per hit, best first, cut from the media it came
from at the hit's own range, its score and channels in the clip's metadata and name."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import opentimelineio as otio

from .. import timecode as tc
from ..records import MediaTime, Span
from .media import NAMESPACE, clip


def build_selects_timeline(name: str, query: str, hits: Sequence[Span], media: Mapping[str, MediaTime]) -> (
        otio.schema.Timeline):
    """`hits` in rank order; each Span's `reason` carries the channels, `confidence` the score."""
    if not hits:
        raise ValueError(f"nothing found for {query!r}: no selects to export")
    timeline = otio.schema.Timeline(name=name)
    first = media[hits[0].media_id]
    label = "01:00:00;00" if first.drop_frame else "01:00:00:00"   # sequences start at 1 h by convention
    timeline.global_start_time = otio.opentime.RationalTime(tc.to_frames(label, first.rate), first.otio_rate)
    timeline.metadata[NAMESPACE] = {"product": "search", "query": query, "hits": len(hits)}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for rank, span in enumerate(hits, 1):
        m = media[span.media_id]
        stem = m.name.rsplit(".", 1)[0]
        track.append(clip(m, span, name=f"{rank:02d} {stem} {span.reason}".strip()))
    timeline.tracks.append(track)
    return timeline
