"""Loaded models kept for the next file, and let go when the daemon has been idle (issue 11).

Opening a model costs from 0.3 s (PP-OCR's sessions) to seconds (Whisper, MiniLM on torch), so
each room keeps what it loaded for the next file of a job, the next job and the next search. A
daemon that runs for weeks would then hold every model it ever used for as long as it runs:
letting them go took a daemon from 1 211 MB to 651 MB after one ingest with the default
models (bench/RESULTS.md), and an image-text model adds more. Once no job has run for `models_idle_release_s`, the
job queue calls `release_idle()`, which lets go of every model nobody has asked for in that
time (a search keeps the text embedder it uses); the next job or search loads again.

One module decides how a room keeps its models: `Resident` is the cache (one key at a time by
default: a new folder or thread count replaces the old model rather than holding both), and
`register` lets a room with its own bookkeeping (the shot referee's runtimes) be released too.
"""
from __future__ import annotations

import gc
import logging
import threading
import time
from typing import Callable, Generic, Hashable, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_droppers: list[tuple[str, Callable[[float], int], Callable[[], int]]] = []
_droppers_lock = threading.Lock()


def register(what: str, drop: Callable[[float], int], count: Callable[[], int]) -> None:
    """`drop(older_than_s)` lets go of what `what` holds that nobody asked for in the last
    `older_than_s` seconds (all of it at 0) and returns how many models it dropped; `count()`
    says how many it holds now."""
    with _droppers_lock:
        _droppers.append((what, drop, count))


class Resident(Generic[K, V]):
    """The models one room has loaded, by key (folder, thread count, ...).

    `get` loads under the lock, so two threads asking for the same model load it once. Whoever
    got a model keeps using it after a release: only the cache's reference goes, and the memory
    follows when the last user is done.
    """

    def __init__(self, what: str, *, one_at_a_time: bool = True) -> None:
        self.what = what
        self.one_at_a_time = one_at_a_time
        self._lock = threading.Lock()
        self._held: dict[K, V] = {}
        self._asked: dict[K, float] = {}   # key -> time.monotonic() of the last get
        register(what, self.drop, self.count)

    def get(self, key: K, load: Callable[[], V]) -> V:
        """The model for `key`, loaded by `load()` the first time (a failed load is not kept)."""
        with self._lock:
            if key not in self._held:
                if self.one_at_a_time:
                    self._held.clear()  # before loading: the old and the new are never both held
                    self._asked.clear()
                self._held[key] = load()
            self._asked[key] = time.monotonic()
            return self._held[key]

    def holds(self, key: K) -> bool:
        with self._lock:
            return key in self._held

    def count(self) -> int:
        with self._lock:
            return len(self._held)

    def drop(self, older_than_s: float = 0.0) -> int:
        """Let go of the models not asked for in the last `older_than_s` seconds; how many."""
        cutoff = time.monotonic() - older_than_s
        with self._lock:
            stale = [k for k in self._held if self._asked.get(k, 0.0) <= cutoff]
            for k in stale:
                del self._held[k]
                self._asked.pop(k, None)
        return len(stale)


def release_idle(older_than_s: float = 0.0) -> list[str]:
    """Let go of every loaded model nobody asked for in the last `older_than_s` seconds (all at
    0); returns what dropped something. The caller hands the freed pages back to the system
    (rushes.native_memory.release_free_memory)."""
    with _droppers_lock:
        droppers = list(_droppers)
    released = [what for what, drop, _ in droppers if drop(older_than_s)]
    if released:
        gc.collect()  # torch modules and ONNX sessions sit in reference cycles now and then
        log.info("released idle models: %s", ", ".join(released))
    return released


def loaded() -> list[str]:
    """What holds a loaded model now (for `rushes status`)."""
    with _droppers_lock:
        droppers = list(_droppers)
    return [what for what, _, count in droppers if count()]
