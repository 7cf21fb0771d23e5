"""Adapter `rushes_fcpxml`: FCPXML 1.8-1.13 (default 1.10; `-A version=1.11`)."""
from __future__ import annotations

from rushes_otio.writers import fcpxml


def write_to_string(input_otio, version: str = fcpxml.DEFAULT_VERSION) -> str:
    return fcpxml.render(input_otio, str(version))


def read_from_string(input_str: str):
    return fcpxml.read_string(input_str)
