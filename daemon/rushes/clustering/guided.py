"""Scene bins that learn from the editor beyond the corrected shots: constrained linkage (issue 12).

Pins (moves, merges, splits, confirms) and links were applied only after clustering, so a
correction fixed its own shots and nothing else: linkage could still build a bin across two
things the editor had just separated, and the enforcement afterwards cut out only the member it
named, leaving its untouched neighbours in the wrong bin. Here the editor's separations act
inside the linkage: members pinned to different bins, and cannot-linked pairs, are at distance
FAR from each other before average linkage runs. A bin's height is the mean distance between its
members, so no bin can hold two members the editor keeps apart, and the untouched members
around each of them go to the side their own distances say (the untouched twin of a shot the
editor moved goes with it).

One guard (`stranded`): an untouched member that linked first with a shot the editor moved
elsewhere, and with nothing else, would be left alone when the pin takes that shot away; it is
kept apart from that shot and linked again (at most three rounds).

Measured and not kept (bench/clusters.py, feedback on the scene sets; design notes):
* pulling pinned-together members (and must-links) to distance 0 or to the typical neighbour
  distance: their groups grew as units and dragged untouched strangers in;
* a cut learned from the pins (the average-linkage height that unites each group the editor
  made vs the mean distance between groups it keeps apart): one wide place the editor merged
  raised the cut for the whole project and merged untouched places (untouched F1 1.000 ->
  0.817 on the rushes-like set, in a run with the learned reach still on);
* untouched members following a correction only inside its neighbourhood, or on top of the
  plain clustering: a sub-problem's linkage is not the whole project's (untouched F1 fell).

The distances are the ones linkage uses (unit vectors, times the footage's structure factors).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from rushes.clustering import NOISE
from rushes.clustering.constraints import Constraints

Key = tuple[str, int]

#: Distance that keeps two members apart under any cut (unit vectors are at most 2 apart, and
#: structure factors only shrink distances): a bin's mean distance with it inside is over any cut.
FAR = 1e3


def stranded(labels: np.ndarray, keys: list[Key], cons: Constraints) -> list[tuple[int, int]]:
    """(untouched, pinned) position pairs where linkage built a group of one untouched member and
    pinned members that the pins then take elsewhere: the untouched member linked first with a
    shot the editor moved and would be left alone. Kept apart, it links with what it is like."""
    out = []
    for lab in np.unique(labels[labels >= 0]):
        group = np.nonzero(labels == lab)[0]
        free = [i for i in group if keys[i] not in cons.pins]
        held = [i for i in group if keys[i] in cons.pins]
        if len(free) == 1 and held:
            out += [(free[0], j) for j in held]
    return out


def shaper(keys: list[Key], cons: Constraints, apart: list[tuple[int, int]] = ()
           ) -> Callable[[np.ndarray, np.ndarray | None], np.ndarray] | None:
    """A function `apply(d, idx)` that sets, in a linkage distance matrix of the members at
    positions idx (all members when None), FAR between members the editor keeps apart (pinned to
    different clusters, or cannot-linked and not superseded by a later pin); None when the
    editor kept nothing apart."""
    index = {k: i for i, k in enumerate(keys)}
    label = np.full(len(keys), -1)
    ids: dict[str, int] = {}
    for k, cid in cons.pins.items():
        if k in index and cid != NOISE:
            label[index[k]] = ids.setdefault(cid, len(ids))
    cannot = [(index[a], index[b]) for a, b in cons.cannot
              if a in index and b in index and not cons.superseded("cannot", a, b)]
    cannot += list(apart)
    if len(ids) < 2 and not cannot:
        return None

    def apply(d: np.ndarray, idx: np.ndarray | None) -> np.ndarray:
        pos = np.arange(len(keys)) if idx is None else np.asarray(idx)
        lab = label[pos]
        pinned = lab >= 0
        apart = pinned[:, None] & pinned[None, :] & (lab[:, None] != lab[None, :])
        d = np.where(apart, FAR, d)
        where = {int(p): j for j, p in enumerate(pos)}
        for a, b in cannot:
            if a in where and b in where:
                d[where[a], where[b]] = d[where[b], where[a]] = FAR
        return d

    return apply
