"""Adapter `rushes_fcp7`: FCP7 XML with bins for clusters and a filled sequence format."""
from __future__ import annotations

from rushes_otio.writers import fcp7


def write_to_string(input_otio) -> str:
    return fcp7.render(input_otio)


def read_from_string(input_str: str):
    return fcp7.read_string(input_str)
