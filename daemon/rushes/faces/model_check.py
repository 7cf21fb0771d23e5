"""The face room's load check for its dlib models (registered into the model registry by jobs/wiring.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from rushes.models.spec import ModelSpec
from rushes.settings import Settings


def check_dlib_model(s: ModelSpec, folder: Path, settings: Settings) -> str:
    """Load the model in dlib (the HOG detector also runs once on a blank picture)."""
    import dlib  # deferred: listing the checks must not load dlib; verifying does

    if s.name == "dlib-hog-detector":
        detector = dlib.get_frontal_face_detector()
        detector(np.zeros((64, 64), dtype=np.uint8))
        return "HOG detector runs"
    path = str(folder / s.files[0].name)
    if s.name == "dlib-cnn-face-detector":
        dlib.cnn_face_detection_model_v1(path)
    elif s.name == "dlib-shape-predictor-5":
        dlib.shape_predictor(path)
    elif s.name == "dlib-face-resnet":
        dlib.face_recognition_model_v1(path)
    return "loads in dlib"
