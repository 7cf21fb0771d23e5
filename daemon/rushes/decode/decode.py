"""The one decode pass (DESIGN.md): every frame once, small, for every frame consumer.

Analysis must never decode a file twice, and the decode is the cost that matters: on a 2-core
machine a swscale conversion of every 1080p frame to RGB costs as much as decoding it. So the
small frames are sampled straight out of the decoder's YUV planes with numpy (a 2x2 box
average at each output pixel, then a small YUV->RGB matrix), and swscale only runs for the
rare full-resolution frames a consumer asks for (faces) and for pixel formats numpy does not
know. Frames are numbered by the one time base (`rushes.ingest.rates`), as an editor's timeline
conforms them: a frame that collides with the one before is not shown, and an index no frame
lands on (a gap, a slower stretch of VFR footage) repeats the previous picture, so consumers see
every index from 0 to frame_count - 1 exactly once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence

import av
import numpy as np

from rushes.decode.audio import AudioFeeder, audio_consumers, first_audio_stream, stream_zero_s
from rushes.ingest.orientation import clockwise_rotation, upright
from rushes.ingest.rates import Conformer, stream_time_base

DEFAULT_LOW_WIDTH = 128


class MediaError(RuntimeError):
    """The file cannot be decoded; the message names the file and the problem."""


class DecodeCancelled(RuntimeError):
    """`cancelled()` returned True during the pass."""


@dataclass
class DecodedFrame:
    index: int                 # frame index on the media's time base (rushes.ingest.rates)
    time_s: float
    low: np.ndarray            # HxWx3 uint8 RGB, small (fixed width, displayed orientation)
    full: np.ndarray | None    # HxWx3 uint8 RGB full resolution, only where index % full_stride == 0


class FrameConsumer(Protocol):
    """Takes decoded frames; an audio consumer (rushes.decode.audio.AudioConsumer) has
    `audio_format` and `consume_audio` instead of (or besides) `consume`."""

    def consume(self, frame: DecodedFrame) -> None: ...

    def finish(self) -> None: ...


@dataclass
class DecodeInfo:
    """What the pass learned about the stream; frame_count = last index + 1."""

    path: str
    fps: Fraction
    frame_count: int
    frames_decoded: int
    width: int                 # displayed (after rotation)
    height: int
    low_width: int
    low_height: int
    rotation: int              # degrees clockwise applied to get the displayed picture
    duration_s: float
    variable_frame_rate: bool
    pixel_format: str = ""
    corrupt_packets: int = 0
    frames_repeated: int = 0   # indices filled with the previous picture (gaps, slower stretches)
    frames_dropped: int = 0    # frames not shown (collided with the previous index, or before the start)
    notes: list[str] = field(default_factory=list)

    @property
    def fps_text(self) -> str:
        return f"{self.fps.numerator}/{self.fps.denominator}"


# ----------------------------------------------------------------------------- stream facts

def rotation_of(stream, frame=None) -> int:
    """Clockwise degrees (0/90/180/270) needed to show the picture as FFmpeg does: the one rule
    in `rushes.ingest.orientation`, shared with probe (and so with renders)."""
    return clockwise_rotation(stream, frame)


def rotate(img: np.ndarray, clockwise: int) -> np.ndarray:
    return upright(img, clockwise)


# ----------------------------------------------------------------------------- small frames

_FAST_FORMATS = {
    # name: (bytes per sample, chroma x shift, chroma y shift, full range)
    "yuv420p": (1, 1, 1, False), "yuvj420p": (1, 1, 1, True),
    "yuv422p": (1, 1, 0, False), "yuvj422p": (1, 1, 0, True),
    "yuv444p": (1, 0, 0, False), "yuvj444p": (1, 0, 0, True),
    "yuv420p10le": (2, 1, 1, False), "yuv422p10le": (2, 1, 0, False), "yuv444p10le": (2, 0, 0, False),
    "yuv420p12le": (2, 1, 1, False), "yuv422p12le": (2, 1, 0, False),
}


class SmallFrameSampler:
    """Turns decoder frames into small RGB frames without swscale when the format allows.

    Sample grids are built once per (format, size) because they cost more than the sampling.
    """

    def __init__(self, low_width: int) -> None:
        self.low_width = max(8, int(low_width))
        self._key: tuple | None = None
        self._grids: tuple | None = None
        self._flat: tuple | None = None
        self.out_size: tuple[int, int] = (0, 0)   # coded (w, h) of the small frame, before rotation

    def size_for(self, width: int, height: int, rotation: int) -> tuple[int, int]:
        """Coded-orientation small size whose displayed width is low_width."""
        disp_w, disp_h = (height, width) if rotation in (90, 270) else (width, height)
        low_w = self.low_width
        low_h = max(2, int(round(disp_h * low_w / disp_w)))
        return (low_h, low_w) if rotation in (90, 270) else (low_w, low_h)

    def _prepare(self, frame, rotation: int) -> None:
        name = frame.format.name
        w, h = frame.width, frame.height
        ow, oh = self.size_for(w, h, rotation)
        self.out_size = (ow, oh)
        fast = _FAST_FORMATS.get(name)
        self._key = (name, w, h, rotation)
        self._flat = None
        if fast is None:
            self._grids = None
            return
        bps, sx, sy, full_range = fast
        depth = 8
        if bps == 2:
            depth = 10 if "10" in name else 12

        def grid(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
            step = n_in / n_out
            a = np.clip(((np.arange(n_out) + 0.25) * step).astype(np.intp), 0, n_in - 1)
            b = np.clip(((np.arange(n_out) + 0.75) * step).astype(np.intp), 0, n_in - 1)
            return a, b

        yx, yy = grid(w, ow), grid(h, oh)
        cw, ch = -(-w // (1 << sx)), -(-h // (1 << sy))
        cx, cy = grid(cw, ow), grid(ch, oh)
        self._grids = (bps, depth, full_range, yx, yy, cx, cy, ch)
        self._matrix = yuv_to_rgb_matrix(h, full_range, 1.0 / (1 << (depth - 8)))

    def sample(self, frame, rotation: int) -> np.ndarray:
        key = (frame.format.name, frame.width, frame.height, rotation)
        if key != self._key:
            self._prepare(frame, rotation)
        ow, oh = self.out_size
        if self._grids is None:
            img = frame.reformat(width=ow, height=oh, format="rgb24", interpolation="AREA").to_ndarray()
            return rotate(img, rotation)
        bps, depth, full_range, yx, yy, cx, cy, ch = self._grids
        planes = frame.planes
        dtype = np.uint8 if bps == 1 else np.dtype("<u2")
        lines = tuple(p.line_size // bps for p in planes[:3])
        if self._flat is None or self._flat[0] != lines:
            def flat(gx, gy, ls, n):
                # n=2: the two diagonal corners of each 2x2 box (anti-aliasing at half the
                # gathers); n=1: one sample (chroma, which varies slowly).
                (x0, x1), (y0, y1) = gx, gy
                pairs = ((y0, x0), (y1, x1))[:n]
                return np.stack([(y[:, None] * ls + x[None, :]).ravel() for y, x in pairs]).astype(np.intp)
            self._flat = (lines, flat(yx, yy, lines[0], 2), flat(cx, cy, lines[1], 1), flat(cx, cy, lines[2], 1))
        _, fy, fu, fv = self._flat

        yuv = np.empty((3, oh * ow), np.float32)
        for i, idx in ((0, fy), (1, fu), (2, fv)):
            g = np.frombuffer(planes[i], dtype).take(idx)
            np.sum(g, axis=0, dtype=np.float32, out=yuv[i])
        yuv[0] *= 0.5
        matrix, offset = self._matrix
        rgb = matrix @ yuv
        rgb += offset
        np.clip(rgb, 0.0, 255.0, out=rgb)
        img = rgb.T.astype(np.uint8).reshape(oh, ow, 3)
        return rotate(img, rotation)


def yuv_to_rgb_matrix(height: int, full_range: bool, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(3x3 matrix, 3x1 offset) taking summed YUV samples times `scale` to RGB 0..255.

    BT.709 for HD and up, BT.601 below: what players assume for untagged material.
    """
    kr, kb = (0.2126, 0.0722) if height >= 600 else (0.299, 0.114)
    kg = 1.0 - kr - kb
    ys, cs = (1.0, 1.0) if full_range else (255.0 / 219.0, 255.0 / 224.0)
    y0 = 0.0 if full_range else 16.0
    # R = ys(Y-y0) + 2(1-kr) cs (V-128); B = ys(Y-y0) + 2(1-kb) cs (U-128); G from luma identity.
    rv = 2.0 * (1.0 - kr) * cs
    bu = 2.0 * (1.0 - kb) * cs
    m = np.array([
        [ys, 0.0, rv],
        [ys, -kb * bu / kg, -kr * rv / kg],
        [ys, bu, 0.0],
    ], np.float64)
    offset = -(m[:, 0] * y0 + m[:, 1] * 128.0 + m[:, 2] * 128.0)
    return (m * scale).astype(np.float32), offset.astype(np.float32)[:, None]


