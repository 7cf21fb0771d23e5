"""The one rule for which way a picture is shown: the turn FFmpeg's autorotate applies.

Players, NLEs and our renders (FFmpeg) show a clip the way its display matrix says. PyAV and
FFmpeg's side data give that matrix as a counter-clockwise angle (`frame.rotation`, ffprobe's
`rotation`: 90 for a matrix that turns the picture a quarter counter-clockwise); we store and
apply the clockwise turn that makes the stored picture upright, the sense of the legacy QuickTime
`rotate` tag (an iPhone held upright reports 90): `clockwise = -ccw mod 360`. Probe, the decode
pass and seeking all ask this module, so keyframes, thumbnails, face boxes and renders agree
(tests/test_rotation_agrees.py checks +90, -90 and 180 against FFmpeg's own decode).
"""
from __future__ import annotations

from typing import Any

import numpy as np


def clockwise_rotation(stream: Any, frame: Any = None) -> int:
    """Clockwise degrees (0, 90, 180, 270) that turn the stored picture into the shown one.

    From the frame's display matrix when it has one, else the stream's legacy `rotate` tag
    (already clockwise), else 0.
    """
    ccw = None
    if frame is not None:
        try:
            ccw = frame.rotation
        except Exception:  # noqa: BLE001 - a PyAV without display-matrix support
            ccw = None
    if ccw:
        return int(90 * round(-float(ccw) / 90.0)) % 360
    tag = stream.metadata.get("rotate") if stream is not None and stream.metadata else None
    if tag:
        try:
            return int(90 * round(float(tag) / 90.0)) % 360
        except ValueError:
            return 0
    return 0


def upright(img: np.ndarray, clockwise: int) -> np.ndarray:
    """The stored picture (H x W [x C]) turned `clockwise` degrees: what FFmpeg shows."""
    if clockwise == 90:
        return np.ascontiguousarray(np.rot90(img, -1))
    if clockwise == 180:
        return np.ascontiguousarray(img[::-1, ::-1])
    if clockwise == 270:
        return np.ascontiguousarray(np.rot90(img, 1))
    return img
