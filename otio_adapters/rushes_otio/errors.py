"""The one error the exports raise for what a format cannot hold, with what to do instead."""
from __future__ import annotations


class FormatLimit(ValueError):
    """The document does not fit the format (rates, tracks, events, names); the message says why
    and which format would hold it."""
