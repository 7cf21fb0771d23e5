"""Hard cuts: a large change between two frames that persists and stands out from its neighbours.

Three tests, all on the 16x9 colour thumbnails: the jump itself, its persistence (frames two
and three apart across the jump still differ, which rejects one- and two-frame flashes) and its
isolation (the neighbouring frame-to-frame changes are much smaller, which rejects whip pans,
explosions and shaky camera work). Jumps that pass weakly are candidates for the referee.
"""
from __future__ import annotations


import numpy as np

from rushes.shots.detectors.base import setting
from rushes.shots.detectors.dissolves import structure_change
from rushes.shots.features import Features
from rushes.shots.types import Candidate
from rushes.settings import Settings


class HardCutDetector:
    name = "cuts"

    def __init__(self, settings: Settings | None = None) -> None:
        self.min_jump = setting(settings, "shots_cut_min", 0.045)       # below: never a cut
        self.sure_jump = setting(settings, "shots_cut_sure", 0.10)      # above (and isolated): no referee
        self.min_isolation = setting(settings, "shots_cut_isolation", 2.0)
        self.sure_isolation = setting(settings, "shots_cut_sure_isolation", 3.5)
        # structure change across the jump (brightness and contrast taken out): a lighting
        # change, a camera flash filling the frame or an exposure jump has almost none
        self.min_struct = setting(settings, "shots_cut_min_struct", 0.2)
        self.sure_struct = setting(settings, "shots_cut_sure_struct", 0.5)

    def scores(self, f: Features) -> tuple[np.ndarray, np.ndarray]:
        """(jump, isolation) per position p: the change between p-1 and p."""
        n = len(f)
        jump = np.zeros(n, np.float32)
        iso = np.zeros(n, np.float32)
        if n < 2:
            return jump, iso
        p = np.arange(1, n)
        adj = np.zeros(n, np.float32)
        adj[1:] = f.sig_dist(p - 1, p)
        # persistence: min over pairs that straddle the jump further apart
        pers = adj.copy()
        for a_off, b_off in ((-1, 1), (-1, 2), (-2, 0), (-3, 0), (-2, 1)):
            a = np.clip(np.arange(n) + a_off, 0, n - 1)
            b = np.clip(np.arange(n) + b_off, 0, n - 1)
            pers = np.minimum(pers, f.sig_dist(a, b))
        jump = pers
        # isolation: the jump against the largest other change within +-6 frames
        pad = np.pad(adj, 6, mode="edge")
        neigh = np.zeros(n, np.float32)
        for off in list(range(-6, -1)) + list(range(2, 7)):
            neigh = np.maximum(neigh, pad[6 + off: 6 + off + n])
        # the change right next to the jump (p-1, p+1) is allowed to be raised by motion blur,
        # but only half counts
        near = np.maximum(pad[5: 5 + n], pad[7: 7 + n]) * 0.5
        neigh = np.maximum(neigh, near)
        iso = jump / np.maximum(neigh, 0.004)
        jump[0] = 0
        return jump, iso

    def detect(self, f: Features) -> list[Candidate]:
        jump, iso = self.scores(f)
        out: list[Candidate] = []
        cand = np.flatnonzero((jump >= self.min_jump) & (iso >= self.min_isolation))
        for p in cand:
            # keep the local maximum only (two adjacent positions cannot both be cuts)
            lo, hi = max(0, p - 2), min(len(f), p + 3)
            if jump[p] < jump[lo:hi].max():
                continue
            struct = structure_change(f.sig[p - 1], f.sig[p])
            if struct < self.min_struct:
                continue
            sure = bool(jump[p] >= self.sure_jump and iso[p] >= self.sure_isolation and struct >= self.sure_struct)
            score = float(min(1.0, 0.4 * min(1.0, jump[p] / self.sure_jump) + 0.3 * min(1.0, iso[p] / self.sure_isolation)
                              + 0.3 * min(1.0, struct / self.sure_struct)))
            out.append(Candidate("cut", int(p), int(p) + 1, score, sure, self.name))
        return out
