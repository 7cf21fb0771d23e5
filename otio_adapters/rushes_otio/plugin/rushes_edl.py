"""Adapter `rushes_edl`: our CMX 3600 writer (FCM lines, record timecode, reels); reading is
OTIO's cmx_3600 (give `rate`). Options: style=avid|premiere, reel_len=8."""
from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from rushes_otio.errors import FormatLimit
from rushes_otio.writers import edl


def write_to_string(input_otio, style: str = "avid", reel_len: int = 8) -> str:
    texts = edl.render(input_otio, Path("out.edl"), style=style, reel_len=int(reel_len))
    if len(texts) != 1:
        raise FormatLimit(f"this document makes {len(texts)} EDLs (one per cluster): use `rushes export`")
    return next(iter(texts.values()))


def read_from_string(input_str: str, rate: float = 24):
    return otio.adapters.read_from_string(input_str, "cmx_3600", rate=rate)
