"""The C allocator's settings for a daemon that runs for weeks (issue 11).

The daemon's memory over a long ingest rose in steps that Python never saw: tracemalloc held
~44 MB per media hour while the process grew ~157 MB per hour, and the steps were glibc's.
Two of its defaults suit short programs, not a process with ~35 threads handing full frames
(6 MB at 1080p) between decoder, detectors and writers:

- every thread that allocates gets its own arena (up to 8 per core), and memory freed in an
  arena stays there for that arena's next use: each of a dozen arenas keeps its own peak;
- big blocks come from mmap and go back to the system when freed, but after the first big free
  glibc raises that threshold (up to 32 MB), so frames then come from the arenas and stay.

So the daemon caps the arenas at ARENA_MAX and fixes the mmap threshold at MMAP_THRESHOLD (which
also stops glibc moving it), before any thread starts; `release_free_memory()` hands the arenas'
free pages back between jobs. A `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_` in the
environment wins over these (glibc reads them at start). Elsewhere (macOS, musl) nothing is
changed. Measured in bench/RESULTS.md (bench/memory_long.py, the same film with and without).

What it costs: a block from 1 MiB up is a fresh mmap each time, with its page faults. That cost
nothing measurable on the decode pass, but doubled the OCR step's CPU while RapidOCR ran its
sessions without ONNX Runtime's memory arena (every tensor of every read a fresh block); the OCR
engine now opens them with the arena (rushes.ocr.engine), and on bbb the settings cost ~1.5%.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
from functools import lru_cache

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter numbers (malloc.h)
M_ARENA_MAX = -8
#: Two arenas for ~35 threads: most of them wait on queues, and contention costs were not
#: measurable on the ingest (bench/RESULTS.md).
ARENA_MAX = 2
#: Blocks from 1 MiB up (frames, audio blocks, model tensors) come from mmap and are returned
#: when freed; below it the arenas serve, as before.
MMAP_THRESHOLD = 1 << 20


@lru_cache(maxsize=1)
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # glibc only: musl has no mallopt parameters to speak of
    except (OSError, AttributeError):
        return None
    return libc


def tune_allocator() -> dict[str, int]:
    """Apply the daemon's allocator settings; returns what was set (empty where nothing was)."""
    libc = _glibc()
    if libc is None:
        return {}
    done: dict[str, int] = {}
    for env, param, value in (("MALLOC_ARENA_MAX", M_ARENA_MAX, ARENA_MAX),
                              ("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD, MMAP_THRESHOLD)):
        if env in os.environ:
            continue  # the person running the daemon chose; glibc has applied it already
        if libc.mallopt(ctypes.c_int(param), ctypes.c_int(value)) == 1:
            done[env] = value
        else:
            log.debug("mallopt(%d, %d) refused", param, value)
    return done


def release_free_memory() -> None:
    """Give the arenas' free pages back to the system (glibc's malloc_trim); a no-op elsewhere."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(ctypes.c_size_t(0))


def resident_memory_bytes() -> int:
    """This process's resident memory (VmRSS), or 0 where /proc does not say (macOS)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
