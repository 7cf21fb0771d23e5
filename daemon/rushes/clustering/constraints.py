"""The editor's word always holds: pins, must-link and cannot-link, enforced after clustering.

A pin puts one member in one cluster (or the noise bucket) in every later clustering. Must-link
pairs end up together, cannot-link pairs apart. Enforcement runs on the assignment that density
clustering proposed, in that order:
  1. pins override the proposal;
  2. each must-link component takes its pinned cluster (or the majority cluster of the group);
  3. a cannot-link pair found together loses its less confident, unpinned member to the nearest
     other cluster it may join, or to noise with the reason.
Because pinned clusters are kept under their own ids (stable), an id a pin points at never
vanishes from under it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from rushes.clustering import NOISE

Key = tuple[str, int]


@dataclass
class Constraints:
    pins: dict[Key, str] = field(default_factory=dict)          # member -> cluster id or "noise"
    pin_source: dict[Key, int | None] = field(default_factory=dict)  # member -> feedback id
    must: list[tuple[Key, Key]] = field(default_factory=list)
    cannot: list[tuple[Key, Key]] = field(default_factory=list)

    def superseded(self, kind: str, a: Key, b: Key) -> bool:
        """A link a later placement contradicts: both ends pinned apart (must) or together (cannot),
        or an end sent to noise (must). The newest decision wins; the link no longer binds."""
        pa, pb = self.pins.get(a), self.pins.get(b)
        if kind == "must":
            return NOISE in (pa, pb) or (pa is not None and pb is not None and pa != pb)
        return pa is not None and pa == pb and pa != NOISE

    def violations(self, assign: dict[Key, str]) -> list[str]:
        """What in `assign` breaks a constraint (empty when everything the editor said holds)."""
        out = []
        for k, cid in self.pins.items():
            if k in assign and assign[k] != cid:
                out.append(f"{k[0]}:{k[1]} pinned to {cid} but in {assign[k]}")
        for a, b in self.must:
            if a in assign and b in assign and assign[a] != assign[b] and not self.superseded("must", a, b):
                out.append(f"must-link {a[0]}:{a[1]} / {b[0]}:{b[1]} split")
        for a, b in self.cannot:
            if a in assign and b in assign and assign[a] == assign[b] and assign[a] != NOISE \
                    and not self.superseded("cannot", a, b):
                out.append(f"cannot-link {a[0]}:{a[1]} / {b[0]}:{b[1]} together in {assign[a]}")
        return out


class _Union:
    def __init__(self) -> None:
        self.parent: dict[Key, Key] = {}

    def find(self, k: Key) -> Key:
        self.parent.setdefault(k, k)
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: Key, b: Key) -> None:
        self.parent[self.find(a)] = self.find(b)


# Beyond this many members the all-pairs distance matrix costs too much memory (n^2 floats);
# constraints then act only through pins, links and the learned metric.
SPACE_LEVEL_MAX = 4000


def space_level(z: np.ndarray, keys: list[Key], cons: Constraints) -> np.ndarray | None:
    """Distances reshaped by the constraints (Klein, Kamvar & Manning 2002, "From instance-level
    constraints to space-level constraints"), so one correction also moves the untouched
    neighbours of what was corrected: members the editor put together are at distance 0 and
    every other point may travel through them (shortest paths via each must-link group); members
    the editor kept apart are at the largest distance. None when there is nothing to apply.
    """
    n = len(keys)
    if n == 0 or n > SPACE_LEVEL_MAX or not (cons.pins or cons.must or cons.cannot):
        return None
    idx = {k: i for i, k in enumerate(keys)}
    uf = _Union()
    for k in idx:
        uf.find(k)
    by_pin: dict[str, list[Key]] = {}
    for k, cid in cons.pins.items():
        if k in idx and cid != NOISE:
            by_pin.setdefault(cid, []).append(k)
    for members in by_pin.values():
        for k in members[1:]:
            uf.union(members[0], k)
    for a, b in cons.must:
        if a in idx and b in idx and not cons.superseded("must", a, b):
            uf.union(a, b)
    groups: dict[Key, list[int]] = {}
    for k, i in idx.items():
        groups.setdefault(uf.find(k), []).append(i)
    sq = (z ** 2).sum(1)
    d = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * z @ z.T, 0.0))
    np.fill_diagonal(d, np.inf)
    # "Together" is a typical nearest-neighbour distance, not 0: HDBSCAN's densities are
    # 1/distance, and a zero (or any extreme) would make the membership strength of every
    # other member of that cluster vanish next to the constrained pair.
    near = float(np.median(d.min(1))) if n > 1 else 1e-6
    np.fill_diagonal(d, 0.0)
    near = max(near, 1e-6)
    for members in groups.values():
        if len(members) < 2:
            continue
        block = np.ix_(members, members)
        d[block] = np.minimum(d[block], near)
        reach = d[:, members].min(1)
        d = np.minimum(d, reach[:, None] + reach[None, :])
    far = float(d.max()) * 2.0 + 1.0
    pinned_groups: dict[str, list[int]] = {}
    for cid, members in by_pin.items():
        pinned_groups[cid] = [i for k in members for i in groups[uf.find(k)]]
    ids = list(pinned_groups)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            d[np.ix_(pinned_groups[a], pinned_groups[b])] = far
            d[np.ix_(pinned_groups[b], pinned_groups[a])] = far
    for a, b in cons.cannot:
        if a in idx and b in idx and not cons.superseded("cannot", a, b):
            ga, gb = groups[uf.find(a)], groups[uf.find(b)]
            d[np.ix_(ga, gb)] = far
            d[np.ix_(gb, ga)] = far
    np.fill_diagonal(d, 0.0)
    return d


def enforce(assign: dict[Key, str], conf: dict[Key, float], reasons: dict[Key, str], cons: Constraints,
            vectors: dict[Key, np.ndarray] | None = None) -> None:
    """Make `assign` (member -> cluster id or "noise") obey `cons`, in place, noting reasons."""
    for k, cid in cons.pins.items():
        if k in assign:
            assign[k] = cid
            conf[k] = 1.0
            fid = cons.pin_source.get(k)
            reasons[k] = ("moved to noise by the editor" if cid == NOISE else "placed by the editor") + (
                f" (feedback {fid})" if fid else "")
    uf = _Union()
    for a, b in cons.must:
        if a in assign and b in assign and not cons.superseded("must", a, b):
            uf.union(a, b)
    comps: dict[Key, list[Key]] = {}
    for k in list(uf.parent):
        comps.setdefault(uf.find(k), []).append(k)
    for members in comps.values():
        pinned = [cons.pins[k] for k in members if k in cons.pins and cons.pins[k] != NOISE]
        votes = Counter(pinned) if pinned else Counter(assign[k] for k in members if assign[k] != NOISE)
        if not votes:
            continue
        target = votes.most_common(1)[0][0]
        for k in members:
            if k not in cons.pins and assign[k] != target:
                assign[k] = target
                reasons[k] = "must-link with the editor's placement"
                conf[k] = max(conf.get(k, 0.0), 0.5)
    _separate(assign, conf, reasons, cons, vectors or {})


def _separate(assign, conf, reasons, cons: Constraints, vectors: dict[Key, np.ndarray]) -> None:
    forbidden: dict[Key, set[Key]] = {}
    live = [(a, b) for a, b in cons.cannot if not cons.superseded("cannot", a, b)]
    for a, b in live:
        forbidden.setdefault(a, set()).add(b)
        forbidden.setdefault(b, set()).add(a)
    for _ in range(3):
        changed = False
        for a, b in live:
            if a not in assign or b not in assign or assign[a] != assign[b] or assign[a] == NOISE:
                continue
            movable = [k for k in (a, b) if k not in cons.pins]
            if not movable:
                continue        # the editor pinned both together: the newest pin already won
            loser = min(movable, key=lambda k: conf.get(k, 0.0))
            other = b if loser == a else a
            assign[loser] = _nearest_allowed(loser, assign, forbidden, vectors)
            conf[loser] = 0.0 if assign[loser] == NOISE else min(conf.get(loser, 0.0), 0.5)
            reasons[loser] = f"cannot-link with {other[0]}:{other[1]} (editor feedback)"
            changed = True
        if not changed:
            break


def _nearest_allowed(k: Key, assign: dict[Key, str], forbidden: dict[Key, set[Key]],
                     vectors: dict[Key, np.ndarray]) -> str:
    """The cluster whose centroid is nearest to k and holds none of k's cannot-link partners."""
    if k not in vectors:
        return NOISE
    banned = {assign[o] for o in forbidden.get(k, ()) if o in assign}
    members: dict[str, list[np.ndarray]] = {}
    for m, cid in assign.items():
        if cid != NOISE and cid not in banned and m != k and m in vectors:
            members.setdefault(cid, []).append(vectors[m])
    best, best_d = NOISE, None
    for cid, vs in members.items():
        arr = np.stack(vs)
        c = arr.mean(0)
        radius = float(np.linalg.norm(arr - c, axis=1).max()) if len(arr) > 1 else 0.0
        d = float(np.linalg.norm(vectors[k] - c))
        if d <= max(radius * 1.5, 1e-6) and (best_d is None or d < best_d):
            best, best_d = cid, d
    return best
