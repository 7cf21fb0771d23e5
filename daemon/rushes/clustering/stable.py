"""Cluster ids that survive re-clustering, so an editor's bins don't churn.

After every clustering the new groups are matched to the previous clusters of the same view
by how many members they share (a maximum-weight one-to-one matching, Hungarian algorithm).
A group inherits an old id (and so its name) when the membership mostly survives: at least
half of the old cluster's members that still exist, or at least half of the new group, come
from it. Anything else gets a fresh id; ids are never reused, so a bin that once meant one
thing never silently starts meaning another.
"""
from __future__ import annotations

from typing import Hashable

import numpy as np
from scipy.optimize import linear_sum_assignment


def match(groups: dict[Hashable, set], previous: dict[str, set], *, survive: float = 0.5) -> dict[Hashable, str]:
    """Map each new group label to the old cluster id it continues (groups without one are absent)."""
    if not groups or not previous:
        return {}
    universe = set().union(*groups.values())
    g_labels = list(groups)
    o_ids = list(previous)
    overlap = np.zeros((len(g_labels), len(o_ids)), dtype=np.int64)
    for j, oid in enumerate(o_ids):
        old = previous[oid]
        for i, g in enumerate(g_labels):
            overlap[i, j] = len(groups[g] & old)
    rows, cols = linear_sum_assignment(-overlap)
    out: dict[Hashable, str] = {}
    for i, j in zip(rows, cols):
        shared = int(overlap[i, j])
        if shared == 0:
            continue
        alive = len(previous[o_ids[j]] & universe)
        if shared >= survive * alive or shared >= survive * len(groups[g_labels[i]]):
            out[g_labels[i]] = o_ids[j]
    return out
