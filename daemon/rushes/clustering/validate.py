"""Should the learned metric be used? Only if it predicts the editor's decisions it never saw.

Five corrections are little to learn from, and a metric fitted on them can bend the space the
wrong way for the shots nobody touched (the bench measured exactly that). So before the metric
re-clusters anything, each feedback is held out in turn: the metric is fitted on the others, and
the held-out decision's members are classified by their nearest labelled neighbour (labels: the
stored clustering with the editor's pins), once in the learned space and once in the plain one.
The metric is used only when it gets more of those held-out decisions right.
"""
from __future__ import annotations

import numpy as np

from rushes.clustering import NOISE
from rushes.clustering.metric import LinearMetric, fit

Key = tuple[str, int]


def _nn_label(z: np.ndarray, i: int, labels: list[str], skip: set[int]) -> str:
    d = np.linalg.norm(z - z[i], axis=1)
    for j in np.argsort(d):
        if j != i and j not in skip and labels[j] != NOISE:
            return labels[j]
    return NOISE


def held_out_score(x: np.ndarray, keys: list[Key], labels: list[str], grouped: dict[int, list[tuple[Key, Key, Key]]],
                   pins: dict[Key, str], model: str = "") -> tuple[int, int, int]:
    """(decisions, right in the plain space, right in the learned space), leaving each feedback out."""
    idx = {k: i for i, k in enumerate(keys)}
    total = plain = learned = 0
    for fid, trips in grouped.items():
        others = [t for g, ts in grouped.items() if g != fid for t in ts]
        anchors = {t[0] for t in trips if t[0] in pins and pins[t[0]] != NOISE}
        if not others or not anchors:
            continue
        a, p, n = (x[[idx[t[j]] for t in others]] for j in range(3))
        metric: LinearMetric = fit(a, p, n, model=model)
        z = metric.apply(x)
        skip = {idx[k] for k in anchors}
        for k in anchors:
            i = idx[k]
            total += 1
            plain += _nn_label(x, i, labels, skip) == pins[k]
            learned += _nn_label(z, i, labels, skip) == pins[k]
    return total, plain, learned
