"""Keyframe pictures for the embed step: the shots step's thumbnails, else frames fetched by seeking.

Thumbnails (320 px, written by the shots step) are what we embed: decoding a JPEG is ~1 ms while
seeking into an H.264 file costs a GOP of decoding. When a thumbnail is gone (thumbnail folder
cleaned, a catalog restored without it) the frame is fetched from the media by seeking, so the
step never fails for a missing cache file; frame numbers follow the decode pass's rule
(timestamps on the media's nominal rational rate) and the picture is turned upright like it.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from rushes.settings import Settings

log = logging.getLogger(__name__)

THUMB_WIDTH = 320


def thumb_file(settings: "Settings", thumb_path: str | None) -> Path | None:
    """A keyframe's thumbnail as a path (stored absolute, or relative to the thumbnail folder)."""
    if not thumb_path:
        return None
    p = Path(thumb_path)
    return p if p.is_absolute() else settings.thumbs_dir / p


def load_thumbnail(path: Path) -> np.ndarray | None:
    """HxWx3 uint8 RGB, or None when the file is missing or unreadable."""
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except (OSError, ValueError):
        return None


def fetch_frames(path: Path, frames: Iterable[int], *, width: int = THUMB_WIDTH, threads: int = 1) -> dict[int, np.ndarray]:
    """Pictures of the given frame indices, `width` px wide, upright; frames past the end (or
    after a decode error, which is logged) are left out. Seeking is the shots step's
    `rushes.decode.seek.read_frames`, so numbering and rotation match the decode pass."""
    from rushes.decode.decode import MediaError
    from rushes.decode.seek import read_frames

    out: dict[int, np.ndarray] = {}
    try:
        for frame, picture in read_frames(path, frames, width=width, threads=threads):
            out[int(frame)] = picture
    except MediaError as exc:
        log.warning("fetching keyframes: %s", exc)
    return out
