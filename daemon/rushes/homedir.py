"""RUSHES_HOME is private: the folder 0700, every file in it 0600 (issue 11).

Why: the catalog names every clip and what is in it, thumbnails show its pictures, and the
feedback log holds the editor's decisions; on a shared post-production machine none of that
is for other accounts. A folder 0700 alone already keeps other users out, and the daemon also
runs under umask 077 so a file that escapes (a copy, a tarball of the folder) keeps 0600.
"""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_umask() -> int:
    """Make every file this process creates from now on 0600 and every folder 0700; returns the old mask.

    Only the daemon calls this (it writes nothing outside RUSHES_HOME: sources are read-only).
    """
    return os.umask(PRIVATE_UMASK)


def ensure_private_home(home: Path) -> Path:
    """Create `home` 0700, or tighten an existing one we own (a home made by an older version was 0755).

    Files already inside are tightened too, once, when the folder itself was open to others:
    that is the upgrade path; afterwards the umask keeps new files private.
    """
    home = Path(home)
    home.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    st = home.stat()
    if st.st_uid != os.geteuid():
        return home  # someone else's folder: not ours to change (the open below fails clearly)
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(home, FOLDER_MODE)
        _tighten_tree(home)
    return home


def _tighten_tree(home: Path) -> None:
    for root, dirs, files in os.walk(home):
        for name in dirs:
            _chmod(Path(root) / name, FOLDER_MODE)
        for name in files:
            _chmod(Path(root) / name, FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode) or st.st_uid != os.geteuid():
            return
        keep_exec = stat.S_IMODE(st.st_mode) & 0o100 if mode == FILE_MODE else 0
        os.chmod(path, mode | keep_exec)
    except OSError as exc:  # one unreadable file must not stop the daemon from starting
        log.warning("cannot make %s private: %s", path, exc)
