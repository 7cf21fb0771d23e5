"""The speech step's ear on the one decode pass: 16 kHz mono from the pass that decodes the
picture, so a video's sound is read once, and sample 0 is the media's time zero (its first
video frame), the origin every frame number counts from.

Whisper wants the whole recording at once; 16 kHz float32 is 230 MB per hour of sound, so
the samples are kept as float16 (half that; Whisper's log-mel input loses nothing at that
precision) and widened once when transcription starts.
"""
from __future__ import annotations

import numpy as np

from rushes.decode.audio import AudioFormat, DecodedAudio

RATE = 16000


class SpeechAudio:
    """An audio consumer (rushes.decode.audio) collecting 16 kHz mono from time zero."""

    audio_format = AudioFormat(rate=RATE, mono=True)

    def __init__(self) -> None:
        self._chunks: list[np.ndarray] = []
        self._first: int | None = None
        self.finished = False

    def consume_audio(self, chunk: DecodedAudio) -> None:
        if self._first is None:
            self._first = int(chunk.start)
        mono = chunk.samples[0] if chunk.samples.ndim == 2 else chunk.samples
        self._chunks.append(np.asarray(mono, dtype=np.float16))

    def finish(self) -> None:
        self.finished = True

    @property
    def heard(self) -> bool:
        return self.finished and self._first is not None

    def samples(self) -> np.ndarray:
        """float32 samples from time zero: silence before the first sample the file holds, and
        samples before time zero (audio starting ahead of the picture) dropped."""
        data = np.concatenate(self._chunks).astype(np.float32) if self._chunks else np.zeros(0, np.float32)
        first = self._first or 0
        if first > 0:
            data = np.concatenate([np.zeros(first, np.float32), data])
        elif first < 0:
            data = data[-first:]
        return data
