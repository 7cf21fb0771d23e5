"""Choosing the scene embedder: the image-text model when the registry finds one, else
ImageNet MobileNetV2 features combined with the classical descriptor when MobileNetV2 is pulled
(bench/clusters.py: the combination beats either alone), else the classical descriptor alone.
The `scene_embedder` setting forces one: auto (default), classical, mobilenetv2, combined.

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
from rushes.embed.mobilenet import CombinedEmbedder, MobileNetEmbedder
from rushes.errors import InvalidArgument
from rushes.models import locate as loc
from rushes.models import prepare
from rushes.models import registry
from rushes.models.resident import Resident

if TYPE_CHECKING:
    from rushes.settings import Settings

log = logging.getLogger(__name__)

_lock = threading.Lock()      # guards _failed
_failed: dict[tuple[str, str, int], str] = {}
_scene_models: Resident[tuple[str, str, int], SceneEmbedder] = Resident("MobileNetV2 scene embedder",
                                                                         one_at_a_time=False)
_image_text: Resident[tuple[str, str, int], SceneEmbedder] = Resident("image-text model")  # one in memory at a time


MOBILENET = "mobilenetv2"
#: Weight of MobileNetV2 in the combined vector (cosine = w cos_mobilenet + (1-w) cos_classical):
#: 0.5 was best on both of bench/clusters.py's sets (0.3 and 0.7 lower).
COMBINED_WEIGHT = 0.5
CHOICES = ("auto", "classical", "mobilenetv2", "combined")


def _choice(settings: "Settings") -> str:
    choice = str(settings.get("scene_embedder", "auto") or "auto").strip().lower()
    if choice not in CHOICES:
        raise InvalidArgument(f"scene_embedder must be one of {', '.join(CHOICES)}, got {choice!r}")
    return choice


def _without_image_text(settings: "Settings", choice: str) -> SceneEmbedder:
    """MobileNetV2 (+ classical) when pulled and asked for (auto asks), else classical."""
    if choice == "classical":
        return ClassicalDescriptor()
    try:
        folder = registry.locate(MOBILENET, settings)
    except registry.ModelMissing:
        if choice != "auto":
            raise
        return ClassicalDescriptor()
    key = (str(folder), f"{MOBILENET}:{choice}", int(settings.threads))

    def load() -> SceneEmbedder:
        mn = MobileNetEmbedder(folder / prepare.MOBILENETV2_FEATURES, threads=settings.threads,
                               version="7-features1", name=MOBILENET,
                               batch_size=int(settings.get("embed_batch", 16)))
        return mn if choice == "mobilenetv2" else CombinedEmbedder(mn, ClassicalDescriptor(), COMBINED_WEIGHT)

    return _scene_models.get(key, load)


def load_scene_embedder(settings: "Settings", *, allow_fallback: bool = True) -> SceneEmbedder:
    """The embedder scene vectors come from now.

    A present but broken image-text folder falls back to the next choice (a bad model must not
    fail every ingest) and the reason is kept for `scene_model_problem`; with
    allow_fallback=False it raises instead (used by import checks and tests).
    """
    choice = _choice(settings)
    if choice != "auto":
        return _without_image_text(settings, choice)
    try:
        folder = registry.locate(registry.SCENE_MODEL, settings)
    except registry.ModelMissing:
        return _without_image_text(settings, choice)
    key = (str(folder), loc.hf_folder_version(folder), int(settings.threads))
    if not _image_text.holds(key):
        with _lock:
            failed = key in _failed
        if failed and allow_fallback:
            return _without_image_text(settings, choice)
    from rushes.embed.clip import ClipEmbedder

    try:
        return _image_text.get(key, lambda: ClipEmbedder(folder, threads=settings.threads, version=key[1],
                                                        name=registry.SCENE_MODEL,
                                                        batch_size=int(settings.get("embed_batch", 16))))
    except Exception as exc:
        with _lock:
            _failed[key] = str(exc)
        registry.report_load_failure(registry.SCENE_MODEL, folder, str(exc))
        if not allow_fallback:
            raise
        log.warning("scene model at %s does not load, using the fallback scene vectors: %s", folder, exc)
    return _without_image_text(settings, choice)


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
