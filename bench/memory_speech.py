"""The speech step's memory on a long film, alone (issue 11): what the decode pass keeps for
Whisper, and the peak when Whisper is handed its audio.

    PYTHONPATH=<tree>/daemon nice python bench/memory_speech.py FILM [MODEL_DIR] [WINDOW_S]

Runs the given tree's SpeechAudio over FILM's sound (an audio-only pass: the same audio
consumer the decode pass feeds), then hands faster-whisper what that tree hands it (the whole
recording before issue 11's fix; one window after it) and stops at the first segment: by then
Whisper has run its VAD and its log-mel spectrogram over all it was given, which is where the
peak is. Prints VmRSS and VmHWM (MB) after each stage. Run once per tree, each in its own
process (VmHWM is per process).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path


def mem() -> str:
    got = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            got[line.split(":")[0]] = int(line.split()[1]) // 1024
    return f"RSS {got['VmRSS']:5d} MB  peak {got['VmHWM']:5d} MB"


def main() -> None:
    film = sys.argv[1]
    model_dir = Path(sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else Path.home() / ".local/share/rushes/models/whisper-tiny-en")
    from faster_whisper import WhisperModel

    from rushes.decode.audio import audio_pass
    from rushes.speech.audio import SpeechAudio

    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True)
    print(f"model loaded            {mem()}", flush=True)
    t0 = time.monotonic()
    windowed = hasattr(SpeechAudio, "read")
    ear = SpeechAudio(Path("/tmp")) if windowed else SpeechAudio()
    audio_pass(film, [ear])
    print(f"audio heard ({time.monotonic() - t0:4.0f} s)  {mem()}", flush=True)
    if windowed:
        from rushes.speech.step import DEFAULT_WINDOW_S
        from rushes.speech.windows import windows

        window_s = float(sys.argv[3]) if len(sys.argv) > 3 else DEFAULT_WINDOW_S
        start, stop = next(windows(len(ear), ear.read, window_s))
        audio = ear.read(start, stop)
    else:
        audio = ear.samples()
    print(f"handed {len(audio) / 16000 / 60:5.1f} min     {mem()}", flush=True)
    segments, info = model.transcribe(audio, language="en", beam_size=1, word_timestamps=True, vad_filter=True,
                                      condition_on_previous_text=False)
    first = next(iter(segments), None)
    print(f"first segment ({time.monotonic() - t0:4.0f} s) {mem()}  {first.text if first else ''!r}", flush=True)


if __name__ == "__main__":
    main()