def open_video(path: str | Path, threads: int):
    """Open a file and its first video stream for multithreaded decoding, or raise MediaError."""
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"{path}: cannot open: {exc}") from exc
    if not container.streams.video:
        container.close()
        raise MediaError(f"{path}: no video stream")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    stream.codec_context.thread_count = max(1, int(threads))
    return container, stream


def decode_pass(
    path: str | Path,
    consumers: Sequence[FrameConsumer],
    *,
    low_width: int = DEFAULT_LOW_WIDTH,
    full_stride: int = 0,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    threads: int = 2,
) -> DecodeInfo:
    """Decode every frame of `path` once and hand it to every consumer, then call `finish()`.

    `full_stride` (or the smallest positive `full_stride` attribute of any consumer) decides on
    which frames the full-resolution RGB picture is built; elsewhere `full` is None. Consumers
    with `consume_audio` get the first audio stream's samples from the same demux, resampled
    once per format they ask for (rushes.decode.audio). Corrupt
    packets are skipped and counted (bad input fails its own job, not the daemon); a file that
    yields no frame at all raises MediaError naming it.
    """
    strides = [int(getattr(c, "full_stride", 0) or 0) for c in consumers] + [int(full_stride or 0)]
    strides = [s for s in strides if s > 0]
    stride = min(strides) if strides else 0
    listeners = audio_consumers(consumers)
    consumers = [c for c in consumers if hasattr(c, "consume")]

    container, stream = open_video(path, threads)
    try:
        astream = first_audio_stream(container) if listeners else None
        feeder = AudioFeeder(astream, listeners, stream_zero_s(stream)) if astream is not None else None
        try:
            timebase = stream_time_base(path, container, stream).time_base
        except ValueError:
            raise MediaError(f"{path}: video stream has no usable frame rate") from None
        fps = timebase.rate
        conformer = Conformer(timebase)
        spf = fps.denominator / fps.numerator
        sampler = SmallFrameSampler(low_width)
        tb = timebase.time_base
        duration_s = 0.0
        if stream.duration and tb:
            duration_s = float(stream.duration * tb)
        elif container.duration:
            duration_s = container.duration / 1_000_000
        expected = stream.frames or int(duration_s * float(fps)) or 0
        state = _PassState()
        corrupt = 0
        last_report = 0

        def emit(vf) -> None:
            """Number one decoded frame and hand it (and any gap before it) to every consumer."""
            if state.rotation is None:
                state.rotation = rotation_of(stream, vf)
                state.pix_fmt = vf.format.name
                state.size = (vf.height, vf.width) if state.rotation in (90, 270) else (vf.width, vf.height)
            idx = conformer.place(vf.pts if vf.pts is not None else vf.dts)
            state.decoded += 1
            if idx is None:
                state.dropped += 1
                return
            prev = state.previous
            for gap in range(idx - conformer.gap_before, idx):    # repeat the previous picture
                full = rotate(prev[0].to_ndarray(format="rgb24"), state.rotation) if stride and gap % stride == 0 else None
                _hand(consumers, DecodedFrame(gap, gap * spf, prev[1], full))
                state.repeated += 1
            low = sampler.sample(vf, state.rotation)
            full = rotate(vf.to_ndarray(format="rgb24"), state.rotation) if stride and idx % stride == 0 else None
            _hand(consumers, DecodedFrame(idx, idx * spf, low, full))
            state.previous = (vf, low)

        for packet in container.demux(*((stream, astream) if astream is not None else (stream,))):
            if feeder is not None and packet.stream is astream:
                feeder.feed(packet)
                continue
            try:
                frames: Iterable = packet.decode()
            except av.error.InvalidDataError:
                corrupt += 1
                continue
            try:
                for vf in frames:
                    emit(vf)
                    if state.decoded - last_report >= 50:
                        last_report = state.decoded
                        if cancelled is not None and cancelled():
                            raise DecodeCancelled(f"{path}: decode cancelled")
                        if progress is not None and expected:
                            progress(min(1.0, state.decoded / expected))
            except av.error.InvalidDataError:
                corrupt += 1
                continue
        # Flush frames the decoder still holds (B-frame reordering, frame threads).
        try:
            for vf in stream.codec_context.decode(None):
                emit(vf)
        except (av.error.FFmpegError, ValueError):
            pass
        if feeder is not None:
            feeder.flush()
    except av.error.FFmpegError as exc:
        raise MediaError(f"{path}: decode failed: {exc}") from exc
    finally:
        container.close()
    decoded, rotation = state.decoded, state.rotation
    width, height = state.size
    pix_fmt = state.pix_fmt
    if decoded == 0:
        raise MediaError(f"{path}: no decodable video frames")
    for c in consumers:
        c.finish()
    for listener in listeners:
        if listener not in consumers:
            listener.finish()
    if progress is not None:
        progress(1.0)
    ow, oh = sampler.out_size
    low_w, low_h = (oh, ow) if rotation in (90, 270) else (ow, oh)
    frame_count = conformer.frame_count
    return DecodeInfo(
        path=str(path), fps=fps, frame_count=frame_count, frames_decoded=decoded,
        width=width, height=height, low_width=low_w, low_height=low_h, rotation=rotation or 0,
        duration_s=float(Fraction(frame_count) / fps) if timebase.variable else duration_s or float(frame_count / fps),
        variable_frame_rate=timebase.variable, pixel_format=pix_fmt, corrupt_packets=corrupt,
        frames_repeated=state.repeated, frames_dropped=state.dropped,
    )


@dataclass
class _PassState:
    """What the pass carries from one decoded frame to the next."""

    rotation: int | None = None
    pix_fmt: str = ""
    size: tuple[int, int] = (0, 0)
    decoded: int = 0
    repeated: int = 0
    dropped: int = 0
    previous: tuple[object, np.ndarray] | None = None     # (the last shown frame, its small picture)


def _hand(consumers: Sequence[FrameConsumer], frame: DecodedFrame) -> None:
    for c in consumers:
        c.consume(frame)
