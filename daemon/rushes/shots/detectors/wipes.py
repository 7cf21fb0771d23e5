"""Wipes: a moving edge that replaces picture A by picture B one part of the frame at a time.

On the 16x9 thumbnails a wipe shows as every cell switching from A to B once, abruptly, at a
time that moves across the frame in one direction (left/right/up/down, diagonal, a growing
corner box, an iris, a clock hand). These tests tell it from its look-alikes:

- step-likeness: each cell stays A-like, jumps, then stays B-like (a cross-dissolve instead
  moves every cell gradually and together; a pan or whip pan slides the content, so a cell
  keeps changing on both sides of its largest step and never settles on its final picture);
- spread: the cells' switch times cover several frames (a cut switches them all at once);
- order: the switch times follow the geometry of the frame, i.e. a plane t = a*x + b*y + c
  (straight and diagonal edges) or a function of one shape coordinate (corner box, radius,
  clock angle) explains most of their variance;
- no motion: the picture at the end is not the first one shifted, and from frame to frame no
  small shift explains the next picture better (pans, tilts, slides and objects sweeping past
  move the content; a wipe moves only its edge); and the change across stands out from the
  change beside it (a movement inside one shot goes on around it), and the picture's
  structure changes, not only its levels (a shadow sweeping across one shot).

Candidate windows come from a cheap pass (a large change between the window's ends that no
single frame step carries); only those get the per-cell fit, so the cost stays small.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rushes.shots.detectors.base import setting
from rushes.shots.detectors.dissolves import structure_change
from rushes.shots.features import SIG_H, SIG_W, Features
from rushes.shots.types import Candidate
from rushes.settings import Settings

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
    residual: float        # mean step-fit error inside the wipe, relative to the cells' change
    abrupt: float          # median frames a cell spends between A and B, over the wipe's length
    order: float           # R^2 of the best geometric model of the switch times
    cells: float           # share of cells that change between A and B
    shape: str             # which model fitted best (plane, box, iris, clock)
    shifted: float = 1.0   # best shifted A against B, over A against B (low: the picture moved)


def _fit(t: np.ndarray, w: np.ndarray, x: np.ndarray, trim: float = 0.2) -> tuple[float, np.ndarray]:
    """Weighted R^2 and coefficients of t regressed on the design x (constant first), after
    dropping the worst-fitting `trim` of the cells (a person walking through a cell moves its
    switch time)."""
    keep = np.ones(len(t), bool)
    for _ in range(2):
        sw = np.sqrt(w[keep])
        coef, *_ = np.linalg.lstsq(x[keep] * sw[:, None], t[keep] * sw, rcond=None)
        res = np.abs(t - x @ coef)
        k = int((1.0 - trim) * (len(res) - 1))
        keep = res <= np.partition(res, k)[k]
    tk, wk, rk = t[keep], w[keep], (t - x @ coef)[keep]
    mean = float((wk * tk).sum() / wk.sum())
    tot = float((wk * (tk - mean) ** 2).sum())
    return (1.0 - float((wk * rk ** 2).sum()) / tot if tot > 1e-9 else 0.0), coef


def _shapes() -> list[tuple[str, np.ndarray]]:
    """Design matrices over all 144 cells (constant first) of the wipe shapes: a straight edge
    at any angle, a box growing from a corner, an iris, a clock hand from 8 start angles."""
    one = np.ones_like(CELL_X)
    out = [("plane", np.column_stack([one, CELL_X, CELL_Y]))]
    for cx in (0.0, 16.0):
        for cy in (0.0, 9.0):
            out.append(("box", np.column_stack([one, np.maximum(np.abs(CELL_X - cx) / 16.0, np.abs(CELL_Y - cy) / 9.0)])))
    out.append(("iris", np.column_stack([one, np.hypot(CELL_X - 8.0, CELL_Y - 4.5)])))
    angle = np.arctan2(CELL_Y - 4.5, CELL_X - 8.0)
    for a0 in np.linspace(-np.pi, np.pi, 8, endpoint=False):
        out.append(("clock", np.column_stack([one, np.mod(angle - a0, 2 * np.pi)])))
    return out


SHAPES = _shapes()


def shape_fit(t: np.ndarray, w: np.ndarray, cells: np.ndarray, penalty: float = 0.05) -> tuple[float, str, np.ndarray]:
    """The best R^2 over the wipe shapes, its name, and the switch time it predicts for every
    cell of the frame (so the extent covers cells that hardly changed); `cells` indexes the 144
    thumbnail cells. The shapes with a free corner, centre or start angle fit noise more easily
    than a plane, so they pay `penalty`."""
    best: tuple[float, str, np.ndarray] | None = None
    for name, design in SHAPES:
        r2, coef = _fit(t, w, design[cells])
        r2 -= 0.0 if name == "plane" else penalty
        if best is None or r2 > best[0]:
            best = (r2, name, design @ coef)
    return best


def shift_ratios(a: np.ndarray, b: np.ndarray, max_dx: int = 8, max_dy: int = 4) -> np.ndarray:
    """How well a shifted A explains B, against A unshifted, for pairs of thumbnails (k, 9, 16, 3)
    with values 0..1: the best over shifts of the mean difference on the overlap, over the plain
    mean difference. A pan or an object sweeping past moves the picture, so B is mostly A
    shifted (a low ratio); after a wipe B is another picture, and no shift of A comes much closer."""
    base = np.abs(a - b).reshape(len(a), -1).mean(axis=1)
    best = base.copy()
    for dy in range(-max_dy, max_dy + 1):
        for dx in range(-max_dx, max_dx + 1):
            if dx == 0 and dy == 0:
                continue
            ya, yb = slice(max(0, dy), SIG_H + min(0, dy)), slice(max(0, -dy), SIG_H + min(0, -dy))
            xa, xb = slice(max(0, dx), SIG_W + min(0, dx)), slice(max(0, -dx), SIG_W + min(0, -dx))
            diff = np.abs(a[:, ya, xa] - b[:, yb, xb]).reshape(len(a), -1).mean(axis=1)
            np.minimum(best, diff, out=best)
    return best / np.maximum(base, 1e-6)


def shift_ratio(a: np.ndarray, b: np.ndarray, max_dx: int = 8, max_dy: int = 4) -> float:
    """shift_ratios for one pair of thumbnails (9, 16, 3)."""
    return float(shift_ratios(a[None], b[None], max_dx, max_dy)[0])


def contrast(sig: np.ndarray, s: int, e: int) -> float:
    """The change across [s, e) against the change over as many frames on its calmer side
    (as the dissolve detector's): two shots joined by a wipe mostly hold still on one side,
    while a movement inside one shot (an arm raised, a face turning) goes on around it."""
    a, b = max(0, s - 1), min(len(sig) - 1, e)
    span = max(4, b - a)
    across = float(np.abs(sig[a] - sig[b]).mean())
    sides = [float(np.abs(sig[a - span] - sig[a]).mean())] if a - span >= 0 else []
    if b + span < len(sig):
        sides.append(float(np.abs(sig[b] - sig[b + span]).mean()))
    return across / max(min(sides) if sides else 0.0, 0.004)


def stillness(sig: np.ndarray, s: int, e: int, gap: int = 2) -> float:
    """Median over [s, e) of shift_ratio between frames `gap` apart, with small shifts: while a
    wipe runs only its edge moves, so no shift brings the next picture closer (about 1); in a
    tilt or pan that brings new content in, or a slide (push), the whole picture moves."""
    t = np.arange(max(0, s), min(len(sig) - gap, e - gap + 1))
    return float(np.median(shift_ratios(sig[t], sig[t + gap], 3, 2))) if len(t) else 1.0


class WipeDetector:
    name = "wipes"

    def __init__(self, settings: Settings | None = None) -> None:
        # change between the window's ends (mean over the thumbnail, 0..1)
        self.min_change = setting(settings, "shots_wipe_min_change", 0.06)
        # the largest single frame step against that change (a cut carries it all in one)
        self.max_step = setting(settings, "shots_wipe_max_step", 0.45)
        # a cell counts as changing when its A and B differ by this much (0..1)
        self.cell_change = setting(settings, "shots_wipe_cell_change", 0.1)
        self.min_cells = setting(settings, "shots_wipe_min_cells", 0.45)
        # step-fit error over the whole window (drift of the pictures included), per cell
        self.max_drift = setting(settings, "shots_wipe_max_drift", 0.25)
        # step-fit error inside the wipe, mean over the changing cells (units of their change)
        self.max_residual = setting(settings, "shots_wipe_max_residual", 0.5)
        self.max_abrupt = setting(settings, "shots_wipe_max_abrupt", 0.25)
        self.min_order = setting(settings, "shots_wipe_min_order", 0.75)
        # B explained by A shifted, against A itself: under this the picture moved (a pan)
        self.min_shift = setting(settings, "shots_wipe_min_shift", 0.45)
        # structure change between the ends (brightness and contrast taken out): a shadow or a
        # light sweeping across one shot changes the levels, not the picture
        self.min_struct = setting(settings, "shots_wipe_min_struct", 0.6)
        # the change across the wipe against the change beside it (a movement inside one shot)
        self.min_contrast = setting(settings, "shots_wipe_min_contrast", 1.2)
        # frame-to-frame: no small shift explains the next picture better (a tilt brings in
        # new content, so the ends differ, but from frame to frame the picture moves)
        self.min_still = setting(settings, "shots_wipe_min_still", 0.8)
        self.min_frames = int(setting(settings, "shots_wipe_min_frames", 5))
        self.max_frames = int(setting(settings, "shots_wipe_max_frames", 48))
        self.sure_order = setting(settings, "shots_wipe_sure_order", 0.9)
        self.sure_residual = setting(settings, "shots_wipe_sure_residual", 0.2)

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

    def fit(self, sig: np.ndarray, lo: int, hi: int, widen: bool = True) -> WipeFit | None:
        """Per-cell step fit of frames lo..hi (inclusive), A = frame lo, B = frame hi; None as
        soon as a cheap test fails (the geometric fit is the costly part). A wipe that touches
        an end of the window is fitted once more in a window wider by half on both sides."""
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
        steplike = resid <= self.max_drift
        if steplike.sum() < self.min_cells * len(d):
            return None
        switch = best[steplike] + 1                            # first B-like row per cell
        t = (switch + lo).astype(np.float64)
        ts = np.sort(t)                                       # (np.percentile costs more than the fit)
        s, e = int(ts[int(0.05 * (len(ts) - 1))]) - 1, int(ts[int(np.ceil(0.95 * (len(ts) - 1)))]) + 1
        # the pictures at both ends of the window must be outside the wipe (a window that starts
        # inside one wipe and ends after the next would see the two as one)
        if not (lo < s and e <= hi):
            pad = (hi - lo) // 4 + 2
            if widen and lo - pad >= 0 and hi + pad < len(sig):
                return self.fit(sig, lo - pad, hi + pad, widen=False)
            return None
        if not self.min_frames <= e - s <= self.max_frames:
            return None
        # inside the wipe each cell must be A until its switch and B after it: a pan keeps
        # every cell moving there, however still the pictures are before and after
        rows = np.arange(s - lo, e - lo)[:, None]
        local = np.where(rows < switch[None, :], da[s - lo: e - lo][:, steplike], db[s - lo: e - lo][:, steplike])
        w = dc[steplike]
        residual = float(np.average(local.mean(axis=0), weights=w))
        between = (np.minimum(da, db)[:, steplike] > 0.3).sum(axis=0)   # frames neither A- nor B-like
        abrupt = float(np.median(between)) / max(1, e - s)
        if residual > self.max_residual or abrupt > self.max_abrupt:
            return None
        order, shape, predicted = shape_fit(t, w.astype(np.float64), cells[steplike])
        if order < self.min_order:
            return None
        # the motion tests look at the switch times seen, which stay inside the window; then the
        # extent is what the shape predicts over the whole frame: cells that hardly changed, or
        # lie outside a window shorter than the wipe, still belong to it
        shifted = shift_ratio(sig[lo], sig[hi])
        if (shifted < self.min_shift or structure_change(sig[lo] * 255, sig[hi] * 255) < self.min_struct
                or contrast(sig, s, e) < self.min_contrast or stillness(sig, s, e) < self.min_still):
            return None
        s = max(0, min(s, int(np.floor(predicted.min())) - 1))
        e = min(len(sig), max(e, int(np.ceil(predicted.max())) + 1))
        return WipeFit(s, e, residual, abrupt, order, len(cells) / len(d), shape, shifted)

    # ------------------------------------------------------------------ detect
    def detect(self, f: Features) -> list[Candidate]:
        n = len(f)
        sig = f.sig.astype(np.float32) / 255.0
        found: list[tuple[WipeFit, float, int]] = []
        for h in HALF_WINDOWS:
            for m in self.windows(sig, h):
                wf = self.fit(sig, int(m) - h, int(m) + h)
                if wf is None:
                    continue
                found.append((wf, self._score(wf), h))
        out = []
        for wf, score in _best_per_overlap(found):
            sure = wf.order >= self.sure_order and wf.residual <= self.sure_residual
            out.append(Candidate("wipe", max(0, wf.start), min(n, wf.end), score, bool(sure), self.name))
        return out

    def _score(self, wf: WipeFit) -> float:
        """0.5 at the acceptance limits, 1 at the sure limits: the geometric mean of the three
        (a clean edge in a muddled order is no wipe, nor a clear order of gradual cells)."""
        def term(x: float, lo: float, hi: float) -> float:
            return float(np.clip(0.5 + 0.5 * (x - lo) / (hi - lo), 0.0, 1.0))

        terms = (term(wf.order, self.min_order, self.sure_order), term(-wf.residual, -self.max_residual, -self.sure_residual),
                 term(-wf.abrupt, -self.max_abrupt, -0.5 * self.max_abrupt))
        return float(np.prod(terms) ** (1 / len(terms)))


def _best_per_overlap(found: list[tuple[WipeFit, float, int]]) -> list[tuple[WipeFit, float]]:
    """Windows of several sizes see the same wipe: of overlapping fits keep the best scored,
    on a tie the one whose cells are cleanest steps (its switch times are the most exact)."""
    kept: list[tuple[WipeFit, float]] = []
    for wf, score, _ in sorted(found, key=lambda x: (-round(x[1], 2), x[0].residual)):
        if not any(wf.start < k.end and k.start < wf.end for k, _ in kept):
            kept.append((wf, score))
    return sorted(kept, key=lambda x: x[0].start)
