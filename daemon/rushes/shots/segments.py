"""Black and freeze segments (for highlights), from the same features as the shots."""
from __future__ import annotations


import numpy as np

from rushes.shots.detectors.base import setting
from rushes.shots.detectors.fades import black_runs
from rushes.shots.features import Features
from rushes.settings import Settings


def find_segments(f: Features, adj: np.ndarray, fps: float, settings: Settings | None = None) -> list[tuple[str, int, int]]:
    """[(kind, start_pos, end_pos)]: black runs >= shots_black_min_s, stills >= shots_freeze_min_s.

    A freeze is a run of frames whose thumbnails do not change (codec noise aside) and that are
    not black; the threshold is on the 16x9 thumbnail, which averages the noise away.
    """
    out: list[tuple[str, int, int]] = []
    black_min = max(1, int(round(setting(settings, "shots_black_min_s", 0.5) * fps)))
    freeze_min = max(2, int(round(setting(settings, "shots_freeze_min_s", 2.0) * fps)))
    still = setting(settings, "shots_freeze_max_change", 0.0025)
    runs = black_runs(f, setting(settings, "shots_black_pixels", 0.97), setting(settings, "shots_black_luma", 0.07))
    black = np.zeros(len(f), bool)
    for s, e in runs:
        black[s:e] = True
        if e - s >= black_min:
            out.append(("black", s, e))
    frozen = (adj <= still) & ~black
    if len(frozen):
        frozen[0] = False
    p, n = 0, len(frozen)
    while p < n:
        if frozen[p]:
            q = p
            while q < n and frozen[q]:
                q += 1
            # the frame before the first unchanged one is part of the still
            if q - (p - 1) >= freeze_min:
                out.append(("freeze", p - 1, q))
            p = q
        else:
            p += 1
    out.sort(key=lambda t: t[1])
    return out
