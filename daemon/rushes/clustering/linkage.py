"""Average-linkage clustering with a distance cut: how scene bins are made.

HDBSCAN's excess-of-mass selection, run on keyframe vectors of real footage, returned a few huge
clusters (two bins of 76 and 61 shots for 13 unrelated files): density changes smoothly between
locations that share a palette, so the hierarchy's most "stable" clusters are its largest. Bins
want the opposite rule: a fixed notion of "looks like the same set-up". Average linkage merges
the two closest groups while their mean pairwise distance stays under a cut, so a bin is a
group whose members are, on average, that close to each other; a chain of near neighbours
cannot drag two places together as single linkage (and HDBSCAN's minimum spanning tree) does.
Distances are multiplied by the footage's structure factors first (structure.py). A member left
alone is the noise bucket's: nothing else in the project looks like it.

Cost: the linkage needs all pairwise distances, n^2/2 floats: fine to DENSE_MAX members
(5000 -> 100 MB, a few seconds). Bigger projects link a random sample, attach every other member
to its nearest sampled neighbour's bin when within the cut (candidates found in a 64-d random
projection, the decision on exact distances), and link what is left over (places too rare to be
sampled) the same way, so rare set-ups still get bins. Rows are unit vectors (2 - 2 cos).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from rushes.clustering.density import DensityResult

DENSE_MAX = 5000
SAMPLE = 4000
REDUCE_TO = 128


def _condensed(d: np.ndarray) -> np.ndarray:
    from scipy.spatial.distance import squareform

    d = d.copy()
    np.fill_diagonal(d, 0.0)
    return squareform(d, checks=False)


def _distances(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    sq = (x ** 2).sum(1)
    return np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * x @ x.T, 0.0))


def link_dense(d: np.ndarray, cut: float) -> np.ndarray:
    """Average-linkage labels for a distance matrix, clusters merged while under `cut`; -1 for a
    member that joined nobody."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = d.shape[0]
    if n == 0:
        return np.zeros(0, int)
    if n == 1:
        return -np.ones(1, int)
    tree = linkage(_condensed(d), method="average")
    raw = fcluster(tree, t=cut, criterion="distance")
    labels = -np.ones(n, int)
    sizes = np.bincount(raw)
    nxt = 0
    for lab in np.unique(raw):
        if sizes[lab] >= 2:
            labels[raw == lab] = nxt
            nxt += 1
    return labels


def confidence(d: np.ndarray, labels: np.ndarray, cut: float) -> np.ndarray:
    """1 - half the member's mean distance to its bin-mates over the cut: 1 for a duplicate,
    about 0.5 for a member as far from its mates as the cut allows; 0 for noise."""
    conf = np.zeros(len(labels))
    for lab in np.unique(labels):
        if lab < 0:
            continue
        idx = np.nonzero(labels == lab)[0]
        sub = d[np.ix_(idx, idx)]
        mean = sub.sum(1) / max(1, len(idx) - 1)
        conf[idx] = np.clip(1.0 - 0.5 * mean / max(cut, 1e-9), 0.0, 1.0)
    return conf


def cluster(x: np.ndarray, cut: float, factors: Callable[[np.ndarray | None], np.ndarray] | None = None,
            *, seed: int = 0, adjust: Callable[[np.ndarray, np.ndarray | None], np.ndarray] | None = None
            ) -> DensityResult:
    """Bins for unit rows of x. `factors(idx)` gives the structure factor matrix of the members
    at positions idx (all members when None), multiplied into the distances; `adjust(d, idx)`
    then reshapes them by the editor's constraints (guided.shaper)."""
    n = x.shape[0]
    if n <= DENSE_MAX:
        d = _distances(x)
        if factors is not None:
            d = d * factors(None)
        if adjust is not None:
            d = adjust(d, None)
        labels = link_dense(d, cut)
        conf = confidence(d, labels, cut)
        return DensityResult(labels, conf, np.where(labels >= 0, 1.0 - conf, 1.0), x.shape[1])
    return _sampled(x, cut, factors, seed=seed, adjust=adjust)


def _projection(dim_in: int, dim: int, seed: int) -> np.ndarray:
    """A random Gaussian projection (Johnson-Lindenstrauss): distances survive within ~1/sqrt(dim),
    enough to find candidate neighbours; every decision is taken on exact distances."""
    return (np.random.default_rng(seed).normal(size=(dim_in, dim)) / np.sqrt(dim)).astype(np.float32)


def _sampled(x: np.ndarray, cut: float, factors, *, seed: int, candidates: int = 4, adjust=None) -> DensityResult:
    n = x.shape[0]
    x = x.astype(np.float32, copy=False)
    labels = -np.ones(n, int)
    conf = np.zeros(n)
    rng = np.random.default_rng(seed)
    todo = np.arange(n)
    next_label = 0
    proj = _projection(x.shape[1], REDUCE_TO, seed) if x.shape[1] > REDUCE_TO else None
    while len(todo):
        dense = len(todo) <= DENSE_MAX
        sample = todo if dense else np.sort(rng.choice(todo, size=SAMPLE, replace=False))
        d = _distances(x[sample])
        if factors is not None:
            d = d * factors(sample)
        if adjust is not None:
            d = adjust(d, sample)
        lab = link_dense(d, cut)
        c = confidence(d, lab, cut)
        ok = lab >= 0
        labels[sample[ok]] = lab[ok] + next_label
        conf[sample[ok]] = c[ok]
        next_label = int(labels.max()) + 1 if (labels >= 0).any() else 0
        if dense:
            break
        anchors = sample[ok]
        rest = np.setdiff1d(todo, sample)
        if len(anchors):
            xa = x[anchors]
            za = xa @ proj if proj is not None else xa
            sa = (za ** 2).sum(1)
            k = min(candidates, len(anchors))
            for start in range(0, len(rest), 2048):
                part = rest[start:start + 2048]
                xp = x[part]
                zp = xp @ proj if proj is not None else xp
                approx = (zp ** 2).sum(1)[:, None] + sa[None, :] - 2.0 * zp @ za.T
                cand = np.argpartition(approx, k - 1, axis=1)[:, :k] if k < len(anchors) else \
                    np.broadcast_to(np.arange(len(anchors)), (len(part), len(anchors)))
                exact = np.sqrt(np.maximum(2.0 - 2.0 * np.einsum("ij,ikj->ik", xp, xa[cand]), 0.0))
                best = np.argmin(exact, axis=1)
                j = cand[np.arange(len(part)), best]
                dist = exact[np.arange(len(part)), best]
                hit = dist <= cut
                labels[part[hit]] = labels[anchors[j[hit]]]
                conf[part[hit]] = np.clip(1.0 - 0.5 * dist[hit] / max(cut, 1e-9), 0.0, 1.0) * conf[anchors[j[hit]]]
        left = todo[labels[todo] < 0]      # sampled loners stay in: their mates may be in `rest`
        if len(todo) - len(left) < 0.02 * len(todo):
            break                          # a round that bins almost nothing: the rest is noise
        todo = left
    return DensityResult(labels, conf, np.where(labels >= 0, 1.0 - conf, 1.0), x.shape[1])
