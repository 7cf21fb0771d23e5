"""The shots room's load check for TransNetV2 (registered into the model registry by jobs/wiring.py).

Preparing the referee's runtime exports the ONNX graph the first time, so `rushes models
verify` spares the first ingest that cost.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from rushes.models.spec import ModelSpec
from rushes.settings import Settings
from rushes.shots import referee


def check_referee(s: ModelSpec, folder: Path, settings: Settings) -> str:
    """Prepare the shot referee's runtime and judge one blank 24-frame window with it."""
    rt = referee.get_runtime(settings, 1)
    single, many = rt.run(np.zeros((1, 24, referee.INPUT_H, referee.INPUT_W, 3), np.uint8))
    if single.shape != (1, 24) or many.shape != (1, 24):
        raise ValueError(f"the shot referee gives shapes {single.shape}/{many.shape} for a 24-frame window")
    where = f" ({rt.path})" if isinstance(rt, referee.OnnxRuntime) else ""
    return f"referee runs on {rt.name}{where}"
