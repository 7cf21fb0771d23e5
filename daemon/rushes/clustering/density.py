"""Density clustering (HDBSCAN) with the dimension reduction that makes it scale.

HDBSCAN is the right tool for footage: the number of scenes or people is unknown and much of the
material (inserts, cutaways, crowd faces) belongs to nothing, which HDBSCAN reports as noise
instead of forcing it into a cluster. Its cost is the nearest-neighbour search behind the core
distances: in 512 dimensions no tree helps, so beyond a few thousand points we project onto the
leading principal components first (PCA keeps the cluster structure of embedding vectors, whose
variance lives in few directions) and let HDBSCAN's Boruvka KD-tree work in that small space.
`bench/clusters.py` measures what that costs in quality.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Beyond this many points plain HDBSCAN in the full dimension gets slow (O(n^2 d) distances).
PCA_ABOVE = 4000
# Beyond this many points even the reduced-space tree takes minutes on 2 cores: HDBSCAN runs on
# a random sample of SAMPLE_SIZE and every other point joins its nearest sampled neighbour's
# cluster when it is as close as that cluster's own sampled members are to each other.
SAMPLE_ABOVE = 25000
SAMPLE_SIZE = 20000


@dataclass
class DensityResult:
    labels: np.ndarray          # int, -1 = noise
    probabilities: np.ndarray   # membership strength in 0..1 (0 for noise)
    outlier: np.ndarray         # GLOSH outlier score in 0..1 (higher = more of an outlier)
    reduced_dim: int            # dimension HDBSCAN ran in


def normalise(x: np.ndarray) -> np.ndarray:
    """Unit rows, so Euclidean distance orders pairs like cosine distance (what embeddings mean)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def reduce(x: np.ndarray, dim: int, *, seed: int = 0) -> np.ndarray:
    """Project onto the `dim` leading principal components (randomised SVD; fast on 100k x 512)."""
    if x.shape[1] <= dim or x.shape[0] <= dim:
        return x
    from sklearn.decomposition import PCA

    return PCA(n_components=dim, svd_solver="randomized", random_state=seed).fit_transform(x).astype(np.float32)


def cluster(x: np.ndarray, *, min_cluster_size: int = 2, min_samples: int | None = 1,
            epsilon: float = 0.0, reduce_to: int | None = None, threads: int = 1,
            allow_single: bool = False, sample: bool = True) -> DensityResult:
    """HDBSCAN labels for the rows of `x` (already normalised / projected by the caller).

    `epsilon` merges clusters closer than that distance (cluster_selection_epsilon): footage
    repeats the same set-up many times, and HDBSCAN alone would split a scene into its
    near-duplicate takes. `reduce_to` forces PCA; by default it applies above PCA_ABOVE points.
    """
    n = x.shape[0]
    if n == 0:
        return DensityResult(np.zeros(0, int), np.zeros(0), np.zeros(0), x.shape[1] if x.ndim == 2 else 0)
    if n < max(3, min_cluster_size):
        return _tiny(x, epsilon)
    if reduce_to is None and n > PCA_ABOVE and x.shape[1] > 16:
        reduce_to = 16
    z = reduce(x, reduce_to) if reduce_to else x
    if n <= PCA_ABOVE and reduce_to is None:
        return cluster_distances(pairwise(x), min_cluster_size=min_cluster_size, min_samples=min_samples,
                                 epsilon=epsilon)
    if sample and n > SAMPLE_ABOVE:
        return _sampled(z, min_cluster_size=min_cluster_size, min_samples=min_samples, epsilon=epsilon,
                        threads=threads, allow_single=allow_single)
    import hdbscan

    algorithm = "boruvka_kdtree" if z.shape[1] <= 32 else "generic" if n <= PCA_ABOVE else "best"
    model = hdbscan.HDBSCAN(
        min_cluster_size=max(2, min_cluster_size),
        min_samples=min_samples,
        cluster_selection_epsilon=float(epsilon),
        core_dist_n_jobs=max(1, threads),
        algorithm=algorithm,
        allow_single_cluster=allow_single,
    )
    labels = model.fit_predict(z.astype(np.float64))
    outlier = np.nan_to_num(np.asarray(model.outlier_scores_, dtype=np.float64), nan=1.0)
    return DensityResult(labels.astype(int), np.asarray(model.probabilities_, dtype=np.float64),
                         np.clip(outlier, 0.0, 1.0), z.shape[1])


