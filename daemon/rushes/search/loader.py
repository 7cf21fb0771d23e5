"""Finding the MiniLM folder through the model registry (never downloaded at run time)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from rushes.models import registry
from rushes.search.textembed import MODEL_NAME, TextEmbedder, embedder_for

if TYPE_CHECKING:
    from rushes.settings import Settings

log = logging.getLogger(__name__)

MISSING_HINT = (f"searching by meaning needs {MODEL_NAME}: run `rushes models pull {MODEL_NAME}` "
                f"(or `rushes models import {MODEL_NAME} DIR` on an air-gapped machine)")


def text_model_folder(settings: "Settings") -> Path | None:
    """The MiniLM folder when present (the registry's answer), else None."""
    try:
        folder = registry.locate(MODEL_NAME, settings)
    except registry.ModelMissing:
        return None
    folder = Path(folder)
    return folder if (folder / "config.json").is_file() else None


def load_text_embedder(settings: "Settings") -> TextEmbedder | None:
    folder = text_model_folder(settings)
    if folder is None:
        return None
    return embedder_for(folder, int(settings.threads))
