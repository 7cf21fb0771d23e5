"""Real checks of a model's files: sizes, sha256 where the shipped bytes are known, and a load.

Kept apart from the registry because these do import the frameworks (dlib, torch,
transformers); the registry only imports this module when a person asks to verify or import.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rushes.models import locate as loc
from rushes.models.spec import ModelSpec

if TYPE_CHECKING:
    from rushes.settings import Settings

#: Files smaller than this are loaded by verify; bigger ones get their size and hash checked.
LOAD_LIMIT = 64 * 1024 * 1024


def _pin_matches(s: ModelSpec) -> bool:
    """True when the installed package is the version our sizes/hashes were taken from (or no pin)."""
    if not s.pinned_for:
        return True
    dist, _, version = s.pinned_for.partition("==")
    installed = loc.distribution_version(dist)
    return installed is None or installed == version


def check_files(s: ModelSpec, folder: Path) -> list[str]:
    """Sizes and sha256 of the files we know; raises ValueError naming the first bad file."""
    notes = []
    pinned = _pin_matches(s)
    for f in s.files:
        path = folder / f.name
        if not path.is_file():
            raise ValueError(f"{path}: missing")
        size = path.stat().st_size
        if not pinned:
            notes.append(f"{f.name} {size} bytes (sizes/hashes known for {s.pinned_for}, not this version)")
            continue
        if f.size is not None and size != f.size:
            raise ValueError(f"{path}: {size} bytes, expected {f.size} (as shipped in {s.pinned_for}): truncated or another file")
        if f.sha256 is not None:
            digest = loc.sha256_file(path)
            if digest != f.sha256:
                raise ValueError(f"{path}: sha256 {digest[:16]}..., expected {f.sha256[:16]}... (as shipped in {s.pinned_for})")
            notes.append(f"{f.name} sha256 ok")
        else:
            notes.append(f"{f.name} {size} bytes")
    return notes


def _load_dlib(s: ModelSpec, folder: Path) -> str:
    import dlib

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


def _check_scene(s: ModelSpec, folder: Path, settings: "Settings") -> str:
    from rushes.embed.clip import ClipEmbedder

    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    if size > 4 * 1024 ** 3:
        return f"{size / 1e9:.1f} GB: too big to load in a check, files present"
    emb = ClipEmbedder(folder, threads=settings.threads, version=loc.hf_folder_version(folder))
    img = emb.embed_images([np.full((48, 64, 3), 127, dtype=np.uint8)])
    txt = emb.embed_texts(["a test"])
    if img.shape != (1, emb.dim) or txt.shape != (1, emb.dim):
        raise ValueError(f"{folder}: image/text towers give shapes {img.shape}/{txt.shape}, want (1, {emb.dim})")
    return f"{emb.model_type} loads, image and text towers give {emb.dim}-d vectors"


def check_model(s: ModelSpec, folder: Path, settings: "Settings") -> str:
    """One line saying what was checked; raises on the first problem."""
    if s.kind == "builtin":
        from rushes.embed.classical import ClassicalDescriptor

        d = ClassicalDescriptor()
        v = d.embed_images([np.zeros((90, 160, 3), dtype=np.uint8) + 40])
        if v.shape != (1, s.dimensions):
            raise ValueError(f"classical descriptor gives shape {v.shape}, registry says {s.dimensions}")
        return f"{s.dimensions}-d descriptor computes"
    if s.kind == "hf-folder":
        problem = loc.hf_folder_problem(folder)
        if problem:
            raise ValueError(problem)
        return _check_scene(s, folder, settings)
    notes = check_files(s, folder)
    if s.module == "dlib" or "dlib" in s.requires:
        if all((folder / f.name).stat().st_size <= LOAD_LIMIT for f in s.files):
            notes.append(_load_dlib(s, folder))
    if s.kind == "wheel-files":
        notes.extend(_check_wheel_model(s, folder, settings))
    if s.name == "transnetv2":
        notes.append(_check_referee(settings))
    if not notes:
        notes.append(f"files present in {folder}")
    return ", ".join(notes)


def _check_wheel_model(s: ModelSpec, folder: Path, settings: "Settings") -> list[str]:
    """Derived files present, and a real run of the small ONNX models."""
    import onnxruntime as ort

    from rushes.models import prepare

    for name in s.derived:
        if not (folder / name).is_file():
            raise ValueError(f"{folder / name}: missing (pull or import the model again to make it)")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, min(2, settings.threads))
    if s.name == "mobilenetv2":
        sess = ort.InferenceSession(str(folder / prepare.MOBILENETV2_FEATURES), opts, providers=["CPUExecutionProvider"])
        out = sess.run(None, {prepare.INPUT_NAME: np.zeros((2, 3, 224, 224), np.float32)})[0]
        if out.shape != (2, s.dimensions):
            raise ValueError(f"MobileNetV2 features give shape {out.shape} for 2 images, want (2, {s.dimensions})")
        return [f"features run: {s.dimensions}-d, any batch size"]
    if s.name == "silero-vad":
        sess = ort.InferenceSession(str(folder / s.files[0].name), opts, providers=["CPUExecutionProvider"])
        prob, state = sess.run(None, {"input": np.zeros((1, 576), np.float32), "state": np.zeros((2, 1, 128), np.float32),
                                      "sr": np.array(16000, np.int64)})
        if prob.shape != (1, 1) or state.shape != (2, 1, 128):
            raise ValueError(f"Silero VAD gives shapes {prob.shape}/{state.shape}, want (1, 1)/(2, 1, 128)")
        return ["runs on 16 kHz chunks"]
    return []


def _check_referee(settings: "Settings") -> str:
    """Prepare the shot referee's runtime (exporting the ONNX graph the first time, so the first
    ingest does not pay for it) and judge one window with it."""
    from rushes.shots import referee

    rt = referee.get_runtime(settings, 1)
    single, many = rt.run(np.zeros((1, 24, referee.INPUT_H, referee.INPUT_W, 3), np.uint8))
    if single.shape != (1, 24) or many.shape != (1, 24):
        raise ValueError(f"the shot referee gives shapes {single.shape}/{many.shape} for a 24-frame window")
    where = f" ({rt.path})" if isinstance(rt, referee.OnnxRuntime) else ""
    return f"referee runs on {rt.name}{where}"
