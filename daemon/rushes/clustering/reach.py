"""A reach learned from the editor's rescues: how far from a cluster a shot may sit and still belong.

Density clustering is strict: a shot a little further from its scene than the scene's shots are
from each other becomes noise. When the editor pulls such shots out of the noise bucket into the
cluster they were nearest to, that says the project's scenes reach further than the density
estimate thought; when the nearest cluster was the wrong one, or the editor sends a shot to noise,
that says the opposite. The reach is the distance that agrees with the most of that evidence, and
every untouched noise member within it of a cluster joins that cluster (with its reason), so
one correction also fixes the shots that were left out the same way.

Locally too (`follow`): an untouched noise member whose nearest neighbour is a shot the editor
placed, and which is no further from it than that shot is from the rest of its cluster, follows
it there: the editor's shot is the evidence that this corner of the space belongs to that cluster.
"""
from __future__ import annotations

import numpy as np

from rushes.clustering import NOISE
from rushes.clustering.constraints import Constraints

Key = tuple[str, int]


def nearest_cluster(i: int, z: np.ndarray, labels: list[str], exclude: set[int]) -> tuple[str, float]:
    """The cluster of the nearest clustered member to row i (not in `exclude`) and its distance."""
    d = np.linalg.norm(z - z[i], axis=1)
    best, best_d = NOISE, float("inf")
    for j in np.argsort(d):
        if j == i or j in exclude or labels[j] == NOISE:
            continue
        best, best_d = labels[j], float(d[j])
        break
    return best, best_d


def learn(z: np.ndarray, keys: list[Key], labels: list[str], cons: Constraints) -> tuple[float, int, int]:
    """(reach, rescues agreeing, decisions against) from the pins; reach 0 when nothing supports one.

    `labels` is what clustering proposes now (before the pins are applied)."""
    idx = {k: i for i, k in enumerate(keys)}
    pinned = {idx[k] for k in cons.pins if k in idx}
    pos: list[float] = []
    neg: list[float] = []
    for k, target in cons.pins.items():
        i = idx.get(k)
        if i is None:
            continue
        near, d = nearest_cluster(i, z, labels, pinned - {i} if target != NOISE else set())
        if near == NOISE:
            continue
        if labels[i] == NOISE and target != NOISE:
            (pos if near == target else neg).append(d)
        elif target == NOISE:
            neg.append(d)
    if not pos:
        return 0.0, 0, len(neg)
    best, best_score = 0.0, 0
    for r in sorted(pos):
        score = sum(p <= r for p in pos) - sum(n <= r for n in neg)
        if score > best_score:
            best, best_score = r, score
    agree, against = sum(p <= best for p in pos), sum(n <= best for n in neg)
    if best_score <= 0:
        return 0.0, agree, against
    # The evidence says "at least this far"; reach a little beyond it (as the incremental path
    # does, 1.25x), but never as far as a distance the editor said was too far.
    beyond = [n for n in neg if n > best]
    reach = best * 1.25 if not beyond else min(best * 1.25, 0.5 * (best + min(beyond)))
    return reach, agree, against


def attach(z: np.ndarray, keys: list[Key], assign: dict[Key, str], conf: dict[Key, float], reasons: dict[Key, str],
           cons: Constraints, reach: float) -> int:
    """Move untouched noise members within `reach` of a cluster into it; returns how many moved."""
    if reach <= 0:
        return 0
    labels = [assign.get(k, NOISE) for k in keys]
    moved = 0
    for i, k in enumerate(keys):
        if labels[i] != NOISE or k in cons.pins:
            continue
        near, d = nearest_cluster(i, z, labels, set())
        if near != NOISE and d <= reach:
            assign[k] = near
            conf[k] = round(max(0.05, 0.5 * (1.0 - d / (2 * reach))), 4)
            reasons[k] = f"joined {near}: {d:.2f} from it, within the reach {reach:.2f} learned from the editor's moves"
            moved += 1
    return moved


def follow(z: np.ndarray, keys: list[Key], assign: dict[Key, str], conf: dict[Key, float], reasons: dict[Key, str],
           cons: Constraints) -> int:
    """Untouched noise members follow the editor-placed member they are nearest to (see module doc)."""
    idx = {k: i for i, k in enumerate(keys)}
    labels = [cons.pins.get(k, assign.get(k, NOISE)) for k in keys]
    placed = {idx[k]: cid for k, cid in cons.pins.items() if k in idx and cid != NOISE}
    if not placed:
        return 0
    radius = {}
    for i, cid in placed.items():
        mates = [j for j, lab in enumerate(labels) if lab == cid and j != i]
        radius[i] = float(np.linalg.norm(z[mates] - z[i], axis=1).min()) if mates else 0.0
    moved = 0
    for i, k in enumerate(keys):
        if labels[i] != NOISE or k in cons.pins:
            continue
        d = np.linalg.norm(z - z[i], axis=1)
        d[i] = np.inf
        d[[j for j, lab in enumerate(labels) if lab == NOISE]] = np.inf
        j = int(np.argmin(d))
        if j in placed and np.isfinite(d[j]) and d[j] <= radius[j]:
            assign[k] = placed[j]
            conf[k] = round(max(0.05, 0.5 * (1.0 - d[j] / (2 * radius[j]))), 4) if radius[j] > 0 else 0.05
            reasons[k] = f"follows {keys[j][0]}:{keys[j][1]}, which the editor placed in {placed[j]} ({d[j]:.2f} away)"
            moved += 1
    return moved
