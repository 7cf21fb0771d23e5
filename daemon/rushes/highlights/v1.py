"""V1, scene-based clips: shots, long ones split, short ones merged, merged down to a soft cap.

Merges always take the weakest boundary (lowest boundary score), so what survives are the
clean cuts; each clip is scored like a v2 clip without an anchor.
"""
from __future__ import annotations

from rushes.highlights.boundaries import Boundary, candidates
from rushes.highlights.config import HighlightConfig
from rushes.highlights.features import RawFeatures
from rushes.highlights.report import Decision, HighlightClip, Report, ScoreResult
from rushes.highlights.signals import compute
from rushes.highlights.timeline import MediaTimeline
from rushes.highlights.v2 import clip_quality


def score(raw: RawFeatures, tl: MediaTimeline, cfg: HighlightConfig) -> ScoreResult:
    sig = compute(raw, tl, cfg)
    report = Report(media_id=tl.media_id, mode="v1", settings=cfg.to_dict(), features=sig.summary())
    bounds = candidates(sig, tl, cfg)
    by_frame: dict[int, Boundary] = {b.frame: b for b in bounds}
    fps = float(tl.fps)
    end = tl.frame_count or int(round(sig.n * sig.step_s * fps))
    pieces = list(tl.shots) or [(0, end)]
    if not tl.shots:
        report.notes.append("no stored shots: the whole media is one scene")

    def strength(frame: int) -> float:
        b = by_frame.get(frame)
        return b.score if b is not None else 0.0

    split: list[tuple[int, int]] = []
    max_f = max(1, int(round(cfg.v1_max_s * fps)))
    for a, b in pieces:
        parts = max(1, -(-(b - a) // max_f))
        edges = [a + (b - a) * k // parts for k in range(parts + 1)]
        split.extend(zip(edges[:-1], edges[1:]))
        if parts > 1:
            report.notes.append(f"shot {a}-{b} split into {parts} parts (longer than {cfg.v1_max_s:g} s)")
    min_f = int(round(cfg.v1_min_s * fps))
    while len(split) > 1:
        short = [i for i, (a, b) in enumerate(split) if b - a < min_f]
        if not short:
            break
        i = short[0]
        left = strength(split[i][0]) if i > 0 else float("inf")
        right = strength(split[i][1]) if i + 1 < len(split) else float("inf")
        j = i - 1 if left <= right else i
        split[j:j + 2] = [(split[j][0], split[j + 1][1])]
    while len(split) > max(1, cfg.v1_soft_cap):
        options = [(strength(split[i][1]), i) for i in range(len(split) - 1)
                   if split[i + 1][1] - split[i][0] <= max_f]
        if not options:
            report.notes.append(f"{len(split)} clips stay above the soft cap: merging more would pass {cfg.v1_max_s:g} s")
            break
        _, i = min(options)
        split[i:i + 2] = [(split[i][0], split[i + 1][1])]
    clips = []
    for a, b in split:
        s, e = a / fps, b / fps
        q, comp = clip_quality(sig, cfg, s, e, None, strength(a), strength(b))
        clips.append(HighlightClip(tl.media_id, a, b, (a + b) // 2, round(q, 4), "scene", comp, "v1"))
    clips.sort(key=lambda c: (-c.score, c.start_frame))
    kept = clips[:cfg.target_count] if cfg.target_count else clips
    for c in clips:
        report.decisions.append(Decision(round(c.start_frame / fps, 3), round(c.end_frame / fps, 3), c.score,
                                         c in kept, "kept" if c in kept else f"beyond the target count ({cfg.target_count})"))
    return ScoreResult(kept, report)
