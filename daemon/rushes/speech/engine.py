"""Transcribing audio with faster-whisper (CTranslate2, int8 on CPU).

The model folder (config.json, model.bin, tokenizer.json, vocabulary.txt) comes from the model
registry; the engine is handed it and never fetches anything (a folder without tokenizer.json
would make faster-whisper ask the hub, so it is refused here). Decoding runs on the speech the
Silero VAD finds (`vad_filter`, the ONNX model inside faster-whisper), so music and silence cost
nothing and produce no invented words. Language: set, or detected once per media (multilingual
models); English-only models (".en") are English.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from rushes.models.resident import Resident

REQUIRED = ("config.json", "model.bin", "tokenizer.json")


@dataclass(frozen=True)
class SpokenWord:
    word: str
    start_s: float
    end_s: float
    probability: float


@dataclass(frozen=True)
class SpokenSegment:
    start_s: float
    end_s: float
    text: str
    avg_logprob: float
    words: tuple[SpokenWord, ...]


@dataclass(frozen=True)
class SpokenText:
    language: str
    language_probability: float
    duration_s: float
    speech_s: float                      # after VAD
    segments: tuple[SpokenSegment, ...]


class SpeechEngine:
    def __init__(self, folder: Path, *, threads: int = 1, english_only: bool = False) -> None:
        from faster_whisper import WhisperModel

        folder = Path(folder)
        missing = [f for f in REQUIRED if not (folder / f).is_file()]
        if missing:
            raise FileNotFoundError(f"{folder}: Whisper folder lacks {', '.join(missing)}")
        self.folder = folder
        self.english_only = english_only
        self.model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=max(1, int(threads)),
                                  num_workers=1, local_files_only=True)
        self._lock = threading.Lock()

    def transcribe(self, audio: str | Path | np.ndarray, *, language: str | None = None, beam_size: int = 1,
                   progress: Callable[[float], None] | None = None) -> SpokenText:
        """Segments with word times; `audio` is a file (decoded at 16 kHz mono) or such samples."""
        if self.english_only:
            language = "en"
        with self._lock:
            segments, info = self.model.transcribe(
                str(audio) if isinstance(audio, Path) else audio, language=language or None, beam_size=beam_size,
                word_timestamps=True, vad_filter=True, condition_on_previous_text=False)
            out = []
            for seg in segments:
                words = tuple(SpokenWord(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                              for w in (seg.words or []) if w.word.strip())
                out.append(SpokenSegment(float(seg.start), float(seg.end), seg.text.strip(), float(seg.avg_logprob),
                                         words))
                if progress is not None and info.duration:
                    progress(min(1.0, float(seg.end) / float(info.duration)))
        speech_s = float(getattr(info, "duration_after_vad", info.duration) or 0.0)
        return SpokenText(language=str(info.language), language_probability=float(info.language_probability),
                          duration_s=float(info.duration), speech_s=speech_s, segments=tuple(out))


_loaded: Resident[tuple[str, int], SpeechEngine] = Resident("Whisper")


def engine_for(folder: Path, threads: int, *, english_only: bool) -> SpeechEngine:
    """A shared engine for the folder and thread count (kept until the daemon goes idle)."""
    return _loaded.get((str(folder), int(threads)),
                       lambda: SpeechEngine(folder, threads=threads, english_only=english_only))
