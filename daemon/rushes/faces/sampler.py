"""The faces frame consumer of the one decode pass.

It asks the decoder for a full-resolution frame every `full_stride` frames (`faces_sample_s`
seconds, default 1 s; not only keyframes, so a character who turns to camera mid-shot is
found), and analyses each in a worker thread while decoding goes on: dlib releases the GIL, so on
two cores detection overlaps with decoding and shot detection instead of adding to them. The
queue holds at most two frames, so memory stays flat on a two-hour file and the decoder simply
waits when faces fall behind. Only the small results are kept (box, landmarks, descriptor,
quality; ~700 bytes a face), never frames.
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
    busy_s: float = 0.0                                     # worker time spent analysing


def stride_for(fps: float, sample_s: float) -> int:
    """Frames between samples: sample_s seconds on the media's rate, at least 1."""
    if not fps or fps <= 0:
        fps = 25.0
    return max(1, int(round(fps * sample_s)))


class FaceSampler:
    """FrameConsumer: analyses full frames at `full_stride`; `result()` after `finish()`."""

    def __init__(self, engine: FaceEngine, stride: int, *, media_id: int | None = None, depth: int = 2) -> None:
        self.engine = engine
        self.full_stride = int(stride)
        self.media_id = media_id
        self._set = SampleSet(stride=self.full_stride)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, depth))
        self._error: BaseException | None = None
        self._finished = False
        self._worker = threading.Thread(target=self._work, name="rushes-faces", daemon=True)
        self._worker.start()

    # FrameConsumer protocol -----------------------------------------------------------
    def consume(self, frame: Any) -> None:
        if self._error is not None:
            raise self._error
        full = getattr(frame, "full", None)
        if full is None or frame.index % self.full_stride:
            return
        self._queue.put((int(frame.index), full))

    def finish(self) -> None:
        """Wait for the worker to drain the queue; re-raise anything it hit."""
        if not self._finished:
            self._finished = True
            self._queue.put(_STOP)
            self._worker.join()
        if self._error is not None:
            raise self._error

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
        self._queue.put(_STOP)
        self._worker.join()

    def result(self) -> SampleSet:
        if not self._finished:
            raise RuntimeError("FaceSampler.result() called before finish()")
        return self._set

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self._error is not None:
                continue
            index, full = item
            try:
                started = time.perf_counter()
                image = np.asarray(full)
                if self._set.frame_size is None:
                    self._set.frame_size = (int(image.shape[1]), int(image.shape[0]))
                faces = self.engine.analyse(image)
                self._set.frames.append(index)
                self._set.samples.extend(FaceSample(index, f) for f in faces)
                self._set.busy_s += time.perf_counter() - started
            except BaseException as exc:  # surfaces in consume()/finish() on the decode thread
                self._error = exc
