"""Per-frame features for shot detection, gathered during the one decode pass.

Everything the detectors need later is kept per frame in a few hundred bytes (a 16x9 colour
thumbnail, darkness, mean level), so a two-hour film costs well under 100 MB and
detectors can compare any two frames after the pass. The TransNetV2 referee needs real
pictures; those live only in a short ring buffer of small frames, and the analyser cuts its
windows out of it while they are still there.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from rushes.decode.decode import DecodedFrame

SIG_W, SIG_H = 16, 9
DARK_LEVEL = 32                     # max(R,G,B) under this counts as black (of 255)


class _Growing:
    """An (n, *shape) array that grows by a quarter; cheap batch appends, numpy views out.

    A quarter, not doubling: the rows are kept for the whole media (432 bytes a frame, 37 MB an
    hour at 24 fps), and doubling left up to as much again allocated and unused, and three
    times the rows alive while it copied (issue 11's long-ingest memory). Growing by a quarter
    still copies each row only a few times on average.
    """

    def __init__(self, shape: tuple[int, ...], dtype) -> None:
        self._a = np.zeros((1024, *shape), dtype)
        self.n = 0

    def extend(self, rows: np.ndarray) -> None:
        need = self.n + len(rows)
        if need > len(self._a):
            size = len(self._a)
            while size < need:
                size += size // 4
            grown = np.zeros((size, *self._a.shape[1:]), self._a.dtype)
            grown[: self.n] = self._a[: self.n]
            self._a = grown
        self._a[self.n: need] = rows
        self.n = need

    def view(self) -> np.ndarray:
        return self._a[: self.n]


@dataclass
class Features:
    """Frame features by frame position p (0..n-1); `index[p]` is the media frame index."""

    index: np.ndarray      # int64 (n,)
    sig: np.ndarray        # uint8 (n, 9, 16, 3)
    dark: np.ndarray       # float32 (n,) fraction of black pixels
    luma: np.ndarray       # float32 (n,) mean luma 0..1

    def __len__(self) -> int:
        return len(self.index)

    def sig_dist(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Mean absolute difference of the 16x9 thumbnails, 0..1 (in slices: a two-hour film
        would otherwise build several 150 MB temporaries)."""
        a = np.asarray(a)
        b = np.asarray(b)
        out = np.empty(len(a), np.float32)
        step = 8192
        for i in range(0, len(a), step):
            d = np.abs(self.sig[a[i:i + step]].astype(np.int16) - self.sig[b[i:i + step]].astype(np.int16))
            out[i:i + step] = d.reshape(len(d), -1).mean(axis=1) / 255.0
        return out



class FeatureCollector:
    """A FrameConsumer that keeps the features of every frame and recent small frames.

    Frames are gathered in batches of BATCH and their features computed with a few numpy
    operations over the whole batch: per frame that costs a fifth of doing it frame by frame,
    and this runs on the decode's own thread, whose time is the pass's wall time. `len()` and
    `features()` cover the frames of finished batches; `flush()` finishes the last one.
    """

    BATCH = 64

    def __init__(self, ring: int = 0) -> None:
        self._index = _Growing((), np.int64)
        self._sig = _Growing((SIG_H, SIG_W, 3), np.uint8)
        self._dark = _Growing((), np.float32)
        self._luma = _Growing((), np.float32)
        self.ring: deque[np.ndarray] | None = deque(maxlen=ring) if ring else None
        # (index, small picture) only: a frame's full-resolution picture must not be kept
        self._pending: list[tuple[int, np.ndarray]] = []

    def consume(self, frame: DecodedFrame) -> None:
        if self._pending and frame.low.shape != self._pending[0][1].shape:
            self.flush()                      # a size change mid-file: batches hold one shape
        self._pending.append((frame.index, frame.low))
        if len(self._pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        frames, self._pending = self._pending, []
        low = np.stack([picture for _, picture in frames])          # (B, h, w, 3)
        b, h, w = low.shape[:3]
        bh, bw = max(1, h // SIG_H), max(1, w // SIG_W)
        if h >= SIG_H and w >= SIG_W:
            # box average over a centred grid, rounded like an image library's reduce
            oy, ox = (h - bh * SIG_H) // 2, (w - bw * SIG_W) // 2
            crop = low[:, oy: oy + bh * SIG_H, ox: ox + bw * SIG_W]
            # rows first, then columns: one reduction over two strided axes is ~7x slower
            rows = crop.reshape(b, SIG_H, bh, SIG_W * bw, 3).sum(axis=2, dtype=np.uint32)
            total = rows.reshape(b, SIG_H, SIG_W, bw, 3).sum(axis=3, dtype=np.uint32)
            sig = ((total + (bh * bw) // 2) // (bh * bw)).astype(np.uint8)
        else:  # frames smaller than the grid: nearest samples
            ys = np.linspace(0, h - 1, SIG_H).astype(int)
            xs = np.linspace(0, w - 1, SIG_W).astype(int)
            sig = low[:, ys][:, :, xs]
        # black is judged per pixel (a bright logo on black is not black); every other pixel
        # of every other row is plenty for a fraction
        sub = low[:, ::2, ::2]
        mx = np.maximum(np.maximum(sub[..., 0], sub[..., 1]), sub[..., 2])
        dark = (mx < DARK_LEVEL).reshape(b, -1).mean(axis=1)
        luma = sig.reshape(b, -1).mean(axis=1, dtype=np.float32) / 255.0
        self._index.extend(np.fromiter((index for index, _ in frames), np.int64, len(frames)))
        self._sig.extend(sig)
        self._dark.extend(dark)
        self._luma.extend(luma)
        if self.ring is not None:
            self.ring.extend(picture for _, picture in frames)   # small frames only: full ones would cost GBs

    def finish(self) -> None:
        self.flush()

    def __len__(self) -> int:
        return self._index.n

    def features(self) -> Features:
        return Features(self._index.view(), self._sig.view(), self._dark.view(), self._luma.view())
