"""Media references and clips, as Resolve's OTIO import accepts them.

Resolve drops a clip whose media reference is missing or whose source range is outside the
reference's available range, and reads that range in the media's timecode space: so every
reference carries the real path (a file URL), the available range starting at the media's
start timecode at its own rate, and our ids under metadata["rushes"].
"""
from __future__ import annotations

import pathlib

import opentimelineio as otio

from ..records import MediaTime, Span

NAMESPACE = "rushes"


def file_url(path: str) -> str:
    p = pathlib.Path(path)
    return p.as_uri() if p.is_absolute() else path


def media_reference(media: MediaTime) -> otio.schema.ExternalReference:
    ref = otio.schema.ExternalReference(target_url=file_url(media.path),
                                        available_range=media.range(0, media.frame_count))
    ref.name = media.name
    ref.metadata[NAMESPACE] = {
        "media_id": media.id,
        "fps": f"{media.rate.numerator}/{media.rate.denominator}",
        "start_timecode": media.start_timecode,
        "drop_frame": media.drop_frame,
        "frame_count": media.frame_count,
        "width": media.width,
        "height": media.height,
        "reel": media.reel,
        "audio_channels": media.audio_channels,
        "audio_rate": media.audio_rate,
        "variable_frame_rate": media.variable_frame_rate,
    }
    return ref


def clip(media: MediaTime, span: Span, name: str | None = None) -> otio.schema.Clip:
    """One span of a media as a clip; frames outside the media are an error, never clamped."""
    if not (0 <= span.start < span.end <= media.frame_count):
        raise ValueError(f"{span.kind} {span.id} spans frames {span.start}-{span.end} but {media.name} has "
                         f"frames 0-{media.frame_count}")
    c = otio.schema.Clip(name=name or clip_name(media, span), media_reference=media_reference(media),
                         source_range=media.range(span.start, span.end))
    meta = {"media_id": media.id, "kind": span.kind, "id": span.id, "start_frame": span.start,
            "end_frame": span.end}
    if span.confidence is not None:
        meta["confidence"] = span.confidence
    if span.reason:
        meta["reason"] = span.reason
    c.metadata[NAMESPACE] = meta
    return c


def clip_name(media: MediaTime, span: Span) -> str:
    if span.name:
        return span.name
    stem = media.name.rsplit(".", 1)[0]
    return f"{stem} {span.kind} {span.id}" if span.id else f"{stem} {span.start}-{span.end}"
