"""Dissolves (and other gradual changes): frames that travel in a straight line from one picture
to another.

In a cross-dissolve every frame is a mix (1-a)A + aB of the two shots, so the middle frame is
close to the average of frames k before and k after, while the pictures at both ends differ a
lot and no single step carries the change. Camera moves fail the straight-line test more often
than not; what passes weakly is left to the referee. The extent comes from projecting each
frame onto the A->B line (a from 0 to 1).
"""
from __future__ import annotations


import numpy as np

from rushes.shots.detectors.base import setting
from rushes.shots.features import Features
from rushes.shots.types import Candidate
from rushes.settings import Settings

SCALES = (5, 9, 14)


def structure_change(a: np.ndarray, b: np.ndarray) -> float:
    """Mean difference of two thumbnails after removing each one's brightness and contrast."""
    def norm(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32).reshape(-1, 3)
        return (x - x.mean(axis=0)) / (x.std(axis=0) + 8.0)

    return float(np.abs(norm(a) - norm(b)).mean())


class DissolveDetector:
    name = "dissolves"

    def __init__(self, settings: Settings | None = None) -> None:
        self.min_change = setting(settings, "shots_dissolve_min_change", 0.035)
        self.max_nonlinear = setting(settings, "shots_dissolve_max_nonlinear", 0.33)
        self.max_step_share = setting(settings, "shots_dissolve_max_step", 0.4)
        self.sure_nonlinear = setting(settings, "shots_dissolve_sure_nonlinear", 0.2)
        # change of picture *structure* between the two ends (brightness and contrast taken
        # out): a lighting change or a slow drift inside one shot has little of it
        self.min_struct = setting(settings, "shots_dissolve_min_struct", 0.4)
        # the change across the candidate against the change inside the pictures on its calmer
        # side over as many frames: a handheld camera keeps drifting before and after, two
        # shots joined by a dissolve mostly hold still on at least one side
        self.min_contrast = setting(settings, "shots_dissolve_min_contrast", 2.5)
        self.sure_contrast = setting(settings, "shots_dissolve_sure_contrast", 5.0)
        self.sure_struct = setting(settings, "shots_dissolve_sure_struct", 0.6)

    def _scale(self, sig: np.ndarray, adj: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        n = len(sig)
        p = np.arange(k, n - k)
        a, m, b = sig[p - k], sig[p], sig[p + k]
        qa, qb = sig[p - k // 2], sig[p + k // 2]
        change = np.abs(a - b).reshape(len(p), -1).mean(axis=1)
        err = (np.abs(m - 0.5 * (a + b)).reshape(len(p), -1).mean(axis=1)
               + np.abs(qa - (0.75 * a + 0.25 * b)).reshape(len(p), -1).mean(axis=1)
               + np.abs(qb - (0.25 * a + 0.75 * b)).reshape(len(p), -1).mean(axis=1)) / 3.0
        # the largest single step inside the window (a cut carries all of the change in one)
        win = np.lib.stride_tricks.sliding_window_view(adj, 2 * k)[: len(p)]
        step = win.max(axis=1) if len(win) else np.zeros(0)
        full_change = np.zeros(n, np.float32)
        nonlin = np.ones(n, np.float32)
        ok = np.zeros(n, bool)
        if len(p):
            full_change[p] = change
            nonlin[p] = err / np.maximum(change, 1e-6)
            ok[p] = step <= self.max_step_share * change
        nonlin[~ok] = 1.0
        return full_change, nonlin

    def detect(self, f: Features) -> list[Candidate]:
        n = len(f)
        if n < 2 * SCALES[0] + 2:
            return []
        sig = f.sig.astype(np.float32) / 255.0
        adj = np.zeros(n, np.float32)
        adj[1:] = np.abs(sig[1:] - sig[:-1]).reshape(n - 1, -1).mean(axis=1)
        best_nonlin = np.ones(n, np.float32)
        best_change = np.zeros(n, np.float32)
        best_k = np.zeros(n, np.int32)
        for k in SCALES:
            if n <= 2 * k + 1:
                continue
            change, nonlin = self._scale(sig, adj, k)
            better = (change >= self.min_change) & (nonlin < best_nonlin)
            best_nonlin[better] = nonlin[better]
            best_change[better] = change[better]
            best_k[better] = k
        hit = (best_change >= self.min_change) & (best_nonlin <= self.max_nonlinear)
        out: list[Candidate] = []
        p = 0
        while p < n:
            if not hit[p]:
                p += 1
                continue
            q = p
            while q + 1 < n and (hit[q + 1] or (q + 2 < n and hit[q + 2])):
                q += 1
            cluster = np.arange(p, q + 1)
            cluster = cluster[hit[cluster]]
            m = int(cluster[np.argmin(best_nonlin[cluster])])
            kk = int(best_k[cluster].max())
            extent = self._extent(sig, m, min(20, max(kk + 6, (q - p) // 2 + 6)))
            if extent is not None:
                s, e = extent
                nl = float(best_nonlin[m])
                a, b = max(0, s - 1), min(n - 1, e)
                struct = structure_change(f.sig[a], f.sig[b])
                span = max(4, b - a)
                across = float(np.abs(sig[a] - sig[b]).mean())
                # the calmer side counts: the neighbour window on the other side may already
                # reach into the next transition
                sides = []
                if a - span >= 0:
                    sides.append(float(np.abs(sig[a - span] - sig[a]).mean()))
                if b + span < n:
                    sides.append(float(np.abs(sig[b] - sig[b + span]).mean()))
                calm = min(sides) if sides else 0.0
                contrast = across / max(calm, 0.004)
                if struct >= self.min_struct and contrast >= self.min_contrast:
                    score = float(min(1.0, struct / self.sure_struct) * (1.0 - nl) * min(1.0, contrast / self.sure_contrast))
                    sure = nl <= self.sure_nonlinear and struct >= self.sure_struct and contrast >= self.sure_contrast
                    out.append(Candidate("dissolve", s, e, score, sure, self.name))
            p = q + 1
        return _merge(out)

    @staticmethod
    def _extent(sig: np.ndarray, m: int, k: int) -> tuple[int, int] | None:
        n = len(sig)
        lo, hi = max(0, m - k), min(n - 1, m + k)
        a, b = sig[lo].ravel(), sig[hi].ravel()
        d = b - a
        denom = float(d @ d)
        if denom <= 1e-9:
            return None
        q = np.arange(lo, hi + 1)
        alpha = (sig[q].reshape(len(q), -1) - a) @ d / denom
        inside = np.flatnonzero((alpha > 0.08) & (alpha < 0.92))
        if len(inside) < 3:
            return None
        return int(q[inside[0]]), int(q[inside[-1]]) + 1


def _merge(cands: list[Candidate]) -> list[Candidate]:
    """Overlapping candidates are one change seen at several scales: keep the strongest."""
    out: list[Candidate] = []
    for c in sorted(cands, key=lambda c: c.start):
        if out and c.start < out[-1].end:
            if c.score > out[-1].score:
                out[-1] = c
            continue
        out.append(c)
    return out
