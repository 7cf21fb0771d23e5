"""Real checks of a model's files: sizes, sha256 where the shipped bytes are known, and a load.

The registry knows every model's files but not how to load them: loading is each room's
business (the face room loads dlib models, the embed room the scene models, the shots room
its referee). A room's load check is registered here by the wiring layer
(`rushes.jobs.wiring.register_model_checks`), so this module, and the registry above it,
import no room and no framework.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from rushes.models import locate as loc
from rushes.models.spec import ModelSpec

if TYPE_CHECKING:
    from rushes.settings import Settings

#: Files smaller than this are loaded by verify; bigger ones get their size and hash checked.
LOAD_LIMIT = 64 * 1024 * 1024

#: A room's check that a model really loads and runs: one line saying what was checked; raises on a problem.
LoadCheck = Callable[[ModelSpec, Path, "Settings"], str]

_LOAD_CHECKS: dict[str, LoadCheck] = {}


def register_load_check(names: Iterable[str], check: LoadCheck) -> None:
    """Make `check` the load check of each named model (the wiring layer calls this once per room)."""
    for name in names:
        _LOAD_CHECKS[name] = check


def load_check(name: str) -> LoadCheck | None:
    return _LOAD_CHECKS.get(name)


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


def check_model(s: ModelSpec, folder: Path, settings: "Settings") -> str:
    """One line saying what was checked; raises on the first problem."""
    check = load_check(s.name)
    if s.kind == "builtin":
        return check(s, folder, settings) if check else "built in"
    if s.kind == "hf-folder":
        problem = loc.hf_folder_problem(folder)
        if problem:
            raise ValueError(problem)
        return check(s, folder, settings) if check else f"files present in {folder} (no load check registered)"
    notes = check_files(s, folder)
    if check is not None:
        if all((folder / f.name).stat().st_size <= LOAD_LIMIT for f in s.files):
            notes.append(check(s, folder, settings))
        else:
            notes.append(f"bigger than {LOAD_LIMIT >> 20} MiB: not loaded in a check")
    if s.kind == "wheel-files":
        notes.extend(_check_wheel_model(s, folder, settings))
    if not notes:
        notes.append(f"files present in {folder}")
    return ", ".join(notes)


def _check_wheel_model(s: ModelSpec, folder: Path, settings: "Settings") -> list[str]:
    """Derived files present, and a real run of the small ONNX models (no room needed: plain ONNX)."""
    import numpy as np  # deferred with onnxruntime: listing models loads no numerical stack
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
