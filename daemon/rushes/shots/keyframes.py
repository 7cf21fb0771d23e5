"""Keyframe choice per shot, from the frame-to-frame change measured during the pass.

A static shot gets one keyframe, the median frame (the one closest to the per-pixel median of
the shot's thumbnails: representative, never a passing blur). A moving shot gets three: its
start, its motion peak and its end, each kept clear of transition frames and of each other.
"""
from __future__ import annotations


import numpy as np

from rushes.shots.detectors.base import setting
from rushes.shots.features import Features
from rushes.settings import Settings


def choose_keyframes(f: Features, adj: np.ndarray, in_transition: np.ndarray, s: int, e: int,
                     motion: float, settings: Settings | None = None) -> list[tuple[int, str]]:
    """[(position, role)] with role in median | start | peak | end."""
    static = setting(settings, "shots_static_motion", 0.012)
    margin = int(setting(settings, "shots_keyframe_margin", 2))
    pos = np.arange(s, e)
    clean = pos[~in_transition[s:e]] if e > s else pos
    if len(clean) == 0:
        clean = pos
    if len(clean) > 2 * margin + 1:
        inner = clean[margin: len(clean) - margin]
    else:
        inner = clean
    if motion < static or len(inner) < 3 * (2 * margin + 1):
        med = np.median(f.sig[inner].astype(np.float32), axis=0)
        d = np.abs(f.sig[inner].astype(np.float32) - med).reshape(len(inner), -1).mean(axis=1)
        return [(int(inner[int(np.argmin(d))]), "median")]
    first, last = int(inner[0]), int(inner[-1])
    # motion peak: smoothed change, away from the two ends
    m = adj[inner].astype(np.float32)
    k = min(5, len(m))
    sm = np.convolve(m, np.ones(k, np.float32) / k, mode="same")
    gap = max(2 * margin + 1, len(inner) // 6)
    mid = sm[gap: len(sm) - gap]
    peak = int(inner[gap + int(np.argmax(mid))]) if len(mid) else int(inner[len(inner) // 2])
    return [(first, "start"), (peak, "peak"), (last, "end")]
