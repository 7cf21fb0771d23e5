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


def _inside(t: float, spans: list[tuple[float, float]]) -> bool:
    return any(a + SPEECH_MARGIN_S < t < b - SPEECH_MARGIN_S for a, b in spans)


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

    times = sig.times()
    n_around = max(1, int(round(AROUND_S / sig.step_s)))
    out = []
    for frame in sorted(points):
        cut, fade = points[frame]
        t = frame / fps
        i = int(min(sig.n - 1, max(0, np.searchsorted(times, t) - 1)))
        j = min(sig.n - 1, i + 1)
        lo, hi = max(0, i - n_around), min(sig.n, j + n_around + 1)
        lm = sig.lufs_momentary
        here_l = float(min(lm[i], lm[j]))
        around_l = float(np.mean(np.concatenate([lm[lo:i], lm[j + 1:hi]]))) if hi - lo > 2 else here_l
        dip = float(np.clip((around_l - here_l) / 10.0, 0.0, 1.0)) if sig.has_audio else 0.0
        valley = 0.0
        if sig.has_video:
            here_m = float(min(sig.motion[i], sig.motion[j]))
            top = float(np.max(sig.motion[lo:hi]))
            if top > cfg.still_motion:
                valley = float(np.clip(1.0 - here_m / top, 0.0, 1.0))
        score = min(1.0, cfg.w_cut * cut + cfg.w_dip * dip + cfg.w_fade * fade + cfg.w_valley * valley)
        out.append(Boundary(time_s=t, frame=frame, score=score, cut=cut, dip=dip, fade=fade, valley=valley,
                            in_speech=_inside(t, sig.speech_spans)))
    return out
