"""Choosing the scene embedder: the image-text model when the registry finds one, else classical.

Loaded models are cached per (folder, version, threads): a job per file must not reload 600 MB
of CLIP each time, and a model imported while the daemon runs gets a new version, so the next
job picks it up without a restart.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from rushes.embed.base import SceneEmbedder
from rushes.embed.classical import ClassicalDescriptor
from rushes.models import locate as loc
from rushes.models import registry

if TYPE_CHECKING:
    from rushes.settings import Settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[tuple[str, str, int], SceneEmbedder] = {}
_failed: dict[tuple[str, str, int], str] = {}


def load_scene_embedder(settings: "Settings", *, allow_fallback: bool = True) -> SceneEmbedder:
    """The embedder scene vectors come from now.

    A present but broken image-text folder falls back to the classical descriptor (a bad model
    must not fail every ingest) and the reason is kept for `scene_model_problem`; with
    allow_fallback=False it raises instead (used by import checks and tests).
    """
    try:
        folder = registry.locate(registry.SCENE_MODEL, settings)
    except registry.ModelMissing:
        return ClassicalDescriptor()
    key = (str(folder), loc.hf_folder_version(folder), int(settings.threads))
    with _lock:
        if key in _cache:
            return _cache[key]
        if key in _failed and allow_fallback:
            return ClassicalDescriptor()
        from rushes.embed.clip import ClipEmbedder

        try:
            emb = ClipEmbedder(folder, threads=settings.threads, version=key[1], name=registry.SCENE_MODEL,
                               batch_size=int(settings.get("embed_batch", 16)))
        except Exception as exc:
            _failed[key] = str(exc)
            registry.report_load_failure(registry.SCENE_MODEL, folder, str(exc))
            if not allow_fallback:
                raise
            log.warning("scene model at %s does not load, using the classical descriptor: %s", folder, exc)
            return ClassicalDescriptor()
        _cache.clear()  # one image-text model in memory at a time
        _cache[key] = emb
        return emb


def scene_model_problem(settings: "Settings") -> str | None:
    """Why a present image-text folder is not in use (it failed to load), or None."""
    try:
        folder = registry.locate(registry.SCENE_MODEL, settings)
    except registry.ModelMissing:
        return None
    return _failed.get((str(folder), loc.hf_folder_version(folder), int(settings.threads)))


def current_stage_version(settings: "Settings") -> str:
    """The version the embed stage would record now ("<model>@<version>"), for the pipeline's
    skip check and for finding media whose scene vectors are stale."""
    return load_scene_embedder(settings).stage_version
