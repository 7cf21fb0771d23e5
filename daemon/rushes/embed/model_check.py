"""The embed room's load checks: the built-in classical descriptor and image-text scene models
(registered into the model registry by jobs/wiring.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from rushes.embed.classical import ClassicalDescriptor
from rushes.models import locate as loc
from rushes.models.spec import ModelSpec
from rushes.settings import Settings


def check_classical(s: ModelSpec, folder: Path, settings: Settings) -> str:
    v = ClassicalDescriptor().embed_images([np.zeros((90, 160, 3), dtype=np.uint8) + 40])
    if v.shape != (1, s.dimensions):
        raise ValueError(f"classical descriptor gives shape {v.shape}, registry says {s.dimensions}")
    return f"{s.dimensions}-d descriptor computes"


def check_scene_model(s: ModelSpec, folder: Path, settings: Settings) -> str:
    """Load both towers and embed one picture and one text (skipped above 4 GB: files only)."""
    from rushes.embed.clip import ClipEmbedder  # deferred: brings torch and transformers

    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    if size > 4 * 1024 ** 3:
        return f"{size / 1e9:.1f} GB: too big to load in a check, files present"
    emb = ClipEmbedder(folder, threads=settings.threads, version=loc.hf_folder_version(folder))
    img = emb.embed_images([np.full((48, 64, 3), 127, dtype=np.uint8)])
    txt = emb.embed_texts(["a test"])
    if img.shape != (1, emb.dim) or txt.shape != (1, emb.dim):
        raise ValueError(f"{folder}: image/text towers give shapes {img.shape}/{txt.shape}, want (1, {emb.dim})")
    return f"{emb.model_type} loads, image and text towers give {emb.dim}-d vectors"
