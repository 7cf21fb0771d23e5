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


class _Lane:
    """One resampler and the consumers that share its output format."""

    def __init__(self, fmt: AudioFormat, consumers: list[AudioConsumer]) -> None:
        self.fmt = fmt
        self.consumers = consumers
        self.resampler: av.AudioResampler | None = None
        self.rate = 0
        self.position: int | None = None    # next sample index on this lane's rate

    def _ensure(self, frame) -> None:
        if self.resampler is not None:
            return
        self.rate = int(self.fmt.rate or frame.sample_rate)
        layout = "mono" if self.fmt.mono else frame.layout.name
        self.resampler = av.AudioResampler(format="fltp", layout=layout, rate=self.rate)

    def push(self, frame, zero_s: float) -> None:
        self._ensure(frame)
        assert self.resampler is not None
        if self.position is None and frame is not None and frame.time is not None:
            self.position = int(round((float(frame.time) - zero_s) * self.rate))
        self._emit(self.resampler.resample(frame))

    def flush(self) -> None:
        if self.resampler is not None:
            self._emit(self.resampler.resample(None))

    def _emit(self, frames) -> None:
        for out in frames:
            samples = out.to_ndarray()
            if samples.ndim == 1:
                samples = samples[None, :]
            samples = np.ascontiguousarray(samples, dtype=np.float32)
            start = self.position or 0
            self.position = start + samples.shape[1]
            if start < 0:                  # audio that starts before the first picture
                cut = min(-start, samples.shape[1])
                samples, start = samples[:, cut:], start + cut
            if samples.shape[1] == 0:
                continue
            chunk = DecodedAudio(start=start, rate=self.rate, channels=_channel_names(out.layout), samples=samples)
            for c in self.consumers:
                c.consume_audio(chunk)


class AudioFeeder:
    """Feeds one audio stream's packets to audio consumers, grouped by the format they ask for."""

    def __init__(self, stream, consumers: Sequence[AudioConsumer], zero_s: float | None) -> None:
        self.stream = stream
        self.zero_s = zero_s
        self.samples_in = 0
        self.corrupt_packets = 0
        lanes: dict[AudioFormat, list[AudioConsumer]] = {}
        for c in consumers:
            lanes.setdefault(c.audio_format, []).append(c)
        self.lanes = [_Lane(fmt, cs) for fmt, cs in lanes.items()]

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
        frame.pts = None                       # the lanes count samples; let swr not pad gaps
        self.samples_in += frame.samples
        for lane in self.lanes:
            lane.push(frame, self.zero_s)

    def flush(self) -> None:
        try:
            for frame in self.stream.codec_context.decode(None):
                self._frame(frame)
        except (av.error.FFmpegError, ValueError):
            pass
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
