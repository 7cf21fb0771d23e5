"""The shot analyser: a frame consumer that turns the one decode pass into shots.

It gathers features for every frame, and every CHUNK frames runs the detectors over the new
stretch (with context on both sides) so that the referee can judge unsure candidates while
their pictures are still in the ring buffer; nothing but features outlives the stretch, so
memory stays flat however long the file. `result()` merges the candidates into transitions,
shots that cover every frame, keyframes and black/freeze segments.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from rushes.decode.decode import DecodedFrame, DecodeInfo
from rushes.shots.detectors import DissolveDetector, FadeDetector, HardCutDetector, WipeDetector
from rushes.shots.detectors.base import setting
from rushes.shots import referee
from rushes.shots.features import FeatureCollector, Features
from rushes.shots.keyframes import choose_keyframes
from rushes.shots.referee import RefereeQueue
from rushes.shots.segments import find_segments
from rushes.shots.types import Candidate, Segment, Shot, ShotAnalysis, Transition
from rushes.settings import Settings

log = logging.getLogger(__name__)

MODES = ("off", "auto", "full")
CHUNK = 512            # frames per detection stretch
CONTEXT = 96           # frames of context either side of a stretch
REF_CONTEXT = 12       # frames of real context the referee sees either side of a candidate
RING = CHUNK + 2 * CONTEXT + 2 * REF_CONTEXT + 64

VERSION = "shots-1"


@dataclass
class Judged:
    cand: Candidate
    accepted: bool
    confidence: float
    referee: float | None = None
    start: int | None = None     # refined extent (positions)
    end: int | None = None


class ShotAnalyser:
    """FrameConsumer; `model` is off | auto | full (see module referee)."""

    def __init__(self, settings: Settings | None = None, model: str = "auto", threads: int = 2) -> None:
        if model not in MODES:
            raise ValueError(f"shots model must be one of {', '.join(MODES)}, not {model!r}")
        self.settings = settings
        self.model = model
        self.threads = threads
        self.collector = FeatureCollector(ring=RING if model != "off" else 0)
        # cuts and dissolves run per stretch (the referee needs the ring buffer); fades need no
        # referee and may span long black runs, so they run once over the whole file at the end
        self.detectors = [HardCutDetector(settings), DissolveDetector(settings), WipeDetector(settings)]
        self.fades = FadeDetector(settings)
        self.referee_cut = setting(settings, "shots_referee_cut", 0.35)
        self.referee_gradual = setting(settings, "shots_referee_gradual", 0.40)
        # without a referee (off, or the model missing) an unsure candidate needs this score
        self.off_accept_cut = setting(settings, "shots_accept_unsure_cut", 0.9)
        self.off_accept_gradual = setting(settings, "shots_accept_unsure_gradual", 0.75)
        # auto: unsure candidates are judged on worker threads beside the decode, and the
        # verdicts collected at the end; a file without an unsure window never loads the model
        self.queue: RefereeQueue | None = None
        self._pending: list[tuple[Candidate, int]] = []
        self._window_start: dict[tuple[int, int], int] = {}
        self._referee_problem: str | None = None
        self.done = 0
        self.judged: list[Judged] = []
        self.extra: list[Candidate] = []      # full mode: what only the model saw
        self.referee_frames = 0
        self.referee_seconds = 0.0

    # -------------------------------------------------------------- FrameConsumer
    def consume(self, frame: DecodedFrame) -> None:
        self.collector.consume(frame)
        n = len(self.collector)
        if n - self.done >= CHUNK + CONTEXT:
            self._process(n - CONTEXT, final=False)

    def finish(self) -> None:
        self.collector.flush()
        self._process(len(self.collector), final=True)
        t0 = time.perf_counter()
        try:
            for c, n in self._pending:
                self.judged.append(self._judge(c, n, None, 0))
        finally:
            self.close()
            self.referee_seconds += time.perf_counter() - t0

    def close(self) -> None:
        """Stop the referee's workers (also when the pass ends early: cancelled or broken file)."""
        self._pending = []
        if self.queue is not None:
            self.referee_frames += self.queue.frames
            self.queue.close()
            self.queue = None

    # -------------------------------------------------------------- per stretch
    def _process(self, upto: int, final: bool) -> None:
        lo, hi = self.done, upto
        if hi <= lo and not final:
            return
        f = self.collector.features()
        n = len(f)
        a, b = max(0, lo - CONTEXT), n if final else min(n, hi + CONTEXT)
        part = _slice(f, a, b)
        cands: list[Candidate] = []
        # fades are decided at the end, but their frames must not cost referee time now
        fade_spans = [(c.start + a, c.end + a) for c in self.fades.detect(part)]
        for det in self.detectors:
            for c in det.detect(part):
                c.start += a
                c.end += a
                if any(fs - 1 <= c.start and c.end <= fe + 1 for fs, fe in fade_spans):
                    continue
                if lo <= c.start < (n if final else hi):
                    cands.append(c)
        # a gradual candidate around a sure cut is that cut seen at a larger scale; not a wipe,
        # whose per-cell fit has already ruled out one frame carrying the change (a fast wipe's
        # biggest step can pass for a cut, and _resolve lets the wipe win)
        sure_cuts = [c.start for c in cands if c.type == "cut" and c.sure]
        cands = [c for c in cands if c.type in ("cut", "wipe") or not any(c.start - 1 <= x <= c.end + 1 for x in sure_cuts)]
        full_pred = None
        if self.model == "full" and hi > lo:
            full_pred = self._referee_range(max(0, lo - REF_CONTEXT), min(n, hi + REF_CONTEXT), n)
        for c in cands:
            if self.model == "auto" and not c.sure:
                self._submit(c, n)              # judged in finish(), once the verdict is in
                self._pending.append((c, n))
            else:
                self.judged.append(self._judge(c, n, full_pred, lo))
        if full_pred is not None:
            self._model_only(full_pred, lo, hi, cands)
        self.done = max(self.done, hi if not final else n)

    def _ring_frames(self, s: int, e: int, n: int) -> tuple[int, np.ndarray] | None:
        """(first position, the referee's pictures) of [s, e) as far as the ring still holds it."""
        ring = self.collector.ring
        if ring is None:
            return None
        first = n - len(ring)
        s = max(s, first)
        if e <= s:
            return None
        return s, np.stack([referee.small_picture(ring[p - first]) for p in range(s, e)])

    def _window(self, c: Candidate, n: int) -> tuple[int, int]:
        return max(0, c.start - REF_CONTEXT), min(n, c.end + REF_CONTEXT)

    def _submit(self, c: Candidate, n: int) -> None:
        """Queue the referee window around `c` while its pictures are still in the ring."""
        key = self._window(c, n)
        if self._referee_problem or (self.queue is not None and self.queue.has(key)):
            return
        got = self._ring_frames(key[0], key[1], n)
        if got is None:
            return
        if self.queue is None:
            self.queue = RefereeQueue(self.settings, self.threads)
        self._window_start[key], frames = got
        self.queue.submit(key, frames)

    def _referee_range(self, s: int, e: int, n: int) -> tuple[int, np.ndarray, np.ndarray] | None:
        if self._referee_problem:
            return None
        try:
            if self.queue is not None and self.queue.has((s, e)):
                single, many = self.queue.result((s, e))
                return self._window_start[(s, e)], single, many
            got = self._ring_frames(s, e, n)
            if got is None:
                return None
            s, frames = got
            t0 = time.perf_counter()
            single, many = referee.predict_window(frames, self.threads, self.settings)   # long ones in 100s
            self.referee_seconds += time.perf_counter() - t0
            self.referee_frames += len(frames)
            return s, single, many
        except referee.RefereeUnavailable as exc:
            # judged like off mode rather than failing the whole analysis; said once
            self._referee_problem = str(exc)
            log.warning("shot referee unavailable, unsure candidates judged without it: %s", exc)
            return None

    def _judge(self, c: Candidate, n: int, full_pred, lo: int) -> Judged:
        needs = not c.sure
        if self.model == "off" or not needs and self.model == "auto":
            ok = c.sure or c.score >= self._off_accept(c)
            return Judged(c, ok, c.score if c.sure else c.score * 0.8)
        pred = full_pred
        if pred is None or not (pred[0] <= c.start - 2 and c.end + 2 <= pred[0] + len(pred[1])):
            pred = self._referee_range(*self._window(c, n), n)
        if pred is None:
            ok = c.sure or c.score >= self._off_accept(c)
            return Judged(c, ok, c.score)
        s0, single, many = pred
        if c.type == "cut":
            # the model marks the last frame before the cut
            w = single[max(0, c.start - 2 - s0): max(0, c.start + 1 - s0)]
            r = float(w.max()) if len(w) else 0.0
            ok = r >= self.referee_cut or (c.sure and r >= 0.05)
            return Judged(c, ok, max(r, c.score) if ok else r, r)
        ws, we = max(0, c.start - 2 - s0), max(0, c.end + 2 - s0)
        # TransNetV2 scores fades and wipes as transitions in its all-frames head too
        r = float(max(single[ws:we].max(initial=0.0), 0.9 * many[ws:we].max(initial=0.0) if c.type in ("fade_through_black", "fade_in", "fade_out", "wipe") else 0.0))
        # TransNetV2 learnt few wipes: it scored 0.03-0.19 on 10 of 128 xfade wipes of real
        # footage that the wipe detector found, so against a strong wipe its veto does not count
        ok = (r >= self.referee_gradual or (c.sure and c.type != "dissolve")
              or (c.type == "wipe" and c.score >= self.off_accept_gradual))
        start, end = c.start, c.end
        inside = np.flatnonzero(many[ws:we] >= 0.5)
        if c.type == "dissolve" and ok and len(inside) >= 2:
            start, end = s0 + ws + int(inside[0]), s0 + ws + int(inside[-1]) + 1
        return Judged(c, ok, max(r, 0.5 * c.score) if ok else r, r, start, end)

    def _off_accept(self, c: Candidate) -> float:
        return self.off_accept_cut if c.type == "cut" else self.off_accept_gradual

    def _model_only(self, pred, lo: int, hi: int, cands: list[Candidate]) -> None:
        """Full mode: transitions the model sees that no fast detector proposed."""
        s0, single, many = pred
        thr = 0.5
        above = single >= thr
        p = 0
        while p < len(above):
            if not above[p]:
                p += 1
                continue
            q = p
            while q + 1 < len(above) and above[q + 1]:
                q += 1
            pos = s0 + p
            if lo <= pos < hi:
                m_in = np.flatnonzero(many[max(0, p - 30): q + 30] >= 0.5)
                span = (s0 + max(0, p - 30) + int(m_in[0]), s0 + max(0, p - 30) + int(m_in[-1]) + 1) if len(m_in) else (pos, s0 + q + 1)
                if not any(c.start - 3 <= s0 + q + 1 and span[0] <= c.end + 3 for c in cands):
                    conf = float(single[p: q + 1].max())
                    if span[1] - span[0] <= 3:
                        c = Candidate("cut", s0 + q + 1, s0 + q + 2, conf, True, "model")
                    else:
                        c = Candidate("dissolve", span[0], span[1], conf, True, "model")
                    self.judged.append(Judged(c, True, conf, conf))
            p = q + 1

    # -------------------------------------------------------------- result
    def result(self, info: DecodeInfo | None = None, fps: Fraction | None = None) -> ShotAnalysis:
        f = self.collector.features()
        n = len(f)
        idx = f.index
        frame_count = int(idx[-1]) + 1 if n else 0
        if info is not None:
            frame_count = max(frame_count, info.frame_count)
            fps = info.fps
        fps = fps or Fraction(25)
        fades = [Judged(c, True, c.score) for c in self.fades.detect(f)]
        kept = _resolve(fades + [j for j in self.judged if j.accepted], n)

        def to_frame(p: int) -> int:
            return int(idx[p]) if p < n else frame_count

        transitions = []
        for j in kept:
            c = j.cand
            s, e = (j.start, j.end) if j.start is not None else (c.start, c.end)
            if c.type == "cut":
                transitions.append(Transition("cut", to_frame(s), to_frame(s) + 1, j.confidence, c.detector))
            else:
                transitions.append(Transition(c.type, to_frame(s), to_frame(e), j.confidence, c.detector))
        transitions.sort(key=lambda t: t.start)
        # shot boundaries: cut frames and gradual starts (a gradual belongs to the shot it leads into)
        bounds_pos = sorted({(j.start if j.start is not None else j.cand.start) for j in kept
                             if j.cand.type not in ("fade_in", "fade_out")} - {0})
        starts = [0] + bounds_pos
        ends = bounds_pos + [n]
        adj = np.zeros(n, np.float32)
        if n > 1:
            p = np.arange(1, n)
            adj[1:] = f.sig_dist(p - 1, p)
        in_transition = np.zeros(n, bool)
        for j in kept:
            s, e = (j.start, j.end) if j.start is not None else (j.cand.start, j.cand.end)
            if j.cand.type != "cut":
                in_transition[s:e] = True
        shots = []
        for i, (s, e) in enumerate(zip(starts, ends)):
            if e <= s:
                continue
            sel = np.arange(s + 1, e)
            sel = sel[~in_transition[sel]] if len(sel) else sel
            motion = _robust_motion(adj[sel])
            shot = Shot(len(shots), to_frame(s), to_frame(e), motion)
            shot.keyframes = [(to_frame(p), role) for p, role in choose_keyframes(f, adj, in_transition, s, e, motion, self.settings)]
            shots.append(shot)
        segments = [Segment(k, to_frame(s), to_frame(e)) for k, s, e in find_segments(f, adj, float(fps), self.settings)]
        return ShotAnalysis(
            fps=fps, frame_count=frame_count, shots=shots, transitions=transitions, segments=segments,
            width=info.width if info else 0, height=info.height if info else 0,
            rotation=info.rotation if info else 0, referee_frames=self.referee_frames, model=self.model)


