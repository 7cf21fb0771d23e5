"""Where the dlib face models live, and loading them once per process.

The weights ship on PyPI in `face_recognition_models`; its `__init__` imports pkg_resources (gone
from setuptools >= 81), so the folder is found with importlib's spec and the package is never
imported. The model registry (`rushes.models.registry.model_file`, over `locate`) is asked first: it knows
about `RUSHES_MODELS` and models imported by hand on air-gapped machines.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rushes.models.registry import model_file
from rushes.models.resident import Resident

if TYPE_CHECKING:
    from rushes.settings import Settings

#: Registry name -> file name inside face_recognition_models/models/.
MODEL_FILES = {
    "dlib-cnn-face-detector": "mmod_human_face_detector.dat",
    "dlib-shape-predictor-5": "shape_predictor_5_face_landmarks.dat",
    "dlib-face-resnet": "dlib_face_recognition_resnet_model_v1.dat",
}
DESCRIPTOR_MODEL = "dlib-face-resnet"
DESCRIPTOR_VERSION = "v1"
DESCRIPTOR_DIM = 128


class FaceModelMissing(FileNotFoundError):
    """A face model file is absent; the message says which and how to get it."""


def _package_models_dir() -> Path | None:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "models"
        if folder.is_dir():
            return folder
    return None


def model_path(name: str, settings: "Settings | None" = None) -> Path:
    """The file of a named face model: the registry's answer, else the PyPI package's copy."""
    registry_says = ""
    if settings is not None:
        try:
            return Path(model_file(name, settings))
        except Exception as exc:  # registry has no usable file: try the wheel, keep its reason
            registry_says = f" (model registry: {exc})"
    filename = MODEL_FILES.get(name)
    if filename is None:
        raise FaceModelMissing(f"unknown face model {name!r}: known are {', '.join(sorted(MODEL_FILES))}")
    folder = _package_models_dir()
    path = folder / filename if folder else None
    if path is None or not path.is_file():
        raise FaceModelMissing(
            f"face model {name} ({filename}) not found: install it with "
            f"`pip install face-recognition-models` or `rushes models import {name} DIR`{registry_says}"
        )
    return path


@dataclass
class DlibModels:
    """The loaded dlib objects. The HOG detector is built into dlib and needs no file."""

    hog: Any
    shape5: Any
    resnet: Any
    cnn: Any | None = None


_loaded: Resident[tuple[str, ...], DlibModels] = Resident("dlib face models", one_at_a_time=False)


def load_models(settings: "Settings | None" = None, *, cnn: bool = False) -> DlibModels:
    """Load (once per process and set of files, until the daemon goes idle) the detector,
    landmark and descriptor models.

    Loading the ResNet takes ~0.3 s and 20 MB; every consumer of the same files shares one copy.
    dlib objects are safe to call from several threads (they release the GIL while they run).
    """
    import dlib

    shape = model_path("dlib-shape-predictor-5", settings)
    resnet = model_path(DESCRIPTOR_MODEL, settings)
    cnn_path = model_path("dlib-cnn-face-detector", settings) if cnn else None

    def load() -> DlibModels:
        try:
            return DlibModels(
                hog=dlib.get_frontal_face_detector(),
                shape5=dlib.shape_predictor(str(shape)),
                resnet=dlib.face_recognition_model_v1(str(resnet)),
                cnn=dlib.cnn_face_detection_model_v1(str(cnn_path)) if cnn_path else None,
            )
        except RuntimeError as exc:
            raise FaceModelMissing(f"cannot load face models from {shape.parent}: {exc}") from exc

    return _loaded.get((str(shape), str(resnet), str(cnn_path)), load)
