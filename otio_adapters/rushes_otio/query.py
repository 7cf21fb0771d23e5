"""`.rushes` query files: a small JSON document naming live results of the daemon.

    {"project": "default", "what": "shots", "media": "clip.mov"}
    {"project": "default", "what": "clusters", "view": "people", "address": "127.0.0.1:50051"}

`what`: shots (with `media`) | clusters (with `view`) | highlights (one `media`, or the
project's best without it) | compound (the project's compound clips). A token never goes in the
file: the client finds it (RUSHES_TOKEN, else ~/.config/rushes/config.toml) as the CLI does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import opentimelineio as otio

from . import fetch

KEYS = ("project", "what", "view", "media", "address")
PRODUCTS = ("shots", "clusters", "highlights", "compound")


class QueryError(ValueError):
    """A query file that cannot be answered as written; the message says what to change."""


@dataclass(frozen=True)
class Query:
    what: str
    project: str = "default"
    view: str = "scene"
    media: str = ""
    address: str = ""


def parse(text: str) -> Query:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise QueryError(f"a .rushes file is JSON like {{\"project\": \"default\", \"what\": \"shots\", "
                         f"\"media\": \"clip.mov\"}}: {exc}") from None
    if not isinstance(data, dict):
        raise QueryError("a .rushes file is one JSON object")
    if "token" in data:
        raise QueryError("a .rushes file never holds a token: set RUSHES_TOKEN (or `token` in "
                         "~/.config/rushes/config.toml) instead")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise QueryError(f"unknown keys in the .rushes file: {', '.join(unknown)} (known: {', '.join(KEYS)})")
    what = str(data.get("what") or "")
    if what not in PRODUCTS:
        raise QueryError(f"\"what\" must be one of {', '.join(PRODUCTS)}, not {what!r}")
    query = Query(what=what, **{k: str(data[k]) for k in ("project", "view", "media", "address") if data.get(k)})
    if what == "shots" and not query.media:
        raise QueryError("a shots query names its \"media\" (a media id or path)")
    if what == "clusters" and query.view not in fetch.VIEWS:
        raise QueryError(f"\"view\" must be one of {', '.join(fetch.VIEWS)}, not {query.view!r}")
    return query


def run(query: Query, client: Any = None) -> otio.core.SerializableObject:
    """The query's live result; connects (RUSHES_ADDRESS / RUSHES_TOKEN, or the file's address)
    unless given a client. A daemon that is down raises rushes_client.DaemonUnavailable."""
    if client is None:
        from rushes_client import connect

        with connect(query.address or None) as c:
            return run(query, c)
    if query.what == "shots":
        return fetch.shots(client, query.project, query.media)
    if query.what == "highlights":
        return fetch.highlights(client, query.project, query.media)
    if query.what == "compound":
        return fetch.compound(client, query.project)
    return fetch.clusters(client, query.project, query.view)