def _sampled(z: np.ndarray, *, min_cluster_size: int, min_samples: int | None, epsilon: float, threads: int,
             allow_single: bool, seed: int = 0) -> DensityResult:
    """HDBSCAN on a random sample, then nearest-sampled-neighbour assignment of the rest."""
    from sklearn.neighbors import KDTree

    n = z.shape[0]
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=SAMPLE_SIZE, replace=False))
    scale = SAMPLE_SIZE / n       # a cluster keeps its share of the sample: shrink the size floor
    sub = cluster(z[idx], min_cluster_size=max(2, int(round(min_cluster_size * scale))),
                  min_samples=min_samples, epsilon=epsilon, reduce_to=z.shape[1], threads=threads,
                  allow_single=allow_single)
    tree = KDTree(z[idx])
    nn_d, nn_i = tree.query(z[idx], k=2)
    own = nn_d[:, 1]
    reach: dict[int, float] = {}
    for lab in np.unique(sub.labels):
        if lab >= 0:
            reach[int(lab)] = 1.25 * float(own[sub.labels == lab].max())
    labels = -np.ones(n, int)
    prob = np.zeros(n)
    outlier = np.ones(n)
    labels[idx], prob[idx], outlier[idx] = sub.labels, sub.probabilities, sub.outlier
    rest = np.setdiff1d(np.arange(n), idx)
    for start in range(0, len(rest), 20000):
        part = rest[start:start + 20000]
        d, j = tree.query(z[part], k=1)
        d, j = d[:, 0], j[:, 0]
        lab = sub.labels[j]
        limit = np.array([reach.get(int(l), -1.0) for l in lab])
        ok = (lab >= 0) & (d <= limit)
        labels[part] = np.where(ok, lab, -1)
        prob[part] = np.where(ok, sub.probabilities[j], 0.0)
        outlier[part] = np.where(ok, sub.outlier[j], 1.0)
    return DensityResult(labels, prob, outlier, z.shape[1])


def pairwise(x: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of x (float64, zero diagonal)."""
    x = x.astype(np.float64)
    sq = (x ** 2).sum(1)
    d = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * x @ x.T, 0.0))
    np.fill_diagonal(d, 0.0)
    return d


def floor_distances(d: np.ndarray) -> np.ndarray:
    """Distances below the typical nearest-neighbour distance count as that distance.

    HDBSCAN's densities are 1/distance: two near-identical vectors (one face split into two
    tracks, a repeated take, the same photo in two shots) give an almost infinite density, and
    every other member's membership strength collapses to 0 beside them. Closer than a typical
    neighbour is not more certain, so the floor costs nothing else.
    """
    n = d.shape[0]
    if n < 3:
        return d
    off = d + np.diag(np.full(n, np.inf))
    floor = float(np.median(off.min(1)))
    out = np.maximum(d, floor)
    np.fill_diagonal(out, 0.0)
    return out


def cluster_distances(d: np.ndarray, *, min_cluster_size: int = 2, min_samples: int | None = 1,
                      epsilon: float = 0.0) -> DensityResult:
    """HDBSCAN on a precomputed distance matrix (small sets, and when constraints reshape the space)."""
    d = floor_distances(d)
    n = d.shape[0]
    if n < max(3, min_cluster_size):
        labels = -np.ones(n, int)
        if n == 2 and epsilon > 0 and d[0, 1] <= epsilon:
            labels[:] = 0
        prob = (labels >= 0).astype(float)
        return DensityResult(labels, prob, 1.0 - prob, 0)
    import hdbscan

    model = hdbscan.HDBSCAN(min_cluster_size=max(2, min_cluster_size), min_samples=min_samples,
                            cluster_selection_epsilon=float(epsilon), metric="precomputed")
    labels = model.fit_predict(d.astype(np.float64))
    if (labels < 0).all():
        # One group plus stragglers has no split for HDBSCAN to select (the root is never a
        # cluster by default): ask again allowing a single cluster; the stragglers then carry low
        # membership strength and the engine's confidence floor sends them to noise.
        model = hdbscan.HDBSCAN(min_cluster_size=max(2, min_cluster_size), min_samples=min_samples,
                                cluster_selection_epsilon=float(epsilon), metric="precomputed",
                                allow_single_cluster=True)
        labels = model.fit_predict(d.astype(np.float64))
    outlier = np.nan_to_num(np.asarray(model.outlier_scores_, dtype=np.float64), nan=1.0)
    return DensityResult(labels.astype(int), np.asarray(model.probabilities_, dtype=np.float64),
                         np.clip(outlier, 0.0, 1.0), 0)


def _tiny(x: np.ndarray, epsilon: float) -> DensityResult:
    """Two points or fewer: HDBSCAN needs more, so link them when closer than epsilon."""
    n = x.shape[0]
    labels = -np.ones(n, int)
    if n == 2 and epsilon > 0 and float(np.linalg.norm(x[0] - x[1])) <= epsilon:
        labels[:] = 0
    prob = (labels >= 0).astype(float)
    return DensityResult(labels, prob, 1.0 - prob, x.shape[1])


def centroids(x: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Mean row of every non-noise label."""
    return {int(k): x[labels == k].mean(axis=0) for k in np.unique(labels) if k >= 0}
