"""Disk pressure as a state, not a crash (issue 11, defect 1).

Why prevention: the vector store writes through memory-mapped files (Qdrant Edge's WAL and
vector chunks), and a write into a mapped page the filesystem cannot back is a SIGBUS, which
Python cannot catch: the daemon died with nothing in its log. So every writer asks first:
while RUSHES_HOME has less than the reserve free, the running job fails with "disk full: N MB
free in RUSHES_HOME", queued jobs wait, the vector store refuses writes, and reads go on.

The reserve (`RUSHES_DISK_RESERVE_MB`, default 128) covers what can be written between two
checks: one Qdrant Edge WAL segment (32 MiB, filled before it rotates), one vector chunk
(32 MiB mapped, filled page by page), a job's thumbnails and catalog rows (a few MB), with
headroom for SQLite's WAL checkpoint.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rushes.errors import DiskFull

if TYPE_CHECKING:
    from rushes.settings import Settings

DEFAULT_RESERVE_MB = 128
MB = 1024 * 1024


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged writer may still use on the filesystem holding `path`."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    st = os.statvfs(p)
    return int(st.f_bavail) * int(st.f_frsize)


@dataclass(frozen=True)
class DiskGuard:
    """Free-space checks against a reserve on the filesystem of `path` (RUSHES_HOME)."""

    path: Path
    reserve: int = DEFAULT_RESERVE_MB * MB

    def free(self) -> int:
        try:
            return free_bytes(self.path)
        except OSError:
            return 0  # cannot even stat: behave as full, never as fine

    def ok(self) -> bool:
        return self.free() >= self.reserve

    def message(self, free: int | None = None) -> str:
        free = self.free() if free is None else free
        return (f"disk full: {free / MB:.0f} MB free in RUSHES_HOME ({self.path}); Rushes keeps "
                f"{self.reserve / MB:.0f} MB in reserve (RUSHES_DISK_RESERVE_MB): free some space "
                "and queued jobs resume by themselves")

    def check(self) -> None:
        """Raise DiskFull when less than the reserve is free."""
        free = self.free()
        if free < self.reserve:
            raise DiskFull(self.message(free))


def guard_for(home: Path, reserve_mb: float) -> DiskGuard:
    return DiskGuard(Path(home), int(max(0.0, float(reserve_mb)) * MB))


def is_disk_full_error(exc: BaseException) -> bool:
    """An error that means the filesystem ran out (SQLite's 'database or disk is full', ENOSPC)."""
    if isinstance(exc, DiskFull):
        return True
    if isinstance(exc, OSError) and exc.errno in (28, 122):  # ENOSPC, EDQUOT
        return True
    text = str(exc).lower()
    return "disk is full" in text or "no space left" in text or "disk full" in text


def home_guard(settings: "Settings", path: Path | None = None) -> DiskGuard:
    """The guard for RUSHES_HOME (or a folder in it) with the configured reserve."""
    return guard_for(path or settings.home, settings.disk_reserve_mb)


def bytes_on_disk(folder: Path) -> int:
    """Blocks actually used under `folder` (sparse, preallocated mmap files count what they hold)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue
    return total


def bytes_on_disk_file(path: Path) -> int:
    try:
        return os.lstat(path).st_blocks * 512
    except OSError:
        return 0
