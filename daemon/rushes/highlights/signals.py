"""Per-step signals from the stored raw features and the shot timeline (all in seconds/steps).

Loudness and motion are z-scored against the media itself (median and MAD, so one explosion
does not flatten the rest), because "exciting" is relative to the footage around it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rushes.audio.loudness import BlockSeries
from rushes.audio.vad import speech_segments
from rushes.highlights.config import HighlightConfig
from rushes.highlights.features import RawFeatures
from rushes.highlights.timeline import MediaTimeline


MOMENTARY_S = 0.4        # BS.1770 momentary loudness window


@dataclass
class Signals:
    step_s: float
    n: int
    lufs: np.ndarray          # short-term loudness (window centred on the step): excitement
    lufs_momentary: np.ndarray  # momentary loudness (400 ms, centred): silence and dips, which must be sharp
    rms_db: np.ndarray        # dBFS of the step
    motion: np.ndarray        # mean grey change per frame in the step (cut frames discounted)
    z_loud: np.ndarray
    z_motion: np.ndarray
    excitement: np.ndarray    # smoothed softplus(z_loud) * softplus(z_motion)
    speech: np.ndarray        # fraction of the step the VAD calls speech
    silent: np.ndarray        # bool
    dead: np.ndarray          # fraction of the step that is dead time (silent and still, black, freeze)
    cut_times: np.ndarray     # seconds of every cut / transition end
    cut_strength: np.ndarray  # its confidence
    speech_spans: list[tuple[float, float]]
    has_video: bool
    has_audio: bool

    def times(self) -> np.ndarray:
        return (np.arange(self.n) + 0.5) * self.step_s

    def summary(self) -> dict:
        def stats(x: np.ndarray) -> dict:
            if len(x) == 0:
                return {}
            return {"min": round(float(x.min()), 3), "median": round(float(np.median(x)), 3),
                    "max": round(float(x.max()), 3)}
        return {"steps": self.n, "step_s": self.step_s, "duration_s": round(self.n * self.step_s, 3),
                "has_video": self.has_video, "has_audio": self.has_audio,
                "loudness_lufs": stats(self.lufs), "rms_dbfs": stats(self.rms_db), "motion": stats(self.motion),
                "excitement": stats(self.excitement), "cuts": int(len(self.cut_times)),
                "speech_s": round(float(sum(b - a for a, b in self.speech_spans)), 2),
                "silent_s": round(float(self.silent.sum() * self.step_s), 2),
                "dead_s": round(float(self.dead.sum() * self.step_s), 2)}


def robust_z(x: np.ndarray) -> np.ndarray:
    if len(x) == 0:
        return x.astype(np.float64)
    med = float(np.median(x))
    mad = float(np.median(np.abs(x - med))) * 1.4826
    spread = max(mad, float(np.std(x)) * 0.5, 1e-6)
    return (x - med) / spread


def softplus(x: np.ndarray) -> np.ndarray:
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


def moving_mean(x: np.ndarray, n: int) -> np.ndarray:
    if n <= 1 or len(x) == 0:
        return x.astype(np.float64)
    c = np.concatenate([[0.0], np.cumsum(x, dtype=np.float64)])
    i = np.arange(len(x))
    lo, hi = np.clip(i - n // 2, 0, len(x)), np.clip(i - n // 2 + n, 0, len(x))
    return (c[hi] - c[lo]) / np.maximum(hi - lo, 1)


def _per_step(values: np.ndarray, value_s: float, step_s: float, n: int, fill: float) -> np.ndarray:
    """Mean of a finer series over each step (steps past the series' end get `fill`)."""
    out = np.full(n, fill, np.float64)
    if len(values) == 0:
        return out
    idx = np.minimum((np.arange(len(values)) * value_s / step_s).astype(np.int64), n - 1)
    sums = np.bincount(idx, weights=values.astype(np.float64), minlength=n)
    counts = np.bincount(idx, minlength=n)
    ok = counts > 0
    out[ok] = sums[ok] / counts[ok]
    return out


def compute(raw: RawFeatures, tl: MediaTimeline, cfg: HighlightConfig) -> Signals:
    step = cfg.step_s
    fps = float(tl.fps) if tl.fps else raw.fps
    duration = max(raw.duration_s, tl.frame_count / fps if fps else 0.0)
    n = max(1, int(np.ceil(duration / step - 1e-9)))

    cut_frames = [c.frame for c in tl.cuts]
    cut_times = np.array([f / fps for f in cut_frames], np.float64)
    cut_strength = np.array([c.confidence for c in tl.cuts], np.float64)

    # motion per frame, with the frames at a cut (one picture to the next shot) replaced by the
    # median of the shot, so a cut is a boundary, not "motion"
    motion_f = raw.motion.astype(np.float64).copy()
    for c in tl.cuts:
        lo, hi = max(0, c.start), min(len(motion_f), max(c.end, c.frame + 1))
        if lo < hi:
            around = np.concatenate([motion_f[max(0, lo - 12):lo], motion_f[hi:hi + 12]])
            motion_f[lo:hi] = float(np.median(around)) if len(around) else 0.0
    motion = _per_step(motion_f, 1.0 / fps if fps else 0.04, step, n, 0.0)

    if raw.has_audio and len(raw.power):
        blocks = BlockSeries(raw.power, raw.mean_square, raw.block_s)
        st = blocks.short_term_lufs(cfg.loudness_window_s, centred=True)
        centre_block = np.minimum(((np.arange(n) + 0.5) * step / raw.block_s).astype(np.int64), len(st) - 1)
        lufs = st[centre_block]
        lufs_m = _per_step(blocks.short_term_lufs(MOMENTARY_S, centred=True), raw.block_s, step, n, -70.0)
        ms = _per_step(raw.mean_square, raw.block_s, step, n, 0.0)
        with np.errstate(divide="ignore"):
            rms_db = np.maximum(10.0 * np.log10(np.maximum(ms, 1e-12)), -120.0)
    else:
        lufs = np.full(n, -70.0)
        lufs_m = np.full(n, -70.0)
        rms_db = np.full(n, -120.0)

    speech_spans: list[tuple[float, float]] = []
    speech = np.zeros(n)
    if len(raw.vad):
        segs = speech_segments(raw.vad, threshold=cfg.speech_threshold)
        speech_spans = [(s.start_s, s.end_s) for s in segs]
        mask = np.zeros(len(raw.vad))
        for a, b in speech_spans:
            mask[int(a / raw.vad_chunk_s):int(np.ceil(b / raw.vad_chunk_s))] = 1.0
        speech = _per_step(mask, raw.vad_chunk_s, step, n, 0.0)

    z_loud = robust_z(lufs) if raw.has_audio else np.zeros(n)
    z_motion = robust_z(np.log1p(motion)) if raw.has_video else np.zeros(n)
    silent = lufs_m < cfg.silence_lufs
    still = motion < cfg.still_motion if raw.has_video else np.ones(n, bool)
    dead = (silent & still).astype(np.float64)
    for span in tl.spans:
        if span.kind == "freeze" and raw.has_audio:
            continue                 # a still picture with sound is "still", judged with the audio above
        a, b = span.start / fps / step, span.end / fps / step
        i0, i1 = int(np.floor(a)), int(np.ceil(b))
        for i in range(max(0, i0), min(n, i1)):
            overlap = min(b, i + 1) - max(a, i)
            dead[i] = max(dead[i], min(1.0, overlap))
    loud_term = softplus(z_loud) if raw.has_audio else np.ones(n)
    motion_term = softplus(z_motion) if raw.has_video else np.full(n, float(np.log(2.0)))
    excitement = moving_mean(loud_term * motion_term * (1.0 - dead), max(1, int(round(cfg.smooth_s / step))))
    return Signals(step_s=step, n=n, lufs=lufs, lufs_momentary=lufs_m, rms_db=rms_db, motion=motion, z_loud=z_loud, z_motion=z_motion,
                   excitement=excitement, speech=speech, silent=silent, dead=dead, cut_times=cut_times,
                   cut_strength=cut_strength, speech_spans=speech_spans, has_video=raw.has_video,
                   has_audio=raw.has_audio)
