"""The boundary score per time point: where a clip may start or end.

Candidates are every step edge plus the exact frames of cuts and transitions and the edges of
black segments; each gets parts (cut, audio dip, fade, motion valley) and a score, and is marked
when it lies inside a stretch of speech (a clip never starts or ends there).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rushes.highlights.config import HighlightConfig
from rushes.highlights.signals import Signals
from rushes.highlights.timeline import MediaTimeline

AROUND_S = 2.0          # the neighbourhood a dip or valley is measured against
SPEECH_MARGIN_S = 0.05  # a boundary this close to a speech edge counts as outside it


@dataclass(frozen=True)
class Boundary:
    time_s: float
    frame: int
    score: float
    cut: float
    dip: float
    fade: float
    valley: float
    in_speech: bool

    def as_dict(self) -> dict:
        return {"time_s": round(self.time_s, 3), "frame": self.frame, "score": round(self.score, 3),
                "cut": round(self.cut, 3), "dip": round(self.dip, 3), "fade": round(self.fade, 3),
                "valley": round(self.valley, 3), "in_speech": self.in_speech}


def candidates(sig: Signals, tl: MediaTimeline, cfg: HighlightConfig) -> list[Boundary]:
    fps = float(tl.fps)
    duration = sig.n * sig.step_s
    end_frame = tl.frame_count if tl.frame_count else int(round(duration * fps))
    duration = min(duration, end_frame / fps) if end_frame else duration
    points: dict[int, tuple[float, float]] = {}        # frame -> (cut part, fade part)

    def add(frame: int, cut: float = 0.0, fade: float = 0.0) -> None:
        frame = max(0, min(end_frame, frame))
        old = points.get(frame, (0.0, 0.0))
        points[frame] = (max(old[0], cut), max(old[1], fade))

    for k in range(int(duration / sig.step_s) + 1):
        add(int(round(k * sig.step_s * fps)))
    add(0, cut=1.0)                  # the media's own start and end are clean boundaries
    add(end_frame, cut=1.0)
    for c in tl.cuts:
        gradual = c.kind != "cut"
        fade = 1.0 if c.kind.startswith("fade") else 0.0
        add(c.frame, cut=c.confidence, fade=fade)
        if gradual:                  # a clip may also end where a transition begins
            add(c.start, cut=c.confidence, fade=fade)
    for span in tl.spans:
        if span.kind == "black":
            add(span.start, fade=1.0)
            add(span.end, fade=1.0)

    frames = np.array(sorted(points), np.int64)
    cut = np.array([points[f][0] for f in frames])
    fade = np.array([points[f][1] for f in frames])
    t = frames / fps
    # the steps either side of each point: i (the step ending at or around it) and j = i + 1
    times = sig.times()
    i = np.clip(np.searchsorted(times, t) - 1, 0, sig.n - 1)
    j = np.minimum(sig.n - 1, i + 1)
    k = max(1, int(round(AROUND_S / sig.step_s)))
    lo, hi = np.maximum(0, i - k), np.minimum(sig.n, j + k + 1)
    dip = np.zeros(len(frames))
    if sig.has_audio:
        lm = sig.lufs_momentary.astype(np.float64)
        csum = np.concatenate([[0.0], np.cumsum(lm)])
        here = np.minimum(lm[i], lm[j])
        count = (i - lo) + (hi - j - 1)
        total = (csum[i] - csum[lo]) + (csum[hi] - csum[j + 1])
        around = np.where((hi - lo > 2) & (count > 0), total / np.maximum(count, 1), here)
        dip = np.clip((around - here) / 10.0, 0.0, 1.0)
    valley = np.zeros(len(frames))
    if sig.has_video:
        width = 2 * k + 2
        padded = np.concatenate([np.full(k, -np.inf), sig.motion, np.full(width, -np.inf)])
        top = np.lib.stride_tricks.sliding_window_view(padded, width).max(axis=1)[i]   # max over [i-k, j+k]
        here_m = np.minimum(sig.motion[i], sig.motion[j])
        valley = np.where(top > cfg.still_motion, np.clip(1.0 - here_m / np.maximum(top, 1e-9), 0.0, 1.0), 0.0)
    score = np.minimum(1.0, cfg.w_cut * cut + cfg.w_dip * dip + cfg.w_fade * fade + cfg.w_valley * valley)
    speech = _inside_any(t, sig.speech_spans)
    return [Boundary(time_s=float(t[q]), frame=int(frames[q]), score=float(score[q]), cut=float(cut[q]),
                     dip=float(dip[q]), fade=float(fade[q]), valley=float(valley[q]), in_speech=bool(speech[q]))
            for q in range(len(frames))]


def _inside_any(t: np.ndarray, spans: list[tuple[float, float]]) -> np.ndarray:
    """Whether each time lies strictly inside a speech span (spans sorted, not overlapping)."""
    if not spans:
        return np.zeros(len(t), bool)
    starts = np.array([a for a, _ in spans]) + SPEECH_MARGIN_S
    ends = np.array([b for _, b in spans]) - SPEECH_MARGIN_S
    idx = np.searchsorted(starts, t, side="right") - 1
    ok = idx >= 0
    inside = np.zeros(len(t), bool)
    inside[ok] = (t[ok] > starts[idx[ok]]) & (t[ok] < ends[idx[ok]])
    return inside
