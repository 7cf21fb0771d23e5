"""Raw features of one media, gathered on the one decode pass and stored per media.

Stored raw, not per step, so every scoring setting (the step, the loudness window, the speech
threshold) re-scores from the catalog without decoding again:
  motion      per frame: mean absolute grey-level change from the previous frame (a 32 px wide
              grey sampling of the small frame; cut frames are spikes the scorer discounts)
  power, ms   per 100 ms block: BS.1770 loudness power (K-weighted, channel weights, LFE out)
              and the plain mean square (RMS)
  vad         per 32 ms chunk: Silero's speech probability (empty when the model is missing)
  thumbs      every THUMB_STEP_S: a 16x9 grey picture for near-duplicate checks
"""
from __future__ import annotations

import io
from array import array
import queue
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from rushes.audio.loudness import BLOCK_S, LoudnessMeter
from rushes.audio.vad import CHUNK, RATE, SileroVad
from rushes.decode.audio import AudioFormat, DecodedAudio
from rushes.decode.decode import DecodedFrame

if TYPE_CHECKING:
    from pathlib import Path

#: Bump when what the collector measures changes: stored features are then gathered again.
FEATURES_VERSION = "hlfeat-2"
THUMB_STEP_S = 0.5
THUMB_SIZE = (16, 9)


@dataclass
class RawFeatures:
    fps: float                                   # the media's rate (frames per second)
    frame_count: int
    motion: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))    # per frame
    power: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))     # per 100 ms block
    mean_square: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    vad: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))       # per 32 ms chunk
    thumbs: np.ndarray = field(default_factory=lambda: np.zeros((0, 9, 16), np.uint8))
    has_video: bool = False
    has_audio: bool = False
    speech_model: str = ""                        # why speech is missing, or "" when measured
    channels: tuple[str, ...] = ()
    block_s: float = BLOCK_S
    vad_chunk_s: float = CHUNK / RATE

    @property
    def duration_s(self) -> float:
        video = self.frame_count / self.fps if self.fps and self.frame_count else 0.0
        return max(video, len(self.power) * self.block_s)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(
            buf, motion=self.motion.astype(np.float32), power=self.power, mean_square=self.mean_square,
            vad=self.vad.astype(np.float16), thumbs=self.thumbs,
            meta=np.array([self.fps, self.frame_count, self.has_video, self.has_audio, self.block_s,
                           self.vad_chunk_s], np.float64),
            text=np.array([self.speech_model, ",".join(self.channels)]))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "RawFeatures":
        z = np.load(io.BytesIO(data), allow_pickle=False)
        fps, count, has_video, has_audio, block_s, chunk_s = z["meta"].tolist()
        speech_model, channels = (str(x) for x in z["text"].tolist())
        return cls(fps=fps, frame_count=int(count), motion=z["motion"], power=z["power"], mean_square=z["mean_square"],
                   vad=z["vad"].astype(np.float32), thumbs=z["thumbs"], has_video=bool(has_video),
                   has_audio=bool(has_audio), speech_model=speech_model,
                   channels=tuple(c for c in channels.split(",") if c), block_s=block_s, vad_chunk_s=chunk_s)


