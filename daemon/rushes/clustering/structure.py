"""What the footage's own structure says about two shots, beside their pictures.

Rushes arrive as takes: several files of one set-up, shots inside one file that belong
together, timecode that runs on between takes, camera rolls and clip numbers in the names.
That is evidence an assistant editor uses without thinking, and the vectors alone do not have.
Here it becomes a factor on the distance between two shots (1 = no evidence, smaller = more
likely the same set-up). Factors never join two shots on their own: a pair still has to look
alike; the evidence only tips pairs near the cut (bench/clusters.py measures how much).

* within-file continuity: neighbouring shots of one file (a cut inside a take, or a film's
  consecutive shots, which mostly stay in one location);
* simultaneous recording: two files whose record-run timecode overlaps were rolling at the
  same moment (multi-camera), so they film one set-up;
* record order: the next clip of the same camera roll / name series (A001C007 -> A001C008,
  cam01 -> cam02) or the next file in timecode with a short gap, is often another take.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

#: Distance factors per kind of evidence (bench/clusters.py). Within-file continuity is weak on
#: purpose: 0.8 helped takes of the rushes-like set but joined a webcam and a cockatoo cut one
#: after the other into one file (tests/test_clusters_real.py); at 0.95 it never tips a pair
#: that is a full cut apart, and the next-clip evidence (0.85) carries the rushes-like set.
WITHIN_FILE = 0.95
SIMULTANEOUS = 0.6
NEXT_CLIP = 0.85
#: Two files at most this far apart in record-run timecode count as consecutive takes.
NEXT_CLIP_GAP_S = 120.0

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Place:
    """Where a member sits in the footage (from the catalog; -1 / "" when unknown)."""

    media_id: int
    shot_idx: int
    name: str = ""                 # file name without folder
    tc_start_s: float = -1.0       # record-run timecode of the media's first frame, seconds
    tc_end_s: float = -1.0


def name_series(name: str) -> tuple[str, tuple[int, ...]]:
    """'A001C007_city.mov' -> ('A#C#_city.mov', (1, 7)): the name with its numbers taken out,
    and the numbers; two files of one series differ only in their numbers."""
    stem = name.rsplit(".", 1)[0]
    return _DIGITS.sub("#", stem).lower(), tuple(int(d) for d in _DIGITS.findall(stem))


def _next_in_series(a: tuple[str, tuple[int, ...]], b: tuple[str, tuple[int, ...]]) -> bool:
    """Same series and exactly one number differs, by one: the next clip or camera."""
    if a[0] != b[0] or len(a[1]) != len(b[1]) or not a[1]:
        return False
    diff = [abs(x - y) for x, y in zip(a[1], b[1]) if x != y]
    return len(diff) == 1 and diff[0] == 1


def media_factors(places: list[Place]) -> dict[tuple[int, int], float]:
    """Factor for each pair of different media (by media id, smaller first) that has evidence."""
    media: dict[int, Place] = {}
    for p in places:
        media.setdefault(p.media_id, p)
    ids = sorted(media)
    out: dict[tuple[int, int], float] = {}
    series = {m: name_series(media[m].name) for m in ids}
    timed = sorted((m for m in ids if media[m].tc_start_s >= 0), key=lambda m: media[m].tc_start_s)
    for i, a in enumerate(timed):        # overlapping record runs: rolling at the same moment
        for b in timed[i + 1:]:
            if media[b].tc_start_s >= media[a].tc_end_s:
                break
            out[(min(a, b), max(a, b))] = SIMULTANEOUS
    for a, b in zip(timed, timed[1:]):   # consecutive in timecode with a short gap
        gap = media[b].tc_start_s - media[a].tc_end_s
        if 0 <= gap <= NEXT_CLIP_GAP_S:
            key = (min(a, b), max(a, b))
            out[key] = min(out.get(key, 1.0), NEXT_CLIP)
    by_series: dict[str, list[int]] = {}
    for m in ids:
        by_series.setdefault(series[m][0], []).append(m)
    for members in by_series.values():
        if len(members) < 2 or len(members) > 5000:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if _next_in_series(series[a], series[b]):
                    key = (min(a, b), max(a, b))
                    out[key] = min(out.get(key, 1.0), NEXT_CLIP)
    return out


def factor_matrix(places: list[Place]) -> np.ndarray:
    """Dense n x n distance factors for the members' places (ones where nothing is known)."""
    return block_factors(places, places)


def block_factors(rows: list[Place], cols: list[Place]) -> np.ndarray:
    """Factors between every member of `rows` and every member of `cols` (len(rows) x len(cols)):
    newcomers against a big project's bins need this block, not the whole square."""
    f = np.ones((len(rows), len(cols)), np.float64)
    if not rows or not cols:
        return f
    mr = np.array([p.media_id for p in rows])
    mc = np.array([p.media_id for p in cols])
    ir = np.array([p.shot_idx for p in rows])
    ic = np.array([p.shot_idx for p in cols])
    neighbours = (mr[:, None] == mc[None, :]) & (np.abs(ir[:, None] - ic[None, :]) == 1) & (ir[:, None] >= 0)
    f[neighbours] *= WITHIN_FILE
    pairs = media_factors(rows + cols)
    if pairs:
        pos_r: dict[int, list[int]] = {}
        pos_c: dict[int, list[int]] = {}
        for i, m in enumerate(mr):
            pos_r.setdefault(int(m), []).append(i)
        for j, m in enumerate(mc):
            pos_c.setdefault(int(m), []).append(j)
        for (a, b), factor in pairs.items():
            for x, y in ((a, b), (b, a)):
                ix, iy = pos_r.get(x, []), pos_c.get(y, [])
                if ix and iy:
                    f[np.ix_(ix, iy)] *= factor
    return f


def edge_factors(places: list[Place], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The same factors for a sparse list of pairs (the k-nearest-neighbour graph of big sets)."""
    mids = np.array([p.media_id for p in places])
    idx = np.array([p.shot_idx for p in places])
    f = np.ones(len(rows), np.float64)
    neighbours = (mids[rows] == mids[cols]) & (np.abs(idx[rows] - idx[cols]) == 1)
    f[neighbours] *= WITHIN_FILE
    pairs = media_factors(places)
    if pairs:
        a, b = np.minimum(mids[rows], mids[cols]), np.maximum(mids[rows], mids[cols])
        for i in np.nonzero(a != b)[0]:
            f[i] *= pairs.get((int(a[i]), int(b[i])), 1.0)
    return f
