"""Errors a person can act on, each tied to the gRPC status it travels as.

Domain code raises these anywhere; the server turns them into the status of the same name, so
clients see NOT_FOUND / INVALID_ARGUMENT / FAILED_PRECONDITION instead of a stack trace.
"""
from __future__ import annotations


class RushesError(Exception):
    """Base: `str(err)` is the message shown to the editor."""

    code = "UNKNOWN"


class NotFound(RushesError):
    code = "NOT_FOUND"


class InvalidArgument(RushesError):
    code = "INVALID_ARGUMENT"


class FailedPrecondition(RushesError):
    code = "FAILED_PRECONDITION"


class Unimplemented(RushesError):
    code = "UNIMPLEMENTED"


class Unavailable(RushesError):
    code = "UNAVAILABLE"


class AlreadyExists(RushesError):
    code = "ALREADY_EXISTS"


def clip(value: object, limit: int = 120) -> str:
    """`repr(value)` cut to `limit` characters, for messages that echo what a caller sent.

    A 3 MB path echoed whole into an error would itself exceed the client's message limit (the
    caller then sees RESOURCE_EXHAUSTED instead of the reason), and a log line of that size
    helps nobody; the head of the value and its length are enough to recognise it.
    """
    text = value if isinstance(value, str) else str(value)
    shown = repr(text)
    if len(shown) <= limit:
        return shown
    return f"{repr(text[: max(8, limit - 40)])[:-1]}...' ({len(text)} characters)"


class DiskFull(RushesError):
    """RUSHES_HOME has less free space than the reserve: writes wait, reads go on."""

    code = "RESOURCE_EXHAUSTED"


class ResourceExhausted(RushesError):
    """A limit was reached (open follower streams); the message names the limit and its setting."""

    code = "RESOURCE_EXHAUSTED"
