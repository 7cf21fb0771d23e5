"""The native `.otio` file (OTIO's JSON), checked against what Resolve's OTIO import accepts:
every clip has an external reference with an available range, and its source range lies on whole
frames inside that range (Resolve silently drops clips that break either)."""
from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from .files import write_texts
from .walk import clip_frames, clips_in, media_of


def render(obj: otio.core.SerializableObject) -> str:
    for clip in clips_in(obj):
        clip_frames(clip, media_of(clip))
    return otio.adapters.write_to_string(obj, "otio_json")


def write(obj: otio.core.SerializableObject, path: Path, *, force: bool = False, **_: object) -> list[Path]:
    return write_texts({path: render(obj)}, force)
