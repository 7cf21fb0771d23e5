"""The per-project learned metric: a linear projection fitted with a triplet loss.

Why linear. A project gets a handful of corrections, not thousands: a full network would
memorise them. A projection W (d x d, starting at the identity and pulled back towards it)
can only re-weight directions of the embedding space, which is exactly what an editor's
correction says ("these two shots differ in what matters here; that lighting change does not")
and it generalises to the shots nobody touched, because every shot lives in the same space.

Loss, for triplets (anchor, positive, negative) of unit vectors:
    mean(max(0, margin + |W'(a-p)|^2 - |W'(a-n)|^2)) + reg * |W - I|^2
minimised by plain gradient descent in numpy (a few hundred steps on a few hundred triplets
take milliseconds). The pull towards the identity is strong (reg 1.0): with five corrections a
weakly held metric drives the loss to zero by bending the space around those few shots, and on
the bench that made the untouched shots worse, not better. The metric is stored in the catalog (`cluster_metrics`) with the loss
before and after, so `rushes clusters` can show that learning happened.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LinearMetric:
    weights: np.ndarray          # d x k
    triplets: int = 0
    loss_before: float = 0.0
    loss_after: float = 0.0
    model: str = ""

    @property
    def in_dim(self) -> int:
        return int(self.weights.shape[0])

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Project rows of x and renormalise (clustering works on unit vectors)."""
        if x.size == 0:
            return x
        if x.shape[1] != self.in_dim:
            return x            # a different model's vectors: the metric does not apply to them
        z = x @ self.weights
        return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)

    def to_blob(self) -> bytes:
        return np.ascontiguousarray(self.weights, dtype=np.float32).tobytes()

    @classmethod
    def from_blob(cls, blob: bytes, in_dim: int, out_dim: int, **kw) -> "LinearMetric":
        w = np.frombuffer(blob, dtype=np.float32).reshape(in_dim, out_dim).copy()
        return cls(w, **kw)


def triplet_loss(w: np.ndarray, a: np.ndarray, p: np.ndarray, n: np.ndarray, margin: float) -> float:
    dp = ((a - p) @ w) ** 2
    dn = ((a - n) @ w) ** 2
    return float(np.maximum(0.0, margin + dp.sum(1) - dn.sum(1)).mean()) if len(a) else 0.0


def fit(anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray, *, margin: float | None = None,
        reg: float = 1.0, steps: int = 300, lr: float = 0.5, model: str = "") -> LinearMetric:
    """Fit W on triplets of unit vectors (rows). Returns the identity when there is nothing to learn.

    The margin defaults to half the mean anchor-negative squared distance, so it scales with
    the embedding (face descriptors and scene descriptors have very different spreads).
    """
    # Small matrices: BLAS threads only fight over the cores (7x slower on a loaded 2-core box).
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _fit(anchor, positive, negative, margin=margin, reg=reg, steps=steps, lr=lr, model=model)


def _fit(anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray, *, margin: float | None, reg: float,
         steps: int, lr: float, model: str) -> LinearMetric:
    d = anchor.shape[1]
    eye = np.eye(d, dtype=np.float64)
    if len(anchor) == 0:
        return LinearMetric(eye.astype(np.float32), model=model)
    a = anchor.astype(np.float64)
    dap = a - positive.astype(np.float64)
    dan = a - negative.astype(np.float64)
    if margin is None:
        margin = 0.5 * float((dan ** 2).sum(1).mean())
    w = eye.copy()
    before = triplet_loss(w, a, positive, negative, margin)
    m = len(a)
    # Step size relative to the data's scale keeps the descent stable for any embedding.
    scale = max(float((dan ** 2).sum(1).max()), float((dap ** 2).sum(1).max()), 1e-9)
    # ...and below 1/(2 reg), so the pull back to the identity never overshoots.
    step = min(lr / scale, 0.5 / (2.0 * reg + 1e-9))
    for _ in range(steps):
        pw = dap @ w
        nw = dan @ w
        viol = margin + (pw ** 2).sum(1) - (nw ** 2).sum(1) > 0
        grad = 2.0 * reg * (w - eye)
        if viol.any():
            gp = dap[viol].T @ pw[viol]
            gn = dan[viol].T @ nw[viol]
            grad += 2.0 * (gp - gn) / m
        w -= step * grad
    after = triplet_loss(w, a, positive, negative, margin)
    return LinearMetric(w.astype(np.float32), triplets=m, loss_before=before, loss_after=after, model=model)
