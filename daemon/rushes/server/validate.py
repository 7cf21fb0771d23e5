"""Argument checks at the edge: one table row per RPC, one check per request field.

Why a table: every RPC must refuse oversized and malformed arguments with INVALID_ARGUMENT
before any handler, SQLite or int() meets them (a 20-digit job id overflowed SQLite, 5000
nines hit Python's int-conversion limit, "٣" counted as the digit 3, a 1 MB cluster name was
stored). The table is checked against the service descriptor (tests/test_edge_validation.py),
so an RPC or a field added later without a row fails that test instead of going unchecked.

The checks are about shape only (length, characters, ranges); what a value means (an unknown
view, a job that does not exist) stays with the domain code that owns it.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

from rushes.errors import InvalidArgument, clip

MAX_PATH_BYTES = 4096          # PATH_MAX on Linux; macOS is 1024
MAX_PART_BYTES = 255           # NAME_MAX: one folder or file name
MAX_NAME = 200                 # project, cluster and model names
MAX_TOKEN = 64                 # enumerations, cluster ids, member ids, sources
MAX_ITEMS = 10_000             # repeated fields (paths, members, clusters, states)
MAX_ID_DIGITS = 18             # every id fits a signed 64-bit SQLite integer
MAX_FRAME = 2**31 - 1
MAX_TEXT = 2000                # free text (a clip's label)

Check = Callable[[str, Any], None]


def _control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def ident(field: str, value: str) -> None:
    """A catalog id: ASCII digits only ("٣" is a digit to Python, not to us), at most 18."""
    if not value:
        return  # "missing" is the handler's message, which says what to pass
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_ID_DIGITS:
        raise InvalidArgument(f"bad {field} {clip(value)}: ids are whole numbers (see `rushes jobs`, `rushes media list`)")


def media(field: str, value: str) -> None:
    """MEDIA: an id or a path (DESIGN.md, CLI arguments)."""
    if value.isascii() and value.isdigit():
        ident(field, value)
    else:
        path(field, value)


def path(field: str, value: str) -> None:
    if "\x00" in value:
        raise InvalidArgument(f"bad {field} {clip(value)}: a path cannot hold a NUL character")
    if len(value.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        raise InvalidArgument(f"bad {field} {clip(value)}: longer than {MAX_PATH_BYTES} bytes, no file has such a path")
    if any(len(part.encode("utf-8", "surrogateescape")) > MAX_PART_BYTES for part in value.split("/")):
        raise InvalidArgument(f"bad {field} {clip(value)}: a name in it is longer than {MAX_PART_BYTES} bytes")


def name(field: str, value: str) -> None:
    """Project, cluster and model names: short, printable."""
    if len(value) > MAX_NAME or _control(value):
        raise InvalidArgument(f"bad {field} {clip(value)}: use at most {MAX_NAME} printable characters")


def project(field: str, value: str) -> None:
    name(field, value)
    if "/" in value:
        raise InvalidArgument(f"bad {field} {clip(value)}: a project name cannot hold '/'")


def token(field: str, value: str) -> None:
    """Enumerations and short ids (view, action, cluster id, member id, source)."""
    if len(value) > MAX_TOKEN or _control(value):
        raise InvalidArgument(f"bad {field} {clip(value)}: use at most {MAX_TOKEN} printable characters")


def frame(field: str, value: int) -> None:
    if value < 0:
        raise InvalidArgument(f"bad {field} {value}: frames count from 0")


def count(field: str, value: int) -> None:
    if value < 0:
        raise InvalidArgument(f"bad {field} {value}: must be 0 (no limit) or more")


def seconds(field: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise InvalidArgument(f"bad {field} {value!r}: seconds are a finite number from 0")


def text(field: str, value: str) -> None:
    """Free text (labels): bounded, no NUL."""
    if len(value) > MAX_TEXT or "\x00" in value:
        raise InvalidArgument(f"bad {field} {clip(value)}: use at most {MAX_TEXT} characters")


MAX_BLOB = 32 * 1024 * 1024   # a picture sent with a search (--image)


def blob(field: str, value: bytes) -> None:
    """Bytes (a picture): bounded; what they hold is the handler's to judge."""
    if len(value) > MAX_BLOB:
        raise InvalidArgument(f"bad {field}: {len(value)} bytes, at most {MAX_BLOB} (send a smaller picture)")


def flag(field: str, value: bool) -> None:
    """Booleans cannot be malformed on the wire; listed so the table covers every field."""


def each(check: Check) -> Check:
    """A repeated field: at most MAX_ITEMS items, each passing `check`."""
    def run(field: str, values: Any) -> None:
        if len(values) > MAX_ITEMS:
            raise InvalidArgument(f"too many {field}: {len(values)} (at most {MAX_ITEMS} per call)")
        for v in values:
            check(field, v)
    run.__name__ = f"each_{check.__name__}"
    run.inner_rules = getattr(check, "rules", None)  # type: ignore[attr-defined]
    return run


