"""Handing the C allocator's free pages back to the system between jobs (issue 11).

A daemon that runs for weeks holds what glibc keeps in its arenas after each job's peaks
(decoded frames, model tensors). `release_free_memory()` (glibc's malloc_trim) returns the free
pages once a job ends; elsewhere (macOS, musl) it does nothing.

Tried and not shipped (bench/RESULTS.md, docs/design-notes.md): capping the arenas at 2 and
fixing the mmap threshold at 1 MiB kept a 2-hour 1080p ingest's decode pass flat at 0.8-0.9 GB,
but doubled the OCR step's CPU on bbb (144 -> 297 s), because RapidOCR turns ONNX Runtime's own
memory arena off, so every large tensor became an mmap and its page faults. People who prefer
the memory can set MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=1048576 for the daemon (README).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache


@lru_cache(maxsize=1)
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # glibc only: musl has no malloc_trim
    except (OSError, AttributeError):
        return None
    return libc


def release_free_memory() -> None:
    """Give the arenas' free pages back to the system (glibc's malloc_trim); a no-op elsewhere."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(ctypes.c_size_t(0))
