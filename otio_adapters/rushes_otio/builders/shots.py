"""A media's shots as a timeline, with a marker per transition.

The timeline starts at the media's start timecode, so record and source timecodes match and
an editor can read one against the other. Frames no shot covers become gaps (never stretched
clips). Each marker sits on the clip that holds the transition's first frame, in that clip's
source time, which is where EDL LOC lines and FCPXML clip markers put it.
"""
from __future__ import annotations

from collections.abc import Sequence

import opentimelineio as otio

from ..records import MediaTime, Mark, Span
from .media import NAMESPACE, clip


def marker(media: MediaTime, mark: Mark, limit: int | None = None) -> otio.schema.Marker:
    end = mark.end if limit is None else min(mark.end, limit)
    m = otio.schema.Marker(name=mark.name, marked_range=media.range(mark.start, max(end, mark.start + 1)),
                           color=mark.color)
    m.comment = mark.note
    m.metadata[NAMESPACE] = {"kind": mark.kind, "id": mark.id, "start_frame": mark.start, "end_frame": mark.end,
                             "note": mark.note}
    return m


def build_shots_timeline(media: MediaTime, shots: Sequence[Span], marks: Sequence[Mark] = ()) -> otio.schema.Timeline:
    timeline = otio.schema.Timeline(name=f"{media.name} shots", global_start_time=media.time(0))
    timeline.metadata[NAMESPACE] = {"product": "shots", "media_id": media.id}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    position = 0
    clips: list[tuple[Span, otio.schema.Clip]] = []
    for span in sorted(shots, key=lambda s: s.start):
        if span.start < position:
            raise ValueError(f"shot {span.id} starts at frame {span.start}, inside the previous shot (ends {position})")
        if span.start > position:
            track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
                media.duration(0), media.duration(span.start - position))))
        c = clip(media, span)
        track.append(c)
        clips.append((span, c))
        position = span.end
    for mark in sorted(marks, key=lambda m: (m.start, m.id)):
        for span, c in clips:
            if span.start <= mark.start < span.end:
                c.markers.append(marker(media, mark, span.end))
                break
    return timeline
