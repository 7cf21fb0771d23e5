"""Reciprocal rank fusion: channels are merged by rank, never by raw scores.

Each channel scores on its own scale (an exact match is 1, a cosine similarity 0.2-0.9, a face
track has no score at all), so adding scores would let one channel drown the rest. As in
qdrant-client's hybrid queries, an item's fused score is the sum over the lists it appears in
of 1 / (k + rank), rank counted from 0. k = 2 is qdrant-client's constant: it keeps the first
places of each list clearly apart, which suits short lists of a few strong hits.
"""
from __future__ import annotations

from typing import Hashable, Sequence

RANK_K = 2


def reciprocal_rank_fusion(ranked: Sequence[Sequence[Hashable]], k: int = RANK_K) -> dict[Hashable, float]:
    """{item: fused score} over ranked lists of item keys (best first; an item once per list)."""
    scores: dict[Hashable, float] = {}
    for items in ranked:
        seen: set[Hashable] = set()
        rank = 0
        for item in items:
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
            rank += 1
    return scores
