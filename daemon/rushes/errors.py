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
