"""Exports by name: which writer holds which format, and the default file suffix of each."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import opentimelineio as otio

from .writers import edl, fcp7, fcpxml, native

FORMATS = {"otio": native, "edl": edl, "fcp7": fcp7, "fcpxml": fcpxml}
SUFFIXES = {"otio": ".otio", "edl": ".edl", "fcp7": ".xml", "fcpxml": ".fcpxml"}


def write(obj: otio.core.SerializableObject, fmt: str, path: str | Path, *, force: bool = False,
          **options: Any) -> list[Path]:
    """Write `obj` as `fmt` to `path` (an EDL of several clusters: one file per cluster beside it);
    raises FormatLimit for what the format cannot hold and FileExistsError without `force`."""
    try:
        module = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}") from None
    return module.write(obj, Path(path), force=force, **options)