def message(rules: Mapping[str, Check]) -> Check:
    """A nested message: each of its fields by its own rule."""
    def run(field: str, value: Any) -> None:
        for name, check in rules.items():
            check(f"{field}.{name}", getattr(value, name))
    run.__name__ = "message"
    run.rules = rules  # type: ignore[attr-defined]  # the descriptor test checks these cover every field
    return run


def mapping(key: Check, value: Check) -> Check:
    """A proto map<string, string>: at most MAX_ITEMS entries, keys and values by their rules."""
    def run(field: str, values: Any) -> None:
        if len(values) > MAX_ITEMS:
            raise InvalidArgument(f"too many {field}: {len(values)} (at most {MAX_ITEMS} per call)")
        for k, v in values.items():
            key(f"{field} key", k)
            value(f"{field}[{clip(k, 40)}]", v)
    run.__name__ = "mapping"
    return run


SOURCE_RANGE = message({
    "media_id": media, "start_frame": frame, "end_frame": frame, "start_s": seconds, "end_s": seconds,
    "fps": token, "media_path": path, "start_timecode": token, "label": text, "highlight_id": token,
    "has_audio": flag,
})
SEARCH: Mapping[str, Check] = {
    "project": project, "query": text, "media": each(media), "clusters": each(token), "has_speech": flag,
    "has_faces": flag, "min_duration_s": seconds, "limit": count, "images": each(blob), "like_shots": each(ident),
    "visual": flag,
}
HIGHLIGHTS_SOURCE = message({"media": media, "mode": token, "limit": count, "chronological": flag})

RULES: Mapping[str, Mapping[str, Check]] = {
    "Health": {},
    "ListProjects": {},
    "CreateProject": {"name": project},
    "Ingest": {"project": project, "paths": each(path), "shots_model": token},
    "ListJobs": {"project": project, "states": each(token), "limit": count},
    "GetJob": {"id": ident},
    "FollowJob": {"id": ident},
    "CancelJob": {"id": ident},
    "AddWatchFolder": {"project": project, "path": path, "polling": flag},
    "RemoveWatchFolder": {"project": project, "path": path},
    "ListWatchFolders": {"project": project},
    "ListMedia": {"project": project, "statuses": each(token)},
    "GetMedia": {"media": media, "project": project},
    "GetShots": {"media": media, "project": project},
    "GetKeyframeImage": {"media": media, "frame": frame, "full_resolution": flag},
    "ListFaceTracks": {"media": media, "project": project},
    "ListModels": {},
    "VerifyModels": {},
    "ImportModel": {"name": name, "path": path},
    "ListClusters": {"project": project, "view": token},
    "Recluster": {"project": project, "view": token},
    "SubmitFeedback": {"project": project, "action": token, "view": token, "members": each(token),
                       "cluster": token, "clusters": each(token), "name": name, "source": token},
    "ExportFeedback": {"project": project},
    "GetHighlights": {"project": project, "media": media, "mode": token, "settings": mapping(token, text),
                      "limit": count, "debug": flag},
    "CreateCompoundClip": {"project": project, "name": name, "segments": each(SOURCE_RANGE),
                           "from_highlights": HIGHLIGHTS_SOURCE},
    "ListCompoundClips": {"project": project},
    "GetCompoundClip": {"project": project, "id": ident},
    "UpdateCompoundClip": {"project": project, "id": ident, "name": name, "segments": each(SOURCE_RANGE),
                           "replace_segments": flag},
    "DeleteCompoundClip": {"project": project, "id": ident},
    "Render": {"project": project, "output_dir": path, "overwrite": flag, "clips": each(SOURCE_RANGE),
               "compound_id": ident, "name": name, "crf": count},
    "Search": SEARCH,
    "GetTranscript": {"media": media, "project": project, "format": token},
    "SaveSearch": {"project": project, "name": name, "search": message(SEARCH)},
    "GetSavedSearch": {"project": project, "name": name},
    "ListSavedSearches": {"project": project},
    "GetClips": {"project": project, "media": media, "topic": text, "limit": count, "ranker": token},
}


def check_request(rpc: str, request: Any) -> None:
    """Raise InvalidArgument for the first field of `request` its row refuses.

    An RPC without a row is refused outright: better a clear error in development than an
    unchecked door (the descriptor test catches it before that).
    """
    rules = RULES.get(rpc)
    if rules is None:
        raise InvalidArgument(f"{rpc} has no argument checks in rushes.server.validate: add its row")
    for field, check in rules.items():
        check(field, getattr(request, field))