def _grey_small(low: np.ndarray) -> np.ndarray:
    """A ~32 px wide grey picture: every 4th pixel of the decode pass's small frame (itself box
    averaged from the decoder's planes), R+G+B in integers. Box-averaging it again cost 190 us a
    frame; this costs ~10 (bbb: 3 s of CPU saved), and motion is a mean over the picture anyway."""
    step = max(1, low.shape[1] // 32)
    return low[::step, ::step].sum(axis=2, dtype=np.int16).astype(np.float32) * (1.0 / 3.0)


def _thumb(grey: np.ndarray) -> np.ndarray:
    h, w = grey.shape
    tw, th = THUMB_SIZE
    ys = (np.arange(th) + 0.5) * h / th
    xs = (np.arange(tw) + 0.5) * w / tw
    return grey[ys.astype(int)[:, None], xs.astype(int)[None, :]].astype(np.uint8)


class OrderedWorker:
    """One thread applying `fn` to items in the order they were put (deterministic: a single
    consumer of a FIFO). The audio measurements run here, beside the decoding: scipy's filters
    and onnxruntime release the GIL. An error is kept and raised by close()."""

    def __init__(self, fn: "Callable[[Any], None]", name: str) -> None:
        self._fn = fn
        self._name = name
        self._queue: "queue.Queue[Any]" = queue.Queue(maxsize=256)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self._error is None:
                try:
                    self._fn(item)
                except BaseException as exc:
                    self._error = exc

    def put(self, item: Any) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()
        self._queue.put(item)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise RuntimeError(f"{self._name} failed: {error}") from error


_STOP = object()


class FeatureCollector:
    """Consumes frames and audio of the decode pass (or an audio-only pass) for one media."""

    def __init__(self, media_id: int, fps: float, *, vad_model: "Path | None", vad_why: str = "",
                 want_frames: bool = True, threads: int = 1) -> None:
        self.media_id = media_id
        self.fps = float(fps) if fps else 25.0
        self.audio_format = AudioFormat()           # every channel, the stream's own rate
        self._speech = SpeechListener(vad_model, threads) if vad_model is not None else None
        self.vad_why = "" if vad_model is not None else (vad_why or "no speech model")
        self._motion = array("f")       # per frame for the whole media: 4 bytes each (issue 11)
        self._prev: np.ndarray | None = None
        self._last_index = -1
        self._thumbs: list[np.ndarray] = []
        self._meter: LoudnessMeter | None = None
        self.frames_seen = 0
        self.audio_seen = 0
        self.finished = False
        self.want_frames = want_frames

    # frames -------------------------------------------------------------------------
    def consume(self, frame: DecodedFrame) -> None:
        grey = _grey_small(frame.low)
        value = 0.0 if self._prev is None or self._prev.shape != grey.shape else float(np.abs(grey - self._prev).mean())
        gap = frame.index - self._last_index
        # a VFR gap repeats the previous picture: no change on the missing frames
        self._motion.extend(array("f", bytes(4 * max(0, gap - 1))))
        self._motion.append(value)
        self._prev = grey
        self._last_index = frame.index
        while len(self._thumbs) * THUMB_STEP_S <= frame.time_s:
            self._thumbs.append(_thumb(grey))
        self.frames_seen += 1

    # audio --------------------------------------------------------------------------
    def consume_audio(self, chunk: DecodedAudio) -> None:
        self.audio_seen += chunk.samples.shape[1]
        if self._meter is None:
            self._meter = LoudnessMeter(chunk.rate, chunk.channels)
            if chunk.start > 0:                   # audio starting after the first picture: silence before
                self._meter.feed(np.zeros((len(chunk.channels), chunk.start), np.float32))
        self._meter.feed(chunk.samples)

    def consumers(self) -> list[object]:
        """This collector plus its 16 kHz mono speech listener: both ride on the decode pass."""
        return [self] + ([self._speech] if self._speech is not None else [])

    def finish(self) -> None:
        self.finished = True

    def close(self) -> None:
        """Stop the speech worker (a job that ends early; result() does it otherwise)."""
        if self._speech is not None:
            self._speech.close()

    def result(self) -> RawFeatures:
        blocks = self._meter.result() if self._meter is not None else None
        vad = self._speech.probabilities() if self._speech is not None and self.audio_seen else np.zeros(0, np.float32)
        return RawFeatures(
            fps=self.fps, frame_count=self._last_index + 1 if self.frames_seen else 0,
            motion=np.frombuffer(self._motion, np.float32).copy(),
            power=blocks.power if blocks is not None else np.zeros(0),
            mean_square=blocks.mean_square if blocks is not None else np.zeros(0),
            vad=vad, thumbs=np.stack(self._thumbs) if self._thumbs else np.zeros((0, 9, 16), np.uint8),
            has_video=self.frames_seen > 0, has_audio=self.audio_seen > 0,
            speech_model="" if self._speech is not None else self.vad_why,
            channels=self._meter.channels if self._meter is not None else ())


class SpeechListener:
    """16 kHz mono from the decode pass into Silero VAD, on its own ordered worker thread (the
    same probabilities as a sequential run: tested)."""

    audio_format = AudioFormat(rate=RATE, mono=True)

    #: samples handed to the worker at a time (0.5 s): one hand-over per AAC frame cost more
    #: than it saved
    BATCH = 8192

    def __init__(self, model: "Path", threads: int = 1) -> None:
        self.vad = SileroVad(model, threads=threads)
        self._started = False
        self._pieces: list[np.ndarray] = []
        self._held = 0
        self._worker = OrderedWorker(self.vad.feed, "rushes-vad")

    def consume_audio(self, chunk: DecodedAudio) -> None:
        if not self._started:
            self._started = True
            if chunk.start > 0:
                self._pieces.append(np.zeros(chunk.start, np.float32))
        self._pieces.append(np.array(chunk.samples[0], np.float32))
        self._held += chunk.samples.shape[1]
        if self._held >= self.BATCH:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._pieces:
            self._worker.put(np.concatenate(self._pieces))
            self._pieces, self._held = [], 0

    def finish(self) -> None:
        self._hand_over()
        self._worker.close()

    def close(self) -> None:
        self._pieces, self._held = [], 0
        self._worker.close()

    def probabilities(self) -> np.ndarray:
        self._hand_over()
        self._worker.close()
        return self.vad.probabilities()
