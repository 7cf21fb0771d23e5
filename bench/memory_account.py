"""What the decode pass's consumers keep, by the line that allocated it (issue 11).

    PYTHONPATH=<tree>/daemon nice python bench/memory_account.py FILM [MODELS]

One decode pass over FILM with the shot analyser (auto), the highlights collector with its
Silero VAD and the speech step's ear (faces left out: they need the dlib models and hold a few
MB an hour), under tracemalloc; prints the 15 lines whose allocations grew most over the pass.
Allocations numpy and Python make are traced; native libraries' own (onnxruntime, PyAV, PIL)
are not. Run once per tree to compare (bench/RESULTS.md, issue 11).
"""
from __future__ import annotations

import sys
import time
import tempfile
import tracemalloc
from pathlib import Path


def main() -> None:
    film = sys.argv[1]
    models = Path(sys.argv[2]) if len(sys.argv) > 2 else Path.home() / ".local/share/rushes/models"
    tracemalloc.start(1)
    from rushes.audio.vad import locate_model
    from rushes.decode.decode import decode_pass
    from rushes.highlights.features import FeatureCollector
    from rushes.settings import load_settings
    from rushes.shots.analyse import ShotAnalyser
    from rushes.speech.audio import SpeechAudio

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"RUSHES_HOME": tmp, "RUSHES_MODELS": str(models)})
        vad, _ = locate_model(settings)
        shots = ShotAnalyser(settings, "auto", 2)
        highlights = FeatureCollector(1, 24.0, vad_model=vad)
        ear = SpeechAudio(Path(tmp)) if hasattr(SpeechAudio, "read") else SpeechAudio()   # before issue 11: no folder
        base = tracemalloc.take_snapshot()
        t0 = time.monotonic()
        info = decode_pass(film, [shots, *highlights.consumers(), ear], threads=2)
        print(f"decoded {info.frame_count} frames in {time.monotonic() - t0:.0f} s")
        for stat in tracemalloc.take_snapshot().compare_to(base, "lineno")[:15]:
            frame = stat.traceback[0]
            where = frame.filename.split("site-packages/")[-1].split("/daemon/")[-1]
            print(f"{stat.size_diff / 1e6:8.2f} MB {stat.count_diff:8d} blocks  {where}:{frame.lineno}")
        current, peak = tracemalloc.get_traced_memory()
        print(f"traced now {current / 1e6:.1f} MB, peak {peak / 1e6:.1f} MB")
        shots.close()
        highlights.close()


if __name__ == "__main__":
    main()
