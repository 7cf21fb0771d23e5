"""Compound clips as nested stacks: each compound is a Stack holding one track of its segments,
placed on the timeline like a clip (Resolve, FCP7 and FCPXML nest it as a compound / nested
sequence / ref-clip)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import opentimelineio as otio

from .. import timecode as tc
from ..records import Compound, MediaTime
from .media import NAMESPACE, clip


def nested_stack(compound: Compound, media: Mapping[str, MediaTime]) -> otio.schema.Stack:
    if not compound.segments:
        raise ValueError(f"compound clip {compound.name or compound.id} has no segments")
    stack = otio.schema.Stack(name=compound.name or f"compound {compound.id}")
    stack.metadata[NAMESPACE] = {"compound_id": compound.id}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for span in compound.segments:
        track.append(clip(media[span.media_id], span))
    stack.append(track)
    # An explicit range: FCP7's nested sequences (and OTIO's fcp_xml writer) need one.
    length = track.duration()
    stack.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(0, length.rate), length)
    return stack


def build_compound_timeline(name: str, compounds: Sequence[Compound], media: Mapping[str, MediaTime]) -> (
        otio.schema.Timeline):
    if not compounds:
        raise ValueError("no compound clips in this project: make one with `rushes compound create`")
    timeline = otio.schema.Timeline(name=name)
    first = media[compounds[0].segments[0].media_id] if compounds[0].segments else None
    if first is not None:   # sequences start at 01:00:00:00 by editing convention
        label = "01:00:00;00" if first.drop_frame else "01:00:00:00"
        timeline.global_start_time = otio.opentime.RationalTime(tc.to_frames(label, first.rate), first.otio_rate)
    timeline.metadata[NAMESPACE] = {"product": "compound", "compound_ids": [c.id for c in compounds]}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for c in compounds:
        track.append(nested_stack(c, media))
    timeline.tracks.append(track)
    return timeline
