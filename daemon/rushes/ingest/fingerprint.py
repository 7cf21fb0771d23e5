"""A media's identity: a versioned hash of its size and sampled blocks (DESIGN.md, Identity).

Why sampled: a camera file can be 100 GB on network storage; reading it whole just to learn
"have we seen this before?" would cost minutes. The head holds the container header (codec,
timecode, creation metadata), the tail holds the index (moov/footer), and evenly spaced blocks
catch edits in the middle. Together with the exact size this separates real-world clips while
reading ~3 MiB. The path is never hashed, so renames and moves keep the identity.

The "fp1:" prefix versions the sampling scheme: if it ever changes, old and new fingerprints
cannot be confused and the catalog can tell which rows need re-hashing.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

VERSION = "fp1"
HEAD_BYTES = 1 << 20          # first 1 MiB
TAIL_BYTES = 1 << 20          # last 1 MiB
BLOCK_BYTES = 64 << 10        # 64 KiB per middle sample
BLOCK_COUNT = 16
# Below this size the samples would cover (almost) everything, so the whole file is hashed;
# that reads no more than sampling would.
WHOLE_FILE_LIMIT = HEAD_BYTES + TAIL_BYTES + BLOCK_COUNT * BLOCK_BYTES


class FingerprintError(OSError):
    """The file could not be read for fingerprinting; the message names it."""


def sample_ranges(size: int) -> list[tuple[int, int]]:
    """(offset, length) of every block read for a file of `size` bytes, in file order."""
    if size <= WHOLE_FILE_LIMIT:
        return [(0, size)] if size else []
    ranges = [(0, HEAD_BYTES)]
    middle_start = HEAD_BYTES
    middle_end = size - TAIL_BYTES
    span = middle_end - middle_start - BLOCK_BYTES
    for i in range(BLOCK_COUNT):
        offset = middle_start + (span * (2 * i + 1)) // (2 * BLOCK_COUNT)
        ranges.append((offset, BLOCK_BYTES))
    ranges.append((size - TAIL_BYTES, TAIL_BYTES))
    return ranges


def fingerprint(path: str | os.PathLike[str]) -> str:
    """"fp1:<hex>" for the file at `path`; same bytes -> same fingerprint, wherever it lives.

    Opens the file read-only and never touches its folder (source media is read-only).
    """
    p = Path(path)
    digest = hashlib.blake2b(digest_size=20, person=b"rushes-fp1")
    try:
        with p.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            digest.update(size.to_bytes(8, "little"))
            for offset, length in sample_ranges(size):
                fh.seek(offset)
                remaining = length
                while remaining > 0:
                    chunk = fh.read(min(remaining, 1 << 20))
                    if not chunk:
                        raise FingerprintError(f"{p}: file shrank while reading it (still being copied?)")
                    digest.update(chunk)
                    remaining -= len(chunk)
    except PermissionError as exc:
        raise FingerprintError(f"{p}: permission denied") from exc
    except FileNotFoundError as exc:
        raise FingerprintError(f"{p}: file not found") from exc
    except IsADirectoryError as exc:
        raise FingerprintError(f"{p}: is a folder, not a file") from exc
    except FingerprintError:
        raise
    except OSError as exc:
        raise FingerprintError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    return f"{VERSION}:{digest.hexdigest()}"
