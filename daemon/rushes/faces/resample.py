"""Re-sample faces from a file when the decode pass's samples are gone (resumed after a restart).

The shared decode pass (`rushes.media.decode.decode_pass`) is used when it is there, with the
face sampler as its only consumer, so frame numbering and rotation are exactly the pass's. Until
then (or if it is missing) a small PyAV loop stands in: it decodes every frame (H.264 cannot be
sought frame-accurately any cheaper at a one-second stride) but converts to RGB only the sampled
ones, numbering frames from timestamps on the stream's rate.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np

from rushes.faces.sampler import FaceSampler


@dataclass
class _Frame:
    index: int
    time_s: float
    low: np.ndarray | None
    full: np.ndarray | None


def feed(path: Path, sampler: FaceSampler, *, cancelled: Callable[[], bool] | None = None,
         progress: Callable[[float], None] | None = None, threads: int = 2) -> None:
    """Decode `path` once, handing full frames at the sampler's stride to it; then finish it."""
    try:
        from rushes.media.decode import decode_pass
    except ImportError:
        decode_pass = None
    if decode_pass is not None:
        kwargs = {"full_stride": sampler.full_stride, "cancelled": cancelled, "threads": threads}
        if progress is not None:
            kwargs["progress"] = progress
        decode_pass(path, [sampler], **kwargs)
        return
    _pyav_feed(Path(path), sampler, cancelled=cancelled, progress=progress, threads=threads)
    sampler.finish()


def _pyav_feed(path: Path, sampler: FaceSampler, *, cancelled: Callable[[], bool] | None,
               progress: Callable[[float], None] | None, threads: int) -> None:
    import av

    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise RuntimeError(f"{path}: cannot open for face sampling: {exc}") from exc
    with container:
        if not container.streams.video:
            return
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.thread_count = max(1, threads)
        rate = stream.average_rate or stream.guessed_rate or Fraction(25)
        total = stream.frames or 0
        start = stream.start_time or 0
        stride = sampler.full_stride
        counted = 0
        for frame in container.decode(stream):
            if frame.pts is not None and frame.time_base is not None:
                index = int(round(float((frame.pts - start) * frame.time_base * rate)))
            else:
                index = counted
            counted += 1
            if index % stride == 0:
                if cancelled is not None and cancelled():
                    sampler.close()
                    return
                sampler.consume(_Frame(index, float(index / rate), None, frame.to_ndarray(format="rgb24")))
                if progress is not None and total:
                    progress(min(1.0, counted / total))
