"""Audio in the one decode pass: decoded once, resampled once per format consumers ask for.

Loudness wants every channel at the stream's own rate (BS.1770 weighs channels by position and
leaves the LFE out), speech detection wants 16 kHz mono; both ride on the pass that decodes the
picture, so audio costs a file no second read. Sample positions are counted on the consumer's
rate from the media's time zero (the first video frame, or the first audio sample of a sound
roll), continuous across packets so jittered audio timestamps never open gaps or overlaps.

An audio consumer is any object with an `audio_format: AudioFormat` attribute and a
`consume_audio(chunk: DecodedAudio)` method (plus the `finish()` every consumer has); one
object may consume both frames and audio.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Protocol, Sequence, runtime_checkable

import av
import numpy as np


class AudioDecodeError(RuntimeError):
    """The file's audio cannot be opened or decoded; the message names the file."""


class AudioCancelled(AudioDecodeError):
    """`cancelled()` returned True during an audio-only pass."""


@dataclass(frozen=True)
class AudioFormat:
    """What one consumer wants: a sample rate (None: the stream's own) and mono or all channels."""

    rate: int | None = None
    mono: bool = False


@dataclass
class DecodedAudio:
    """A run of samples: float32, shape (channels, n), sample `start` counted from time zero."""

    start: int
    rate: int
    channels: tuple[str, ...]      # FFmpeg channel names: FL FR FC LFE BL BR SL SR ..., or FC for mono
    samples: np.ndarray

    @property
    def start_s(self) -> float:
        return self.start / self.rate


@runtime_checkable
class AudioConsumer(Protocol):
    audio_format: AudioFormat

    def consume_audio(self, chunk: DecodedAudio) -> None: ...

    def finish(self) -> None: ...


def audio_consumers(consumers: Sequence[object]) -> list[AudioConsumer]:
    return [c for c in consumers if hasattr(c, "consume_audio") and hasattr(c, "audio_format")]


def _channel_names(layout) -> tuple[str, ...]:
    return tuple(str(ch.name) for ch in layout.channels)


#: seconds of audio gathered before it goes to the consumers: one resampler call and one
#: consumer call per second instead of per codec frame (an AAC frame is 23 ms: 25,700 of them in
#: bbb's ten minutes, where per-frame Python work cost more than the measurements themselves)
BLOCK_S = 1.0


_SQRT_HALF = np.float32(np.sqrt(0.5))


@dataclass
class _Block:
    """Native-format samples gathered from decoded frames: one list of float32 pieces a channel."""

    rate: int
    layout: str
    channels: tuple[str, ...]
    time: float | None              # stream seconds of the first sample, when known
    parts: list[list[np.ndarray]]
    n: int = 0

    def add(self, planes: list[np.ndarray]) -> None:
        for part, plane in zip(self.parts, planes):
            part.append(plane)
        self.n += len(planes[0])

    def samples(self) -> np.ndarray:
        """(channels, n) float32."""
        return np.stack([np.concatenate(p) if len(p) > 1 else p[0] for p in self.parts])


class _Lane:
    """The consumers that share one output format, and the resampler that makes it (none when
    the format is the stream's own)."""

    def __init__(self, fmt: AudioFormat, consumers: list[AudioConsumer]) -> None:
        self.fmt = fmt
        self.consumers = consumers
        self.resampler: av.AudioResampler | None = None
        self.native = False
        self.downmix = False
        self.rate = 0
        self.position: int | None = None    # next sample index on this lane's rate

    def push(self, block: _Block, zero_s: float) -> None:
        if self.rate == 0:
            self.rate = int(self.fmt.rate or block.rate)
            self.native = self.rate == block.rate and (not self.fmt.mono or len(block.channels) == 1)
            # stereo to mono is (L + R) / sqrt(2) in swresample's matrix: done here, the
            # resampler filters one channel instead of two (same samples to float rounding)
            self.downmix = self.fmt.mono and block.layout == "stereo"
            if not self.native:
                self.resampler = av.AudioResampler(
                    format="fltp", layout="mono" if self.fmt.mono else block.layout, rate=self.rate)
        if self.position is None and block.time is not None:
            self.position = int(round((block.time - zero_s) * self.rate))
        samples = block.samples()
        if self.native:
            self._emit(samples, block.channels)
            return
        assert self.resampler is not None
        layout = block.layout
        if self.downmix:
            samples, layout = ((samples[0] + samples[1]) * _SQRT_HALF)[None, :], "mono"
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout=layout)
        frame.sample_rate = block.rate
        self._emit_frames(self.resampler.resample(frame))

    def flush(self) -> None:
        if self.resampler is not None:
            self._emit_frames(self.resampler.resample(None))

    def _emit_frames(self, frames) -> None:
        if not frames:
            return
        names = _channel_names(frames[0].layout)
        arrays = [np.stack(_planes(out, len(names))) for out in frames]
        self._emit(np.concatenate(arrays, axis=1) if len(arrays) > 1 else arrays[0], names)

    def _emit(self, samples: np.ndarray, channels: tuple[str, ...]) -> None:
        start = self.position or 0
        self.position = start + samples.shape[1]
        if start < 0:                      # audio that starts before the first picture
            cut = min(-start, samples.shape[1])
            samples, start = samples[:, cut:], start + cut
        if samples.shape[1] == 0:
            return
        chunk = DecodedAudio(start=start, rate=self.rate, channels=channels, samples=samples)
        for c in self.consumers:
            c.consume_audio(chunk)


