"""Keyframe pictures for the embed step: the shots step's thumbnails, else frames fetched by seeking.

Thumbnails (320 px, written by the shots step) are what we embed: decoding a JPEG is ~1 ms while
seeking into an H.264 file costs a GOP of decoding. When a thumbnail is gone (thumbnail folder
cleaned, a catalog restored without it) the frame is fetched from the media by seeking, so the
step never fails for a missing cache file; frame numbers follow the decode pass's rule
(timestamps on the media's nominal rational rate) and the picture is turned upright like it.
"""
from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from rushes.settings import Settings

log = logging.getLogger(__name__)

THUMB_WIDTH = 320
#: Targets closer than this after the last decoded frame are reached by decoding on, not seeking.
SEEK_GAP_S = 2.0


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


def _shrink(rgb: np.ndarray, width: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    if w <= width:
        return rgb
    size = (width, max(1, round(h * width / w)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.BILINEAR))


def fetch_frames(path: Path, frames: Iterable[int], *, width: int = THUMB_WIDTH, threads: int = 1) -> dict[int, np.ndarray]:
    """Pictures of the given frame indices, `width` px wide, upright; frames past the end are left out."""
    import av

    from rushes.media.decode import nominal_rate, open_video, rotate, rotation_of

    wanted = sorted(set(int(f) for f in frames))
    out: dict[int, np.ndarray] = {}
    if not wanted:
        return out
    container, stream = open_video(path, threads)
    try:
        fps = nominal_rate(stream)
        tb = Fraction(stream.time_base.numerator, stream.time_base.denominator)
        start = stream.start_time or 0
        gap = SEEK_GAP_S * float(fps)
        pending = list(wanted)
        position: int | None = None  # index of the last decoded frame
        while pending:
            target = pending[0]
            if position is None or not (0 < target - position <= gap):
                ts = start + int(Fraction(target) / fps / tb)
                container.seek(max(start, ts), stream=stream, backward=True, any_frame=False)
            progressed = False
            for vf in container.decode(stream):
                if vf.pts is None:
                    continue
                idx = int(Fraction(vf.pts - start) * tb * fps + Fraction(1, 2))
                position = idx
                if idx < target:
                    continue  # run-up from the keyframe the seek landed on
                pic = _shrink(rotate(vf.to_ndarray(format="rgb24"), rotation_of(stream, vf)), width)
                while pending and pending[0] <= idx:  # == normally; < when the index does not exist
                    out[pending.pop(0)] = pic
                progressed = True
                if not pending or pending[0] - idx > gap:
                    break
                target = pending[0]
            if not progressed:
                break  # the targets lie past the end of the stream
    except av.error.FFmpegError as exc:
        log.warning("%s: fetching keyframes failed: %s", path, exc)
    finally:
        container.close()
    return out
