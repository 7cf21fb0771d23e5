"""Wipes: a moving edge that replaces picture A by picture B one part of the frame at a time.

On the 16x9 thumbnails a wipe shows as every cell switching from A to B once, abruptly, at a
time that moves across the frame in one direction (left/right/up/down, diagonal, a growing
corner box, an iris, a clock hand). Three tests tell it from its look-alikes:

- step-likeness: each cell stays A-like, jumps, then stays B-like (a cross-dissolve instead
  moves every cell gradually and together; a pan or whip pan slides the content, so a cell
  keeps changing on both sides of its largest step and never settles on its final picture);
- spread: the cells' switch times cover several frames (a cut switches them all at once);
- order: the switch times follow the geometry of the frame, i.e. a plane t = a*x + b*y + c
  (straight and diagonal edges) or a function of one shape coordinate (corner box, radius,
  clock angle) explains most of their variance.

Candidate windows come from a cheap pass (a large change between the window's ends that no
single frame step carries); only those get the per-cell fit, so the cost stays small.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rushes.shots.detectors.base import setting
from rushes.shots.features import SIG_H, SIG_W, Features
from rushes.shots.types import Candidate

HALF_WINDOWS = (6, 10, 15, 22)      # half window lengths: wipes of ~8 to ~40 frames
_YS, _XS = np.mgrid[0:SIG_H, 0:SIG_W]
# cell centres in frame units (16:9, so a 45 degree edge is a 45 degree edge in the picture)
CELL_X = ((_XS.ravel() + 0.5) / SIG_W * 16.0).astype(np.float64)
CELL_Y = ((_YS.ravel() + 0.5) / SIG_H * 9.0).astype(np.float64)


@dataclass
class WipeFit:
    """What the per-cell fit of one window found (positions relative to the features)."""

    start: int
    end: int
    residual: float        # mean step-fit error of the changing cells, relative to their change
    abrupt: float          # median frames a cell spends between A and B, over the wipe's length
    order: float           # R^2 of the best geometric model of the switch times
    cells: float           # share of cells that change between A and B
    shape: str             # which model fitted best (plane, box, iris, clock)


def _r2(t: np.ndarray, w: np.ndarray, cols: list[np.ndarray], trim: float = 0.2) -> float:
    """Weighted R^2 of t regressed on the given columns plus a constant, after dropping the
    worst-fitting `trim` of the cells (a person walking through a cell moves its switch time)."""
    x = np.column_stack([np.ones_like(t), *cols])
    keep = np.ones(len(t), bool)
    for _ in range(2):
        sw = np.sqrt(w[keep])
        coef, *_ = np.linalg.lstsq(x[keep] * sw[:, None], t[keep] * sw, rcond=None)
        res = np.abs(t - x @ coef)
        keep = res <= np.quantile(res, 1.0 - trim)
    tk, wk, rk = t[keep], w[keep], (t - x @ coef)[keep]
    mean = float((wk * tk).sum() / wk.sum())
    tot = float((wk * (tk - mean) ** 2).sum())
    return 1.0 - float((wk * rk ** 2).sum()) / tot if tot > 1e-9 else 0.0


def shape_fit(t: np.ndarray, w: np.ndarray, cells: np.ndarray, penalty: float = 0.1) -> tuple[float, str]:
    """The best R^2 over the wipe shapes and its name; `cells` indexes the 144 thumbnail cells.
    The shapes with a free corner, centre or start angle fit noise more easily than a plane,
    so they pay `penalty`."""
    x, y = CELL_X[cells], CELL_Y[cells]
    best = (_r2(t, w, [x, y]), "plane")
    others = [("box", np.maximum(np.abs(x - cx) / 16.0, np.abs(y - cy) / 9.0)) for cx in (0.0, 16.0) for cy in (0.0, 9.0)]
    others.append(("iris", np.hypot(x - 8.0, y - 4.5)))
    angle = np.arctan2(y - 4.5, x - 8.0)
    others += [("clock", np.mod(angle - a0, 2 * np.pi)) for a0 in np.linspace(-np.pi, np.pi, 8, endpoint=False)]
    for name, col in others:
        best = max(best, (_r2(t, w, [col]) - penalty, name))
    return best


class WipeDetector:
    name = "wipes"

    def __init__(self, settings: Any = None) -> None:
        # change between the window's ends (mean over the thumbnail, 0..1)
        self.min_change = setting(settings, "shots_wipe_min_change", 0.06)
        # the largest single frame step against that change (a cut carries it all in one)
        self.max_step = setting(settings, "shots_wipe_max_step", 0.45)
        # a cell counts as changing when its A and B differ by this much (0..1)
        self.cell_change = setting(settings, "shots_wipe_cell_change", 0.1)
        self.min_cells = setting(settings, "shots_wipe_min_cells", 0.45)
        self.max_residual = setting(settings, "shots_wipe_max_residual", 0.17)
        self.max_abrupt = setting(settings, "shots_wipe_max_abrupt", 0.25)
        self.min_order = setting(settings, "shots_wipe_min_order", 0.75)
        self.min_frames = int(setting(settings, "shots_wipe_min_frames", 5))
        self.max_frames = int(setting(settings, "shots_wipe_max_frames", 48))
        self.sure_order = setting(settings, "shots_wipe_sure_order", 0.9)
        self.sure_residual = setting(settings, "shots_wipe_sure_residual", 0.12)

    # ------------------------------------------------------------------ candidates
    def windows(self, sig: np.ndarray, h: int) -> np.ndarray:
        """Centres m whose window [m-h, m+h] changes a lot with no dominant single step."""
        n = len(sig)
        if n <= 2 * h + 1:
            return np.zeros(0, np.int64)
        flat = sig.reshape(n, -1)
        adj = np.zeros(n, np.float32)
        adj[1:] = np.abs(flat[1:] - flat[:-1]).mean(axis=1)
        m = np.arange(h, n - h)
        change = np.abs(flat[m + h] - flat[m - h]).mean(axis=1)
        step = np.lib.stride_tricks.sliding_window_view(adj[1:], 2 * h)[: len(m)].max(axis=1)
        ok = (change >= self.min_change) & (step <= self.max_step * change)
        # one window per plateau is enough: keep local maxima of the change
        full = np.zeros(n, np.float32)
        full[m] = np.where(ok, change, 0.0)
        pad = np.pad(full, 2)
        peak = np.ones(n, bool)
        for off in (-2, -1, 1, 2):
            other = pad[2 + off: 2 + off + n]
            peak &= full >= other if off > 0 else full > other
        return np.flatnonzero(peak & (full > 0))

    def fit(self, sig: np.ndarray, lo: int, hi: int) -> WipeFit | None:
        """Per-cell step fit of frames lo..hi (inclusive), A = frame lo, B = frame hi; None as
        soon as a cheap test fails (the geometric fit is the costly part)."""
        x = sig[lo: hi + 1].reshape(hi - lo + 1, -1, 3)
        length = len(x)
        a, b = x[0], x[-1]
        d = np.abs(a - b).mean(axis=1)                         # (cells,)
        cells = np.flatnonzero(d >= self.cell_change)
        if len(cells) < self.min_cells * len(d):
            return None
        xc, dc = x[:, cells], d[cells]
        da = np.abs(xc - a[cells]).mean(axis=2) / dc           # (L, k) distance to A, in units of the change
        db = np.abs(xc - b[cells]).mean(axis=2) / dc
        # err(T) = sum_{t<T} da + sum_{t>=T} db for T = 1..L-1; the best T is the switch
        err = np.cumsum(da, axis=0)[:-1] + np.cumsum(db[::-1], axis=0)[::-1][1:]
        best = np.argmin(err, axis=0)
        resid = err[best, np.arange(len(cells))] / length
        steplike = resid <= self.max_residual
        if steplike.sum() < self.min_cells * len(d):
            return None
        t = (best + 1 + lo)[steplike].astype(np.float64)     # first B-like frame per cell
        s, e = int(np.floor(np.percentile(t, 2))) - 1, int(np.ceil(np.percentile(t, 98))) + 1
        between = (np.minimum(da, db)[:, steplike] > 0.3).sum(axis=0)   # frames neither A- nor B-like
        abrupt = float(np.median(between)) / max(1, e - s)
        residual = float(np.average(resid, weights=dc))
        if not (lo <= s and e <= hi + 1 and self.min_frames <= e - s <= self.max_frames
                and residual <= self.max_residual and abrupt <= self.max_abrupt):
            return None
        order, shape = shape_fit(t, dc[steplike].astype(np.float64), cells[steplike])
        return WipeFit(s, e, residual, abrupt, order, len(cells) / len(d), shape)

    # ------------------------------------------------------------------ detect
    def detect(self, f: Features) -> list[Candidate]:
        n = len(f)
        sig = f.sig.astype(np.float32) / 255.0
        found: list[tuple[WipeFit, float]] = []
        for h in HALF_WINDOWS:
            for m in self.windows(sig, h):
                wf = self.fit(sig, int(m) - h, int(m) + h)
                if wf is None or wf.order < self.min_order:
                    continue
                found.append((wf, self._score(wf)))
        out = []
        for wf, score in _best_per_overlap(found):
            sure = wf.order >= self.sure_order and wf.residual <= self.sure_residual
            out.append(Candidate("wipe", max(0, wf.start), min(n, wf.end), score, bool(sure), self.name))
        return out

    def _score(self, wf: WipeFit) -> float:
        return float(max(0.0, min(1.0, wf.order)) * (1.0 - min(1.0, wf.residual / (2 * self.max_residual)))
                     * min(1.0, wf.cells / 0.8))


def _best_per_overlap(found: list[tuple[WipeFit, float]]) -> list[tuple[WipeFit, float]]:
    """Windows of several sizes see the same wipe: keep the best scored of overlapping fits."""
    kept: list[tuple[WipeFit, float]] = []
    for wf, score in sorted(found, key=lambda x: -x[1]):
        if any(wf.start < k.end and k.start < wf.end for k, _ in kept):
            continue
        kept.append((wf, score))
    return sorted(kept, key=lambda x: x[0].start)
