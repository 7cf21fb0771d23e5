"""Bytes on disk per vector of the embedded Qdrant Edge store (issue 11).

Writes the way the daemon does (per media: a few 512-d scene vectors and 128-d face vectors
with their payloads, a re-embed delete now and then), then reports `du` bytes (real blocks)
and apparent bytes. `--always-index` restores the old behaviour (payload indexes from the
first point) for the before/after comparison.

    PYTHONPATH=daemon nice python bench/vector_footprint.py --media 12 --folder /tmp/vf
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import numpy as np

import rushes.vectors.edge as edge
from rushes.vectors.base import Point
from rushes.vectors.edge import EdgeStore


def du(folder: Path, apparent: bool) -> int:
    args = ["du", "-sb", "--apparent-size"] if apparent else ["du", "-sB1"]
    return int(subprocess.run([*args, str(folder)], capture_output=True, text=True, check=True).stdout.split()[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--media", type=int, default=12)
    ap.add_argument("--folder", type=Path, required=True)
    ap.add_argument("--always-index", action="store_true")
    args = ap.parse_args()
    if args.always_index:
        edge.INDEX_MIN_POINTS = 0
    shutil.rmtree(args.folder, ignore_errors=True)
    rng = np.random.default_rng(0)
    store = EdgeStore(args.folder, threads=1)
    store.ensure_collection("scene", 512)
    store.ensure_collection("face", 128)
    next_id, total = 1, 0
    for media in range(args.media):
        for name, dim, n in (("scene", 512, 4), ("face", 128, 2)):
            store.upsert(name, [Point(next_id + i, rng.standard_normal(dim).astype(np.float32),
                                      {"media_id": media, "shot_id": i}) for i in range(n)])
            next_id, total = next_id + n, total + n
        if media % 3 == 0:
            store.delete("scene", ids=[next_id - 6])
            total -= 1
    store.close()
    real, apparent = du(args.folder, False), du(args.folder, True)
    # A daemon restart opens the shards again: that is where Edge's default (Cached) memory
    # pre-faulted each 32 MiB vector chunk (on a tmpfs, allocated it).
    reopened = EdgeStore(args.folder, threads=1)
    assert reopened.count("scene") + reopened.count("face") == total
    reopened.close()
    after = du(args.folder, False)
    print(f"vectors={total} indexes={'always' if args.always_index else 'past ' + str(edge.INDEX_MIN_POINTS)} "
          f"disk={real / 1e6:.2f} MB apparent={apparent / 1e6:.1f} MB bytes_per_vector={real / total:.0f} "
          f"after_reopen={after / 1e6:.2f} MB ({after / total:.0f} per vector)")


if __name__ == "__main__":
    main()
