"""The speech step's ear on the one decode pass: 16 kHz mono from the pass that decodes the
picture, so a video's sound is read once, and sample 0 is the media's time zero (its first
video frame), the origin every frame number counts from.

The samples go to an unnamed temporary file in RUSHES_HOME (float16: 115 MB per hour of
sound; Whisper's log-mel input loses nothing at that precision), not into memory: kept in
memory they made the daemon grow by ~135 MB per hour of media during the pass (one small
array per AAC frame), and handing Whisper the whole recording at once cost several times that
again (issue 11). The step reads the file back a window at a time (rushes.speech.windows).
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

import numpy as np

from rushes.decode.audio import AudioFormat, DecodedAudio

RATE = 16000
_DTYPE = np.dtype("<f2")


class SpeechAudio:
    """An audio consumer (rushes.decode.audio) spooling 16 kHz mono from time zero to disk.

    `folder` holds the temporary file (None: the system's temporary folder); the file has no
    name, so it disappears with the process however the job ends.
    """

    audio_format = AudioFormat(rate=RATE, mono=True)

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder
        self._file: IO[bytes] | None = None
        self._count = 0
        self._first: int | None = None
        self.finished = False

    def consume_audio(self, chunk: DecodedAudio) -> None:
        if self._first is None:
            self._first = int(chunk.start)
        mono = chunk.samples[0] if chunk.samples.ndim == 2 else chunk.samples
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="rushes-speech-", dir=self._folder)
        self._file.write(np.asarray(mono, dtype=_DTYPE).tobytes())
        self._count += len(mono)

    def finish(self) -> None:
        self.finished = True
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Drop the spooled samples (the file goes with its descriptor)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._count = 0

    @property
    def heard(self) -> bool:
        return self.finished and self._first is not None

    def __len__(self) -> int:
        """Samples from time zero to the last one heard (silence before the first sample the
        file holds counts; samples before time zero do not)."""
        first = self._first or 0
        return max(0, first + self._count)

    def read(self, start: int, stop: int) -> np.ndarray:
        """float32 samples [start, stop) from time zero: zeros before the first sample the file
        holds, and samples before time zero dropped."""
        stop = min(stop, len(self))
        if stop <= start:
            return np.zeros(0, np.float32)
        out = np.zeros(stop - start, np.float32)
        first = self._first or 0
        # position in the spooled file of sample `start` (the file starts at sample `first`)
        a, b = start - first, stop - first
        lo = max(a, 0)
        if b > lo and self._file is not None:
            self._file.flush()
            self._file.seek(lo * _DTYPE.itemsize)
            data = np.frombuffer(self._file.read((b - lo) * _DTYPE.itemsize), _DTYPE)
            out[lo - a: lo - a + len(data)] = data
        return out

    def samples(self) -> np.ndarray:
        """Every sample from time zero, float32 (short media and tests; the step reads windows)."""
        return self.read(0, len(self))
