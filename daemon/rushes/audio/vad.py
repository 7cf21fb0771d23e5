"""Speech presence with Silero VAD (ONNX, run by onnxruntime directly).

The file comes from the model registry (`silero-vad`, taken out of the silero-vad wheel: that
package's own install would pull torchaudio and replace torch). Silero VAD v5/v6 at 16 kHz takes
512-sample chunks with the previous 64 samples prepended as context and a (2, batch, 128) LSTM
state, and gives one speech probability per 32 ms chunk.

Chunks run one onnxruntime call each (0.19 ms per 32 ms of audio on the 2-core box: 0.6% of
real time), state carried from chunk to chunk, so the result does not depend on how the decode
pass cut the audio into pieces. Running stretches in parallel batches with a warm-up was
measured and rejected: the LSTM state does not converge back, and 0.2-0.3% of chunk decisions
flipped on dialogue.wav (design notes).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rushes.errors import RushesError
from rushes.models import registry

if TYPE_CHECKING:
    from rushes.settings import Settings

MODEL_NAME = "silero-vad"
RATE = 16000
CHUNK = 512
CONTEXT = 64


@dataclass(frozen=True)
class SpeechSegment:
    start_s: float
    end_s: float


class SileroVad:
    """Speech probability per 32 ms chunk of 16 kHz mono audio, fed in pieces of any length."""

    def __init__(self, model_path: str | Path, *, threads: int = 1) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, int(threads))
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
        names = [i.name for i in self.session.get_inputs()]
        if names[:3] != ["input", "state", "sr"]:
            raise ValueError(f"{model_path}: not a Silero VAD v5/v6 graph (inputs {names}, want input, state, sr)")
        self._sr = np.array(RATE, np.int64)
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros((2, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)
        self._probs = array("f")     # per 32 ms for the whole media: 4 bytes each, not a float object

    def feed(self, audio: np.ndarray) -> None:
        buf = np.concatenate([self._pending, np.asarray(audio, np.float32).ravel()])
        n = len(buf) // CHUNK
        for i in range(n):
            chunk = buf[i * CHUNK:(i + 1) * CHUNK]
            window = np.concatenate([self._context, chunk])[None, :]
            prob, self._state = self.session.run(None, {"input": window, "state": self._state, "sr": self._sr})
            self._probs.append(float(prob[0, 0]))
            self._context = chunk[-CONTEXT:]
        self._pending = buf[n * CHUNK:]

    def probabilities(self) -> np.ndarray:
        """Every full chunk's probability so far (a last partial chunk is not judged)."""
        return np.frombuffer(self._probs, np.float32).copy()

    def run(self, audio: np.ndarray) -> np.ndarray:
        """Probabilities of a whole 16 kHz mono array, from a fresh state."""
        self.reset()
        self.feed(audio)
        return self.probabilities()


def speech_segments(probs: np.ndarray, *, threshold: float = 0.5, min_speech_s: float = 0.25,
                    min_silence_s: float = 0.1, pad_s: float = 0.03) -> list[SpeechSegment]:
    """Stretches of speech from chunk probabilities, with Silero's usual hysteresis (on above
    `threshold`, off below threshold - 0.15), short pauses bridged and short blips dropped."""
    chunk_s = CHUNK / RATE
    off = max(0.0, threshold - 0.15)
    raw: list[list[float]] = []
    on = False
    for i, p in enumerate(probs):
        if not on and p >= threshold:
            on = True
            raw.append([i * chunk_s, (i + 1) * chunk_s])
        elif on:
            if p >= off:
                raw[-1][1] = (i + 1) * chunk_s
            else:
                on = False
    merged: list[list[float]] = []
    for seg in raw:
        if merged and seg[0] - merged[-1][1] < min_silence_s:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    end = len(probs) * chunk_s
    return [SpeechSegment(max(0.0, a - pad_s), min(end, b + pad_s)) for a, b in merged if b - a >= min_speech_s]


def locate_model(settings: "Settings") -> tuple[Path | None, str]:
    """The Silero VAD file from the model registry, or (None, what to do to get it)."""
    try:
        return registry.model_file(MODEL_NAME, settings), ""
    except RushesError as exc:
        return None, str(exc)
