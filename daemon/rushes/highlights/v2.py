"""V2, highlight-aware clips (the default): anchors, snapped windows, a quality score, filters.

1. Anchors: excitement peaks (loudness x motion), loud moments with little motion (reactions,
   commentary), action sequences (high motion with clustered cuts); non-maximum suppression.
2. For each anchor the start and end are the best boundaries inside their search ranges
   (boundary scores minus a spacing penalty away from the target length); never inside speech.
3. Quality: excitement, boundary quality, anchor placement, minus dead time.
4. Post-filtering: boring clips, overlap with a better clip (IoU), near-duplicate pictures, the
   target count. Every choice is written to the report.
"""
from __future__ import annotations

import numpy as np

from rushes.highlights.boundaries import Boundary, candidates
from rushes.highlights.config import HighlightConfig
from rushes.highlights.features import THUMB_STEP_S, RawFeatures
from rushes.highlights.report import Anchor, Components, Decision, HighlightClip, Report, ScoreResult
from rushes.highlights.signals import Signals, compute
from rushes.highlights.timeline import MediaTimeline

E_HIGH = float(np.log1p(np.e)) ** 2     # excitement of a step one z above the median in both


def find_anchors(sig: Signals, tl: MediaTimeline, cfg: HighlightConfig) -> list[Anchor]:
    times = sig.times()
    raw: list[Anchor] = []
    for i in range(sig.n):
        zl, zm = float(sig.z_loud[i]), float(sig.z_motion[i])
        if sig.dead[i] >= 0.5:
            continue
        if sig.has_video and sig.has_audio and zl >= cfg.peak_z and zm >= cfg.peak_z:
            raw.append(Anchor(float(times[i]), float(sig.excitement[i]), "peak",
                              f"excitement peak: loud (z={zl:.1f}) and moving (z={zm:.1f})"))
        elif sig.has_video and sig.has_audio and zl >= cfg.reaction_loud_z and zm <= cfg.reaction_motion_z:
            raw.append(Anchor(float(times[i]), float(sig.excitement[i]), "reaction",
                              f"loud with little motion (reaction or commentary): loudness z={zl:.1f}, motion z={zm:.1f}"))
        elif not sig.has_video and zl >= cfg.peak_z:
            raw.append(Anchor(float(times[i]), float(sig.excitement[i]), "loud", f"loud moment (z={zl:.1f})"))
        elif not sig.has_audio and zm >= cfg.peak_z:
            raw.append(Anchor(float(times[i]), float(sig.excitement[i]), "motion", f"fast motion (z={zm:.1f})"))
    if sig.has_video and len(sig.cut_times):
        w = max(1, int(round(cfg.action_window_s / sig.step_s)))
        cut_times = np.sort(sig.cut_times)
        zsum = np.concatenate([[0.0], np.cumsum(sig.z_motion)])
        for i in range(0, max(0, sig.n - w + 1)):
            a, b = i * sig.step_s, (i + w) * sig.step_s
            cuts = int(np.searchsorted(cut_times, b, side="left") - np.searchsorted(cut_times, a, side="right"))
            if cuts < cfg.action_min_cuts:
                continue
            zm = float((zsum[i + w] - zsum[i]) / w)
            if zm >= cfg.action_motion_z:
                raw.append(Anchor((a + b) / 2, float(np.mean(sig.excitement[i:i + w])), "action",
                                  f"action sequence: {cuts} cuts in {cfg.action_window_s:g} s, motion z={zm:.1f}",
                                  start_s=a, end_s=b))
    kept: list[Anchor] = []
    for anchor in sorted(raw, key=lambda x: (-x.score, x.time_s)):
        if all(abs(anchor.time_s - k.time_s) >= cfg.nms_s for k in kept):
            kept.append(anchor)
        if len(kept) >= cfg.max_anchors:
            break
    return kept


def _pick(bounds: list[Boundary], lo: float, hi: float, extend: float) -> tuple[list[Boundary], bool]:
    inside = [b for b in bounds if lo - 1e-9 <= b.time_s <= hi + 1e-9]
    ok = [b for b in inside if not b.in_speech]
    if ok:
        return ok, False
    wider = [b for b in bounds if lo - extend - 1e-9 <= b.time_s <= hi + extend + 1e-9 and not b.in_speech]
    return wider, True


def clip_quality(sig: Signals, cfg: HighlightConfig, s: float, e: float, anchor_s: float | None,
                 bstart: float, bend: float) -> tuple[float, Components]:
    i0 = max(0, int(s / sig.step_s))
    i1 = max(i0 + 1, min(sig.n, int(np.ceil(e / sig.step_s))))
    mean_e = float(np.mean(sig.excitement[i0:i1]))
    excitement = mean_e / (mean_e + E_HIGH)
    boundary = (bstart + bend) / 2.0
    placement = 0.0
    if anchor_s is not None and e > s:
        rel = (anchor_s - s) / (e - s)
        placement = 1.0 if 1 / 3 <= rel <= 2 / 3 else float(np.clip(1.0 - (abs(rel - 0.5) - 1 / 6) * 3.0, 0.0, 1.0))
    dead = float(np.mean(sig.dead[i0:i1]))
    weights = cfg.w_excitement + cfg.w_boundary + (cfg.w_anchor if anchor_s is not None else 0.0)
    raw = cfg.w_excitement * excitement + cfg.w_boundary * boundary
    if anchor_s is not None:
        raw += cfg.w_anchor * placement
    score = float(np.clip((raw - cfg.w_dead * dead) / max(weights, 1e-9), 0.0, 1.0))
    return score, Components(round(excitement, 4), round(boundary, 4), round(placement, 4), round(dead, 4))


