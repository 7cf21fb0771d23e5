"""Scene embeddings: one vector per keyframe, from an image-text model or the classical descriptor.

`load_scene_embedder(settings)` picks the image-text model when the registry finds one, else the
classical descriptor; `rushes.embed.step.run` is the pipeline step that fills vectors "scene".
"""
from rushes.embed.base import SceneEmbedder, TextSearchUnavailable
from rushes.embed.loader import load_scene_embedder

__all__ = ["SceneEmbedder", "TextSearchUnavailable", "load_scene_embedder"]
