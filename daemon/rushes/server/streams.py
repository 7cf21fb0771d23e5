"""Follower streams that cannot starve unary calls (issue 11, defect 4).

Why: the server had one pool of 16 threads and every open `FollowJob` (`ingest --wait`,
`jobs --follow`, an editor plugin's progress bar) held one, so 16 followers locked out every
other call, Health included. The handlers block (SQLite, decoding), so grpc's asyncio server
would run them on a thread pool all the same; instead the pools are separated by admission:
followers may hold at most `max_followers` threads (default 1024) and the pool has
UNARY_THREADS more, so unary calls always find one. Past `max_followers_per_connection`
(default 256) on one connection, or the total, a new follower gets RESOURCE_EXHAUSTED naming
the setting. HTTP/2's own per-connection stream cap (100 by default in gRPC core) is raised to
match, or the 101st call on a connection would queue behind the followers.
"""
from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

from rushes.errors import ResourceExhausted

UNARY_THREADS = 32           # threads no follower may take
DEFAULT_MAX_FOLLOWERS = 1024
DEFAULT_PER_CONNECTION = 256


class FollowerLimit:
    """Counts open followers, in all and per connection (gRPC's peer string)."""

    def __init__(self, total: int = DEFAULT_MAX_FOLLOWERS, per_connection: int = DEFAULT_PER_CONNECTION) -> None:
        self.total = max(1, int(total))
        self.per_connection = max(1, min(int(per_connection), self.total))
        self._lock = threading.Lock()
        self._open: Counter[str] = Counter()

    @property
    def open(self) -> int:
        with self._lock:
            return sum(self._open.values())

    @contextmanager
    def admit(self, peer: str) -> Iterator[None]:
        with self._lock:
            if sum(self._open.values()) >= self.total:
                raise ResourceExhausted(
                    f"{self.total} job followers are open already (max_followers): close some "
                    "(`jobs --follow`, `ingest --wait`, plugin progress) or raise RUSHES_MAX_FOLLOWERS")
            if self._open[peer] >= self.per_connection:
                raise ResourceExhausted(
                    f"{self.per_connection} job followers are open on this connection already "
                    "(max_followers_per_connection): follow fewer jobs at once, or raise "
                    "RUSHES_MAX_FOLLOWERS_PER_CONNECTION")
            self._open[peer] += 1
        try:
            yield
        finally:
            with self._lock:
                self._open[peer] -= 1
                if self._open[peer] <= 0:
                    del self._open[peer]
