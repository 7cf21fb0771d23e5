"""The text watch: where on-screen text appears or changes, found on the one decode pass.

Keyframes stand for their shot, so a caption or lower third burnt in mid-shot, between two
keyframes, was never read. The watch takes the decode pass's full-resolution frame every
`ocr_watch_s` seconds (the faces sampler asks for the same stride by default, so the pictures are
already built) and runs only the PP-OCR text *detector* on it, shrunk to `ocr_watch_side` pixels
on its shorter side (~50-65 ms a frame on one shared core; no recognition). Each time the text on
screen appears, disappears, moves or changes (boxes that no longer match, or the picture inside
them changed), a sighting starts; the ocr step then reads one frame of each sighting at full size
and the line stands for the sighting's range. Detection runs in a worker thread so that, on two
cores, it overlaps with decoding (onnxruntime releases the GIL); one worker and a FIFO queue keep
the results in frame order, whatever the timing.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from rushes.decode.decode import DecodedFrame
    from rushes.ocr.engine import OcrEngine

Box = tuple[float, float, float, float]
#: Boxes are the same text in the same place when each has a partner overlapping it this much.
SAME_BOX_IOU = 0.5
#: Two sightings cover the same text area when their areas (Sighting.area) overlap this much.
SAME_AREA_IOU = 0.5
#: Mean grey-level change (0-255) inside the boxes above which the text itself changed (a new
#: subtitle in the same place). Background moving behind a caption may pass it too: that only
#: costs one more read, and the ocr step joins touching spans of the same text.
CHANGED_INSIDE = 24.0
_QUEUE = 2            # frames waiting for the detector: memory stays flat, the decoder waits


@dataclass(frozen=True)
class Sighting:
    """Text seen from `start_frame` (a sampled frame) to `end_frame` (exclusive: the first sample
    where it was gone or different, or the end of the media); `frames` are its samples."""

    start_frame: int
    end_frame: int
    frames: tuple[int, ...]
    boxes: tuple[Box, ...]

    def area(self) -> Box | None:
        """The smallest box around all of its boxes (None when it has none)."""
        if not self.boxes:
            return None
        b = self.boxes
        return (min(x[0] for x in b), min(x[1] for x in b), max(x[2] for x in b), max(x[3] for x in b))

    def read_frame(self) -> int:
        """The middle sample: past a fade-in, before a fade-out."""
        return self.frames[len(self.frames) // 2]


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def same_layout(a: Sequence[Box], b: Sequence[Box]) -> bool:
    """Both without text, or every box of each matched by one of the other."""
    if not a or not b:
        return not a and not b
    return (all(max(iou(x, y) for y in b) >= SAME_BOX_IOU for x in a)
            and all(max(iou(y, x) for x in a) >= SAME_BOX_IOU for y in b))


def _inside(grey: np.ndarray, boxes: Sequence[Box]) -> np.ndarray:
    """The grey pixels inside the boxes (boxes in 0-1 units), flattened in box order."""
    h, w = grey.shape
    parts = [grey[int(y0 * h):max(int(y0 * h) + 1, int(y1 * h)), int(x0 * w):max(int(x0 * w) + 1, int(x1 * w))]
             for x0, y0, x1, y1 in boxes]
    return np.concatenate([p.ravel() for p in parts]).astype(np.float32) if parts else np.zeros(0, np.float32)


class TextWatch:
    """FrameConsumer: the text detector on a full frame every `stride` frames; `sightings()` after
    `finish()`. `full_stride` asks the decode pass for those full frames."""

    def __init__(self, engine: "OcrEngine", stride: int, *, side: int, frame_count: int = 0) -> None:
        self.engine = engine
        self.full_stride = max(1, int(stride))
        self.side = int(side)
        self.frame_count = int(frame_count)
        self.looked = 0                          # frames the detector saw (for logs and benches)
        self.cpu_s = 0.0                         # the worker's CPU time (for logs and benches)
        self._queue: queue.Queue = queue.Queue(maxsize=_QUEUE)
        self._error: BaseException | None = None
        self._closed = False
        self._last_index = -1
        self._done: list[Sighting] = []
        self._open: tuple[int, list[int], tuple[Box, ...], np.ndarray] | None = None
        self._worker = threading.Thread(target=self._run, name="text-watch", daemon=True)
        self._worker.start()

    # -- the decode pass's side ---------------------------------------------------------------
    def consume(self, frame: "DecodedFrame") -> None:
        if frame.full is None or frame.index % self.full_stride or self._closed:
            return
        if self._error is not None:
            raise self._error
        self._last_index = frame.index
        self._queue.put((frame.index, frame.full))

    def finish(self) -> None:
        self._stop()
        if self._error is not None:
            raise self._error
        end = max(self.frame_count, self._last_index + 1)
        if self._open is not None:
            start, frames, boxes, _ = self._open
            self._done.append(Sighting(start, min(end, frames[-1] + self.full_stride), tuple(frames), boxes))
            self._open = None

    def close(self) -> None:
        """Stop the worker when a job ends early (the pipeline calls this)."""
        self._stop()

    def sightings(self) -> list[Sighting]:
        return list(self._done)

    # -- the worker ---------------------------------------------------------------------------
    def _stop(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._worker.join()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None:
                continue
            c0 = time.thread_time()
            try:
                self._look(*item)
            except BaseException as exc:  # handed to the decode pass's thread at the next frame
                self._error = exc
            self.cpu_s += time.thread_time() - c0

    def _look(self, index: int, picture: np.ndarray) -> None:
        h, w = picture.shape[:2]
        boxes = tuple(sorted((x0 / w, y0 / h, x1 / w, y1 / h)
                             for x0, y0, x1, y1 in self.engine.detect(picture, side=self.side)))
        self.looked += 1
        grey = None
        if boxes:
            small = picture[::4, ::4]
            grey = small.mean(axis=2) if small.ndim == 3 else small.astype(np.float32)
        if self._open is not None:
            start, frames, seen, inside = self._open
            changed = not same_layout(seen, boxes)
            if not changed and grey is not None:
                now = _inside(grey, seen)
                changed = now.size == inside.size and float(np.abs(now - inside).mean()) > CHANGED_INSIDE
            if not changed:
                frames.append(index)
                return
            self._done.append(Sighting(start, index, tuple(frames), seen))
            self._open = None
        if boxes and grey is not None:
            self._open = (index, [index], boxes, _inside(grey, boxes))
