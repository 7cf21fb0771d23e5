"""Adapter `rushes`: reading a `.rushes` query file returns the daemon's live results, so
`otioconvert -i selects.rushes -o selects.otio`, `otiocat selects.rushes` and any OTIO-aware tool
work with Rushes directly."""
from __future__ import annotations

from rushes_otio import query


def read_from_string(input_str: str):
    return query.run(query.parse(input_str))


def read_from_file(filepath: str):
    with open(filepath, encoding="utf-8") as f:
        return read_from_string(f.read())
