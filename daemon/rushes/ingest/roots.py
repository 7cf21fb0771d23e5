"""Which folders may be ingested or watched, and how far a scan may wander from them (issue 11).

Why: `AddWatchFolder("/proc/self")` was accepted and the watcher followed `root` and `cwd`
links through the whole filesystem (483 inotify watches, 761 ingest jobs, reads under /sys,
one of which created a zram device). So:

- the kernel's pseudo-filesystems (/proc, /sys, /dev) and `/` itself are never roots, nor is
  anything that resolves into them (a link in a footage folder included);
- a scan never follows a symlinked folder out of the root it started from (links between
  folders of the same card still work);
- a daemon shared by several users can be given an allow-list (`RUSHES_ALLOWED_ROOTS`,
  `allowed_roots` in config.toml): then only folders inside those may be ingested or watched.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from rushes.errors import InvalidArgument, clip

PSEUDO_FILESYSTEMS = (Path("/proc"), Path("/sys"), Path("/dev"))


def real(path: Path | str) -> Path:
    """The path with every link resolved (what the kernel will actually open)."""
    return Path(os.path.realpath(path))


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def forbidden_reason(path: Path) -> str | None:
    """Why `path` must never be scanned, or None.

    Both the path as given and where it leads count: /proc/self/cwd resolves to an ordinary
    folder, yet it is the daemon's own working folder reached through /proc.
    """
    for candidate in (Path(os.path.abspath(path)), real(path)):
        if candidate == Path("/"):
            return "the whole filesystem is not a footage folder"
        for pseudo in PSEUDO_FILESYSTEMS:
            if inside(candidate, pseudo):
                return f"{pseudo} is a kernel pseudo-filesystem, not footage"
    return None


def check_root(path: Path, allowed: Sequence[Path] = ()) -> Path:
    """`path` if it may be ingested or watched; InvalidArgument naming the rule otherwise."""
    reason = forbidden_reason(path)
    if reason is not None:
        shown = clip(str(path))
        resolved = real(path)
        via = "" if resolved == Path(path) else f" (it leads to {clip(str(resolved))})"
        raise InvalidArgument(f"refusing {shown}{via}: {reason}")
    if allowed:
        resolved = real(path)
        if not any(inside(resolved, real(a)) for a in allowed):
            raise InvalidArgument(
                f"refusing {clip(str(path))}: this daemon only reads footage under "
                f"{', '.join(str(a) for a in allowed)} (RUSHES_ALLOWED_ROOTS)")
    return path