def _planes(frame, channels: int) -> list[np.ndarray]:
    """An fltp frame's samples, one float32 array a channel, read straight from its planes
    (views on the frame's buffers, which the arrays keep alive)."""
    n = frame.samples
    return [np.frombuffer(p, np.float32, count=n) for p in frame.planes[:channels]]


class AudioFeeder:
    """Feeds one audio stream's packets to audio consumers, grouped by the format they ask for.

    Decoded frames are gathered into blocks of about BLOCK_S in the stream's own format (float
    planar; any other sample format goes through one converter first), and each block goes once
    to each lane: the stream's own format as it is, any other through that lane's resampler.
    Blocks only change how the samples are cut into pieces, never their values or positions.
    """

    def __init__(self, stream, consumers: Sequence[AudioConsumer], zero_s: float | None) -> None:
        self.stream = stream
        self.zero_s = zero_s
        self.samples_in = 0
        self.corrupt_packets = 0
        lanes: dict[AudioFormat, list[AudioConsumer]] = {}
        for c in consumers:
            lanes.setdefault(c.audio_format, []).append(c)
        self.lanes = [_Lane(fmt, cs) for fmt, cs in lanes.items()]
        self._block: _Block | None = None
        self._converter: av.AudioResampler | None = None
        self._format: tuple[int, str, str] | None = None     # (rate, layout, sample format) of the first frame
        self._names: tuple[str, ...] = ()

    def feed(self, packet) -> None:
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            self.corrupt_packets += 1
            return
        for frame in frames:
            self._frame(frame)

    def _frame(self, frame) -> None:
        if self.zero_s is None:                # a sound roll: time zero is its first sample
            self.zero_s = float(frame.time) if frame.time is not None else 0.0
        self.samples_in += frame.samples
        if self._format is None:
            self._format = (int(frame.sample_rate), frame.layout.name, frame.format.name)
            self._names = _channel_names(frame.layout)
        rate, layout, fmt = self._format
        time = float(frame.time) if frame.time is not None else None
        if (int(frame.sample_rate), frame.layout.name, frame.format.name) == (rate, layout, "fltp"):
            self._add(_planes(frame, len(self._names)), time)
            return
        # another sample format (or a change mid-stream): convert to the first frame's rate and
        # layout, as float planar; the converter counts samples, so gaps in pts open no holes
        if self._converter is None:
            self._converter = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        frame.pts = None
        for out in self._converter.resample(frame):
            self._add(_planes(out, len(self._names)), time)
            time = None

    def _add(self, samples: list[np.ndarray], time: float | None) -> None:
        if self._block is None:
            rate, layout, _ = self._format or (0, "", "")
            self._block = _Block(rate, layout, self._names, time, [[] for _ in self._names])
        block = self._block
        block.add(samples)
        if block.n >= block.rate * BLOCK_S:
            self._send()

    def _send(self) -> None:
        block, self._block = self._block, None
        if block is None or block.n == 0:
            return
        for lane in self.lanes:
            lane.push(block, self.zero_s or 0.0)

    def flush(self) -> None:
        try:
            for frame in self.stream.codec_context.decode(None):
                self._frame(frame)
        except (av.error.FFmpegError, ValueError):
            pass
        if self._converter is not None:
            for out in self._converter.resample(None):
                self._add(_planes(out, len(self._names)), None)
        self._send()
        for lane in self.lanes:
            lane.flush()


@dataclass
class AudioInfo:
    path: str
    rate: int
    channels: int
    samples: int
    duration_s: float


def first_audio_stream(container):
    return container.streams.audio[0] if container.streams.audio else None


def audio_pass(path: str | Path, consumers: Sequence[object], *, zero_s: float | None = None,
               cancelled: Callable[[], bool] | None = None) -> AudioInfo | None:
    """Decode only the audio of `path` for its audio consumers (sound rolls, and a step resumed
    after a restart whose frames were already analysed); then `finish()` them.

    `zero_s` is the media's time zero in stream seconds (the first video frame's time for a
    video file; None: the first audio sample). Returns None when the file has no audio.
    """
    wanted = audio_consumers(consumers)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise AudioDecodeError(f"{path}: cannot open: {exc}") from exc
    try:
        stream = first_audio_stream(container)
        if stream is None:
            return None
        if zero_s is None and container.streams.video:
            v = container.streams.video[0]
            if v.start_time is not None and v.time_base:
                zero_s = float(v.start_time * v.time_base)
        feeder = AudioFeeder(stream, wanted, zero_s)
        n = 0
        for packet in container.demux(stream):
            if packet.size == 0 and packet.pts is None:
                continue
            feeder.feed(packet)
            n += 1
            if cancelled is not None and n % 500 == 0 and cancelled():
                raise AudioCancelled(f"{path}: audio decode cancelled")
        feeder.flush()
        rate = int(stream.codec_context.sample_rate or 0)
        info = AudioInfo(path=str(path), rate=rate, channels=len(stream.codec_context.layout.channels),
                         samples=feeder.samples_in, duration_s=feeder.samples_in / rate if rate else 0.0)
    except av.error.FFmpegError as exc:
        raise AudioDecodeError(f"{path}: audio decode failed: {exc}") from exc
    finally:
        container.close()
    for c in wanted:
        c.finish()
    return info


def stream_zero_s(stream) -> float | None:
    """Seconds of a stream's first timestamp, or None when unknown."""
    if stream is None or stream.start_time is None or not stream.time_base:
        return None
    return float(Fraction(stream.start_time) * Fraction(stream.time_base.numerator, stream.time_base.denominator))
