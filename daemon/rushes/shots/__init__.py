"""Shot boundaries, black/freeze segments and keyframes from the one decode pass.

`analyse_file(path, ...)` is the whole analysis in-process (the CLI uses it on a path when no
daemon runs); `rushes.shots.step.run(ctx)` is the pipeline step "analyse", which stores it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from rushes.shots.types import Segment, Shot, ShotAnalysis, Transition
from rushes.settings import Settings

__all__ = ["analyse_file", "ShotAnalysis", "Shot", "Transition", "Segment", "model_mode"]


def model_mode(settings: Settings | None, override: str | None = None) -> str:
    """off | auto | full: an explicit choice, else setting shots_model, else auto."""
    from rushes.shots.analyse import MODES

    mode = (override or (settings.get("shots_model", "auto") if settings is not None else "auto") or "auto").lower()
    if mode not in MODES:
        raise ValueError(f"shots model must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def analyse_file(path: str | Path, settings: Settings | None = None, *, model: str | None = None,
                 consumers: Sequence[Any] = (), progress: Callable[[float], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, threads: int | None = None) -> ShotAnalysis:
    """Decode `path` once (feeding `consumers` too) and return its shots; stores nothing."""
    from rushes.decode.decode import decode_pass
    from rushes.shots.analyse import ShotAnalyser

    threads = int(threads or (settings.threads if settings is not None else 2))
    analyser = ShotAnalyser(settings, model_mode(settings, model), threads)
    try:
        info = decode_pass(path, [analyser, *consumers], progress=progress, cancelled=cancelled, threads=threads,
                           low_width=int(settings.get("decode_low_width", 128)) if settings is not None else 128)
    finally:
        analyser.close()
    return analyser.result(info)
