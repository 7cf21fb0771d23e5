"""Keyframe thumbnails: JPEG, 320 px wide, under settings.thumbs_dir/<media id>/<frame>.jpg."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable

import numpy as np

from rushes.decode.seek import read_frames

THUMB_WIDTH = 320


def encode_jpeg(img: np.ndarray, quality: int = 85) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def thumb_path(thumbs_dir: Path, media_id: int, frame: int) -> Path:
    return Path(thumbs_dir) / str(media_id) / f"{int(frame)}.jpg"


def write_thumbnails(path: str | Path, frames: Iterable[int], thumbs_dir: Path, media_id: int,
                     threads: int = 2) -> dict[int, Path]:
    """Extract each frame by seeking and store its thumbnail; returns frame -> file."""
    out_dir = Path(thumbs_dir) / str(media_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[int, Path] = {}
    for frame, img in read_frames(path, frames, width=THUMB_WIDTH, threads=threads):
        target = thumb_path(thumbs_dir, media_id, frame)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(encode_jpeg(img))
        tmp.replace(target)
        written[frame] = target
    return written
