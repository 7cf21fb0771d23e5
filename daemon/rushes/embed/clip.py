"""Image-text scene embeddings through transformers: any CLIP or SigLIP checkpoint folder.

Both towers are used: images give scene vectors, texts give queries in the same space (visual
text search). Loading is local only (`local_files_only=True`): weights are never fetched at run
time; `rushes models pull` is the one place that downloads, and only when asked.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from rushes.embed.base import SceneEmbedder, l2_normalise

log = logging.getLogger(__name__)

DEFAULT_BATCH = 16


def _features(output: Any) -> Any:
    """get_*_features returns a tensor (transformers 4.x) or an output whose pooler_output is
    the projected embedding (5.x); accept both."""
    if hasattr(output, "pooler_output") and output.pooler_output is not None:
        return output.pooler_output
    if isinstance(output, (tuple, list)):
        return output[0]
    return output


def _rgb(image: np.ndarray) -> np.ndarray:
    """HxWx3 uint8 for the image processor (grey-scale repeated, alpha dropped)."""
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    return np.ascontiguousarray(arr[:, :, :3]).astype(np.uint8, copy=False)


class ClipEmbedder(SceneEmbedder):
    """CLIP/SigLIP towers from a local folder, batched, on CPU with the configured thread count."""

    supports_text = True

    def __init__(self, folder: Path, *, threads: int = 1, version: str = "", name: str = "clip-vit-b32",
                 batch_size: int = DEFAULT_BATCH) -> None:
        import torch
        from transformers import AutoImageProcessor, AutoModel, AutoTokenizer

        self.folder = Path(folder)
        self.name = name
        self.version = version
        self.batch_size = max(1, int(batch_size))
        # torch's pool is process-wide: cap it so the daemon never takes the editor's cores.
        torch.set_num_threads(max(1, int(threads)))
        self._torch = torch
        try:
            self.model = AutoModel.from_pretrained(self.folder, local_files_only=True)
            self.tokenizer = AutoTokenizer.from_pretrained(self.folder, local_files_only=True)
            self.processor = AutoImageProcessor.from_pretrained(self.folder, local_files_only=True)
        except Exception as exc:
            raise ValueError(f"{self.folder}: cannot load the image-text model: {type(exc).__name__}: {exc}") from exc
        self.model.eval()
        for tower in ("get_image_features", "get_text_features"):
            if not hasattr(self.model, tower):
                raise ValueError(f"{self.folder}: {type(self.model).__name__} has no {tower} (not an image-text model)")
        self.model_type = str(getattr(self.model.config, "model_type", "clip"))
        text_cfg = getattr(self.model.config, "text_config", None)
        self.max_text_len = int(getattr(text_cfg, "max_position_embeddings", 77) or 77)
        # SigLIP was trained on max_length-padded text; CLIP reads up to its EOS token.
        self._padding = "max_length" if self.model_type.startswith("siglip") else True
        probe = self.embed_images([np.zeros((32, 32, 3), dtype=np.uint8)])
        self.dim = int(probe.shape[1])

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        out = []
        for i in range(0, len(images), self.batch_size):
            batch = [_rgb(img) for img in images[i:i + self.batch_size]]
            inputs = self.processor(images=batch, return_tensors="pt")
            with self._torch.inference_mode():
                feats = _features(self.model.get_image_features(pixel_values=inputs["pixel_values"]))
            out.append(feats.float().cpu().numpy())
        if not out:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        return l2_normalise(np.concatenate(out))

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        out = []
        for i in range(0, len(texts), self.batch_size):
            batch = [str(t) for t in texts[i:i + self.batch_size]]
            inputs = self.tokenizer(batch, padding=self._padding, truncation=True, max_length=self.max_text_len,
                                    return_tensors="pt")
            kwargs = {"input_ids": inputs["input_ids"]}
            if "attention_mask" in inputs and not self.model_type.startswith("siglip"):
                kwargs["attention_mask"] = inputs["attention_mask"]
            with self._torch.inference_mode():
                feats = _features(self.model.get_text_features(**kwargs))
            out.append(feats.float().cpu().numpy())
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(np.concatenate(out))
