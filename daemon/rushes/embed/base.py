"""What every scene embedder offers, and the error text search raises without an image-text model."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np

from rushes.errors import FailedPrecondition

TEXT_SEARCH_HINT = (
    "searching images by text needs an image-text model (CLIP or SigLIP), and only the classical "
    "descriptor is installed: on a machine online run `rushes models pull clip-vit-b32`; air-gapped, "
    "copy a CLIP folder over and run `rushes models import clip-vit-b32 DIR` (or set scene_model_path), "
    "then re-analyse so scene vectors use it"
)


class TextSearchUnavailable(FailedPrecondition):
    """Text-to-image search asked of an embedder that has no text tower (travels as FAILED_PRECONDITION)."""

    def __init__(self, message: str = TEXT_SEARCH_HINT) -> None:
        super().__init__(message)


class SceneEmbedder(ABC):
    """Keyframe images (and, for image-text models, queries) -> L2-normalised vectors of `dim`.

    `name` is the registry name and `version` identifies the exact weights: together they are
    stored with every vector and as the embed stage's version, so a model change is noticed.
    """

    name: str
    version: str
    dim: int
    supports_text: bool = False

    @property
    def stage_version(self) -> str:
        return f"{self.name}@{self.version}"

    @abstractmethod
    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """HxWx3 uint8 RGB images (any sizes) -> (n, dim) float32, each row unit length."""

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Queries -> (n, dim) float32 in the image space; raises TextSearchUnavailable without a text tower."""
        raise TextSearchUnavailable()


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; an all-zero row stays zero rather than becoming NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
