"""What the writers share: finding clips, their media records, and a document's shape."""
from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import opentimelineio as otio

from ..builders.media import NAMESPACE
from ..errors import FormatLimit
from ..records import MediaTime


def media_of(clip: otio.schema.Clip) -> MediaTime:
    """The media record a clip's reference carries (the builders put it there)."""
    ref = clip.media_reference
    meta = dict(ref.metadata.get(NAMESPACE, {})) if ref is not None else {}
    if not isinstance(ref, otio.schema.ExternalReference) or ref.available_range is None:
        raise FormatLimit(f"clip {clip.name!r} has no media reference with an available range")
    if meta.get("fps"):
        num, _, den = str(meta["fps"]).partition("/")
        rate = Fraction(int(num), int(den or 1))
    else:
        rate = Fraction(ref.available_range.start_time.rate).limit_denominator(1001)
    start = ref.available_range.start_time.rescaled_to(float(rate))
    path = otio.url_utils.filepath_from_url(ref.target_url) if ref.target_url.startswith("file:") else ref.target_url
    return MediaTime(id=str(meta.get("media_id", "")), path=path, rate=rate,
                     frame_count=round(ref.available_range.duration.rescaled_to(float(rate)).value),
                     start_frame=round(start.value), drop_frame=bool(meta.get("drop_frame", False)),
                     width=int(meta.get("width") or 0), height=int(meta.get("height") or 0),
                     reel=str(meta.get("reel") or ""), audio_channels=int(meta.get("audio_channels") or 0),
                     audio_rate=int(meta.get("audio_rate") or 0),
                     variable_frame_rate=bool(meta.get("variable_frame_rate", False)))


def clip_frames(clip: otio.schema.Clip, media: MediaTime) -> tuple[int, int]:
    """(start, end) media frames of a clip's source range, checked to be whole frames inside the media."""
    sr = clip.source_range
    start = sr.start_time.rescaled_to(media.otio_rate).value - media.start_frame
    end = start + sr.duration.rescaled_to(media.otio_rate).value
    if abs(start - round(start)) > 1e-6 or abs(end - round(end)) > 1e-6:
        raise FormatLimit(f"clip {clip.name!r} does not start and end on whole frames of {media.name}")
    if round(start) < 0 or round(end) > media.frame_count:
        raise FormatLimit(f"clip {clip.name!r} (frames {round(start)}-{round(end)}) is outside {media.name} "
                          f"(frames 0-{media.frame_count})")
    return round(start), round(end)


def is_bins(obj: object) -> bool:
    """A collection of collections of clips: the clusters product."""
    return isinstance(obj, otio.schema.SerializableCollection) and all(
        isinstance(c, otio.schema.SerializableCollection) for c in obj)


def timelines(obj: object) -> list[otio.schema.Timeline]:
    if isinstance(obj, otio.schema.Timeline):
        return [obj]
    if isinstance(obj, otio.schema.SerializableCollection):
        return [t for t in obj if isinstance(t, otio.schema.Timeline)]
    return []


def clips_in(obj: otio.core.SerializableObject) -> Iterator[otio.schema.Clip]:
    if isinstance(obj, otio.schema.Clip):
        yield obj
    elif isinstance(obj, otio.schema.Timeline):
        yield from obj.find_clips()
    elif isinstance(obj, (otio.schema.SerializableCollection, otio.schema.Stack, otio.schema.Track)):
        for child in obj:
            yield from clips_in(child)


def safe_name(text: str) -> str:
    """A file-name part: letters, digits, '-', '_', '.'; others become '_'."""
    out = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text).strip("._")
    return out or "untitled"