def _robust_motion(changes: np.ndarray) -> float:
    """Mean frame-to-frame change without the largest tenth (a flash is not camera motion)."""
    if len(changes) == 0:
        return 0.0
    keep = np.sort(changes)[: max(1, int(np.ceil(len(changes) * 0.9)))]
    return float(keep.mean())


def _slice(f: Features, a: int, b: int) -> Features:
    return Features(f.index[a:b], f.sig[a:b], f.dark[a:b], f.luma[a:b])


# a wipe beats a cut or dissolve on its span: its per-cell fit is the more specific finding
_PRIORITY = {"fade_in": 0, "fade_out": 0, "fade_through_black": 0, "wipe": 0.5, "cut": 1, "dissolve": 2}


def _resolve(accepted: list[Judged], n: int) -> list[Judged]:
    """Drop overlaps: fades beat wipes beat cuts beat dissolves; inside a kind the more confident wins."""
    def span(j: Judged) -> tuple[int, int]:
        s, e = (j.start, j.end) if j.start is not None else (j.cand.start, j.cand.end)
        return (s - 1, e + 1) if j.cand.type == "cut" else (s, e)

    order = sorted(accepted, key=lambda j: (_PRIORITY.get(j.cand.type, 3), -j.confidence))
    kept: list[Judged] = []
    for j in order:
        s, e = span(j)
        if any(s < ke and ks < e for ks, ke in (span(k) for k in kept)):
            continue
        kept.append(j)
    kept.sort(key=lambda j: j.cand.start)
    return kept
