"""Writing files: never overwrite without force, all files of one export checked before any is written."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_texts(texts: dict[Path, str], force: bool) -> list[Path]:
    """Write every (path, text); refuses, before writing any, when one exists and force is off."""
    existing = [p for p in texts if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists: use --force to overwrite it")
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    return list(texts)