def _dead_share(sig: Signals, dead_sum: np.ndarray, s: float, e: float) -> float:
    """Share of [s, e) that is dead time, from the prefix sums of the per-step dead fraction."""
    i0 = min(sig.n - 1, max(0, int(round(s / sig.step_s))))
    i1 = max(i0 + 1, min(sig.n, int(round(e / sig.step_s))))
    return float((dead_sum[i1] - dead_sum[i0]) / (i1 - i0))


def _thumb_at(raw: RawFeatures, t: float) -> np.ndarray | None:
    if len(raw.thumbs) == 0:
        return None
    return raw.thumbs[min(len(raw.thumbs) - 1, int(t / THUMB_STEP_S))].astype(np.float32)


def filter_clips(cands: list[tuple[HighlightClip, float, float, float | None]], raw: RawFeatures,
                 cfg: HighlightConfig, report: Report) -> list[HighlightClip]:
    kept: list[tuple[HighlightClip, float, float]] = []
    for clip, s, e, anchor in sorted(cands, key=lambda c: (-c[0].score, c[1])):
        why = ""
        if clip.score < cfg.min_score:
            why = f"boring: score {clip.score:.2f} < {cfg.min_score:g}"
        elif clip.components.excitement < cfg.min_excitement:
            why = f"boring: excitement {clip.components.excitement:.2f} < {cfg.min_excitement:g}"
        else:
            for k, ks, ke in kept:
                inter = max(0.0, min(e, ke) - max(s, ks))
                union = max(e, ke) - min(s, ks)
                if union > 0 and inter / union > cfg.max_iou:
                    why = f"overlaps kept clip {k.id} (IoU {inter / union:.2f} > {cfg.max_iou:g})"
                    break
            if not why:
                mine = _thumb_at(raw, (s + e) / 2)
                for k, ks, ke in kept:
                    theirs = _thumb_at(raw, (ks + ke) / 2)
                    if mine is not None and theirs is not None:
                        diff = float(np.abs(mine - theirs).mean())
                        if diff < cfg.duplicate_diff:
                            why = f"near-duplicate of kept clip {k.id} (picture difference {diff:.1f} < {cfg.duplicate_diff:g})"
                            break
            if not why and len(kept) >= cfg.target_count:
                why = f"beyond the target count ({cfg.target_count})"
        report.decisions.append(Decision(round(s, 3), round(e, 3), round(clip.score, 4), not why, why or "kept", anchor))
        if not why:
            kept.append((clip, s, e))
    return [k for k, _, _ in kept]


def score(raw: RawFeatures, tl: MediaTimeline, cfg: HighlightConfig) -> ScoreResult:
    sig = compute(raw, tl, cfg)
    report = Report(media_id=tl.media_id, mode="v2", settings=cfg.to_dict(), features=sig.summary())
    if raw.speech_model:
        report.notes.append(f"speech not measured: {raw.speech_model}")
    bounds = candidates(sig, tl, cfg)
    report.boundaries = [b.as_dict() for b in bounds]
    anchors = find_anchors(sig, tl, cfg)
    report.anchors = anchors
    fps = float(tl.fps)
    duration = sig.n * sig.step_s
    if tl.frame_count:
        duration = min(duration, tl.frame_count / fps)
    dead_sum = np.concatenate([[0.0], np.cumsum(sig.dead)])
    cands = []
    anchors = [a if a.time_s <= duration else Anchor(duration, a.score, a.kind, a.reason, a.start_s, a.end_s)
               for a in anchors]
    report.anchors = anchors
    for anchor in anchors:
        lo_a = anchor.start_s if anchor.start_s is not None else anchor.time_s
        hi_a = anchor.end_s if anchor.end_s is not None else anchor.time_s
        starts, s_ext = _pick(bounds, max(0.0, lo_a - cfg.pre_max_s), max(0.0, lo_a - cfg.pre_min_s), cfg.speech_extend_s)
        ends, e_ext = _pick(bounds, min(duration, hi_a + cfg.post_min_s), min(duration, hi_a + cfg.post_max_s),
                            cfg.speech_extend_s)
        best = None
        tried = []
        for bs in starts:
            for be in ends:
                length = be.time_s - bs.time_s
                if length < cfg.min_s - 1e-9 or length > cfg.max_s + 1e-9:
                    continue
                value = (bs.score + be.score - cfg.w_spacing * abs(length - cfg.target_s) / cfg.target_s
                         - cfg.w_window_dead * _dead_share(sig, dead_sum, bs.time_s, be.time_s))
                tried.append((value, bs, be))
                if best is None or value > best[0] + 1e-12:
                    best = (value, bs, be)
        tried.sort(key=lambda x: -x[0])
        report.windows.append({
            "anchor_s": round(anchor.time_s, 3), "kind": anchor.kind, "start_candidates": len(starts),
            "end_candidates": len(ends), "widened_for_speech": s_ext or e_ext,
            "best": [{"start_s": round(b.time_s, 3), "end_s": round(c.time_s, 3), "value": round(v, 3)}
                     for v, b, c in tried[:3]]})
        if best is None:
            report.decisions.append(Decision(round(lo_a, 3), round(hi_a, 3), 0.0, False,
                                             "no start and end outside speech within the search ranges", anchor.time_s))
            continue
        _, bs, be = best
        q, comp = clip_quality(sig, cfg, bs.time_s, be.time_s, anchor.time_s, bs.score, be.score)
        clip = HighlightClip(tl.media_id, bs.frame, be.frame, int(round(anchor.time_s * fps)), round(q, 4),
                             anchor.reason, comp, "v2")
        cands.append((clip, bs.time_s, be.time_s, anchor.time_s))
    clips = filter_clips(cands, raw, cfg, report)
    return ScoreResult(clips, report)
