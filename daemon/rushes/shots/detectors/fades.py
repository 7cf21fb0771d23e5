"""Fades: runs of black frames with the picture dimming into them and brightening out of them.

A run of black at the very start is a fade in, at the very end a fade out, elsewhere a fade
through black spanning the dimming, the black and the brightening. Black is measured per pixel
(a bright logo on black is not black) and the dimming by the mean level of the thumbnails.
"""
from __future__ import annotations


import numpy as np

from rushes.shots.detectors.base import setting
from rushes.shots.features import Features
from rushes.shots.types import Candidate
from rushes.settings import Settings


def black_runs(f: Features, min_dark: float, max_luma: float) -> list[tuple[int, int]]:
    black = (f.dark >= min_dark) & (f.luma <= max_luma)
    runs = []
    n = len(black)
    p = 0
    while p < n:
        if black[p]:
            q = p
            while q < n and black[q]:
                q += 1
            runs.append((p, q))
            p = q
        else:
            p += 1
    return runs


class FadeDetector:
    name = "fades"

    def __init__(self, settings: Settings | None = None) -> None:
        self.min_dark = setting(settings, "shots_black_pixels", 0.97)
        self.max_luma = setting(settings, "shots_black_luma", 0.07)
        self.max_ramp = int(setting(settings, "shots_fade_max_frames", 60))

    def _ramp(self, luma: np.ndarray, p: int, step: int, stop: int) -> int:
        """Walk from p while the level keeps falling towards the black run; returns the end."""
        q = p
        while 0 <= q + step < len(luma) and abs(q + step - p) <= self.max_ramp and q + step != stop:
            if luma[q + step] > luma[q] + 0.004:
                q += step
            else:
                break
        return q

    def detect(self, f: Features) -> list[Candidate]:
        n = len(f)
        out: list[Candidate] = []
        runs = black_runs(f, self.min_dark, self.max_luma)
        for b0, b1 in runs:
            # dimming before: walk back while earlier frames are brighter
            s = self._ramp(f.luma, b0, -1, -1) if b0 > 0 else 0
            e = self._ramp(f.luma, b1 - 1, +1, n) + 1 if b1 < n else n
            fade_out = b0 - s
            fade_in = e - b1
            if b0 == 0 and b1 < n:
                out.append(Candidate("fade_in", 0, e, 0.95, True, self.name))
            elif b1 == n and b0 > 0:
                out.append(Candidate("fade_out", s, n, 0.95, True, self.name))
            elif 0 < b0 and b1 < n:
                sure = fade_out >= 3 or fade_in >= 3
                out.append(Candidate("fade_through_black", s, e, 0.9 if sure else 0.6, sure, self.name))
        # fades from or to a dark-but-not-black picture at the ends of the file
        if n > 12 and (not runs or runs[0][0] > 0) and f.luma[0] < 0.12:
            e = self._ramp(f.luma, 0, +1, n) + 1
            if e >= 6 and f.luma[e - 1] > 2.5 * max(f.luma[0], 0.01):
                out.append(Candidate("fade_in", 0, e, 0.7, True, self.name))
        if n > 12 and (not runs or runs[-1][1] < n) and f.luma[-1] < 0.12:
            s = self._ramp(f.luma, n - 1, -1, -1)
            if n - s >= 6 and f.luma[s] > 2.5 * max(f.luma[-1], 0.01):
                out.append(Candidate("fade_out", s, n, 0.7, True, self.name))
        return out
