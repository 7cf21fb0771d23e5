"""Finding model files on disk without importing heavy packages.

Listing models must stay instant and must work on machines where a model's package is broken
at import time: `face_recognition_models/__init__.py` imports pkg_resources, which setuptools
>= 81 no longer ships. So packages are found with `importlib.util.find_spec` (reads the import
system's metadata, runs no package code) or `importlib.metadata` (reads the dist-info), never
with `import`.
"""
from __future__ import annotations

import fnmatch
import hashlib
import importlib.metadata
import importlib.util
import json
from pathlib import Path

#: Files that hold a transformers checkpoint's weights, one of which must be in a model folder.
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
#: model_type values (config.json) of image-text models whose towers we know how to call.
IMAGE_TEXT_TYPES = ("clip", "siglip", "siglip2", "chinese_clip", "altclip")


def package_folder(module: str) -> Path | None:
    """The folder of an installed top-level package, found without running its __init__."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    locations = list(spec.submodule_search_locations or [])
    if locations:
        return Path(locations[0])
    return Path(spec.origin).parent if spec.origin else None


def module_installed(module: str) -> bool:
    return package_folder(module) is not None


def distribution_version(dist: str) -> str | None:
    """Installed version of a distribution (PyPI name), None when not installed."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def distribution_file(dist: str, pattern: str) -> Path | None:
    """First file of an installed distribution whose path matches a glob, e.g. '*/model.bin'."""
    try:
        d = importlib.metadata.distribution(dist)
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in sorted(d.files or [], key=str):
        if fnmatch.fnmatch(str(f), pattern):
            path = Path(str(d.locate_file(f)))
            if path.exists():
                return path
    return None


def hf_folder_problem(folder: Path) -> str | None:
    """Why `folder` is not a usable image-text checkpoint, or None when it looks complete."""
    if not folder.is_dir():
        return f"{folder}: no such folder"
    cfg = folder / "config.json"
    if not cfg.is_file():
        return f"{folder}: no config.json (not a transformers model folder)"
    try:
        model_type = json.loads(cfg.read_text(encoding="utf-8")).get("model_type", "")
    except (OSError, ValueError) as exc:
        return f"{cfg}: unreadable: {exc}"
    if model_type not in IMAGE_TEXT_TYPES:
        return f"{cfg}: model_type {model_type!r} is not an image-text model (want one of {', '.join(IMAGE_TEXT_TYPES)})"
    if not any((folder / w).is_file() for w in WEIGHT_FILES):
        return f"{folder}: no weights ({' or '.join(WEIGHT_FILES[::2])})"
    if not any((folder / t).is_file() for t in ("tokenizer.json", "vocab.json", "spiece.model", "tokenizer.model")):
        return f"{folder}: no tokenizer files (tokenizer.json, vocab.json or spiece.model)"
    if not any((folder / p).is_file() for p in ("preprocessor_config.json", "processor_config.json")):
        return f"{folder}: no preprocessor_config.json (image preprocessing settings)"
    return None


def hf_folder_version(folder: Path) -> str:
    """A short, stable identity of a checkpoint: model type + hash of its config and weight sizes.

    Reading the weights to hash them would cost seconds on every listing; the config plus the
    names and sizes of the weight files change whenever the checkpoint does, which is what
    re-embedding needs to notice.
    """
    cfg = folder / "config.json"
    h = hashlib.sha256(cfg.read_bytes())
    for w in WEIGHT_FILES:
        p = folder / w
        if p.is_file():
            h.update(f"{w}:{p.stat().st_size}".encode())
    try:
        model_type = json.loads(cfg.read_text(encoding="utf-8")).get("model_type", "hf")
    except ValueError:
        model_type = "hf"
    return f"{model_type}-{h.hexdigest()[:12]}"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
