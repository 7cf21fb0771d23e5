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
            allow_single: bool = False) -> DensityResult:
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


def cluster_distances(d: np.ndarray, *, min_cluster_size: int = 2, min_samples: int | None = 1,
                      epsilon: float = 0.0) -> DensityResult:
    """HDBSCAN on a precomputed distance matrix (used when constraints reshape the space)."""
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
