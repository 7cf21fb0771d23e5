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

    def violations(self, assign: dict[Key, str]) -> list[str]:
        """What in `assign` breaks a constraint (empty when everything the editor said holds)."""
        out = []
        for k, cid in self.pins.items():
            if k in assign and assign[k] != cid:
                out.append(f"{k[0]}:{k[1]} pinned to {cid} but in {assign[k]}")
        for a, b in self.must:
            if a in assign and b in assign and assign[a] != assign[b]:
                out.append(f"must-link {a[0]}:{a[1]} / {b[0]}:{b[1]} split")
        for a, b in self.cannot:
            if a in assign and b in assign and assign[a] == assign[b] and assign[a] != NOISE:
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
        if a in assign and b in assign:
            uf.union(a, b)
    comps: dict[Key, list[Key]] = {}
    for k in list(uf.parent):
        comps.setdefault(uf.find(k), []).append(k)
    for members in comps.values():
        pinned = [cons.pins[k] for k in members if k in cons.pins]
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
    for a, b in cons.cannot:
        forbidden.setdefault(a, set()).add(b)
        forbidden.setdefault(b, set()).add(a)
    for _ in range(3):
        changed = False
        for a, b in cons.cannot:
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
