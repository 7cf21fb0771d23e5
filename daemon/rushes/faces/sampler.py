"""The faces frame consumer of the one decode pass.

It asks the decoder for a full-resolution frame every `full_stride` frames (`faces_sample_s`
seconds, default 1 s; not only keyframes, so a character who turns to camera mid-shot is
found), and analyses each in a worker thread while decoding goes on: dlib releases the GIL, so on
two cores detection overlaps with decoding and shot detection instead of adding to them. The
queue holds at most two frames, so memory stays flat on a two-hour file and the decoder simply
waits when faces fall behind. Only the small results are kept (box, landmarks, descriptor,
quality; ~700 bytes a face), never frames.

Not every sample needs the full, fine scan. A fine scan (faces down to `faces_min_face`) runs on
the first sample, whenever the picture changed a lot since the last fine scan (a colour
histogram of the small frame moved by more than CHANGE_L1: a cut, a big camera move), and at
least every `faces_fine_every_s` seconds (a small face walking into a steady shot); in between a
coarse scan (half scale, a quarter of the pixels) finds the larger faces, and a fine scan of a
small window around each face of the previous sample keeps following the small ones. On bbb.mp4
this halves the detection cost; `faces_fine_every_s = 0` makes every sample a fine scan.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rushes.faces.engine import FaceEngine, FaceObservation

_STOP = object()
#: L1 distance (0..2) between 4x4x4 colour histograms of two small frames above which the
#: picture is considered new (a cut lands around 0.6-1.5, motion inside a shot well below 0.4).
CHANGE_L1 = 0.4
#: Seconds the worker waits for a frame before leaving (consume() starts a new one if needed).
IDLE_S = 30.0


def colour_histogram(image: np.ndarray) -> np.ndarray:
    """Normalised 64-bin joint RGB histogram of a (small) frame; subsampled to ~100x60 pixels."""
    step = max(1, image.shape[1] // 100)
    px = np.asarray(image[::step, ::step, :3], dtype=np.uint8).reshape(-1, 3) >> 6
    codes = (px[:, 0].astype(np.int32) << 4) | (px[:, 1].astype(np.int32) << 2) | px[:, 2]
    hist = np.bincount(codes, minlength=64).astype(np.float32)
    return hist / max(1.0, float(hist.sum()))


@dataclass
class FaceSample:
    """A face seen on one sampled frame (frame index on the media's own rate)."""

    frame: int
    face: FaceObservation


@dataclass
class SampleSet:
    """Everything the sampler learnt about one media: which frames it looked at and what it saw."""

    stride: int
    frames: list[int] = field(default_factory=list)        # every sampled frame, faces or not
    samples: list[FaceSample] = field(default_factory=list)
    frame_size: tuple[int, int] | None = None              # (width, height) of full frames
    fine_frames: list[int] = field(default_factory=list)   # samples that got the full fine scan
    busy_s: float = 0.0                                     # worker wall time spent analysing
    cpu_s: float = 0.0                                      # worker CPU time (its own thread)


def stride_for(fps: float, sample_s: float) -> int:
    """Frames between samples: sample_s seconds on the media's rate, at least 1."""
    if not fps or fps <= 0:
        fps = 25.0
    return max(1, int(round(fps * sample_s)))


class FaceSampler:
    """FrameConsumer: analyses full frames at `full_stride`; `result()` after `finish()`."""

    def __init__(self, engine: FaceEngine, stride: int, *, media_id: int | None = None, depth: int = 2,
                 fine_every: int = 0) -> None:
        """`fine_every`: frames between forced fine scans (0: every sample is a fine scan)."""
        self.engine = engine
        self.full_stride = int(stride)
        self.fine_every = max(0, int(fine_every))
        self._last_fine: tuple[int, np.ndarray] | None = None
        self._previous: list[Any] = []
        self._grace_used = False
        self._described: list[Any] = []
        self.media_id = media_id
        self._set = SampleSet(stride=self.full_stride)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, depth))
        self._error: BaseException | None = None
        self._finished = False
        # The worker starts with the first sampled frame and leaves after IDLE_S without work, so
        # a decode pass that dies half-way (its job fails, finish() is never called) strands no
        # thread; `_lock` makes "queue empty -> worker leaves" and "start worker -> put" atomic.
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    # FrameConsumer protocol -----------------------------------------------------------
    def consume(self, frame: Any) -> None:
        if self._error is not None:
            raise self._error
        full = getattr(frame, "full", None)
        if full is None or frame.index % self.full_stride:
            return
        if self._finished:
            raise RuntimeError("FaceSampler.consume() after finish()")
        low = getattr(frame, "low", None)
        hist = colour_histogram(low if low is not None else full)
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="rushes-faces", daemon=True)
                self._worker.start()
            self._queue.put((int(frame.index), full, hist))

    def finish(self) -> None:
        """Wait for the worker to drain the queue; re-raise anything it hit."""
        if not self._finished:
            self._finished = True
            self._stop_worker()
        if self._error is not None:
            raise self._error

    def _stop_worker(self) -> None:
        with self._lock:
            worker = self._worker
            if worker is not None and worker.is_alive():
                self._queue.put(_STOP)
        if worker is not None:
            worker.join()

    # ----------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the worker without waiting for queued frames (cancelled jobs)."""
        if self._finished:
            return
        self._finished = True
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        self._stop_worker()

    def result(self) -> SampleSet:
        if not self._finished:
            raise RuntimeError("FaceSampler.result() called before finish()")
        return self._set

    def _wants_fine(self, index: int, hist: np.ndarray) -> bool:
        if self.fine_every <= 0 or self._last_fine is None:
            return True
        last_index, last_hist = self._last_fine
        if index - last_index >= self.fine_every or index < last_index:
            return True
        return float(np.abs(hist - last_hist).sum()) > CHANGE_L1

    def _work(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        return
                continue
            if item is _STOP:
                return
            if self._error is not None:
                continue
            index, full, hist = item
            try:
                started = time.perf_counter()
                cpu0 = time.thread_time()
                image = np.asarray(full)
                if self._set.frame_size is None:
                    self._set.frame_size = (int(image.shape[1]), int(image.shape[0]))
                fine = self._wants_fine(index, hist)
                if fine:
                    self._last_fine = (index, hist)
                    self._set.fine_frames.append(index)
                # Descriptors carry over only from freshly described faces, so every face is
                # described at least every other sample, and never across a (fine-scan) cut.
                known = [] if fine else [(f.box, f.descriptor) for f in self._described]
                faces = self.engine.analyse(image, fine=fine, rois=self._previous, known=known)
                self._described = [f for f in faces if f.described]
                # Windows for the next sample: these faces, or (one sample's grace) the last ones seen.
                self._previous = [f.box for f in faces] or (self._previous if not self._grace_used else [])
                self._grace_used = not faces
                self._set.frames.append(index)
                self._set.samples.extend(FaceSample(index, f) for f in faces)
                self._set.busy_s += time.perf_counter() - started
                self._set.cpu_s += time.thread_time() - cpu0
            except BaseException as exc:  # surfaces in consume()/finish() on the decode thread
                self._error = exc
