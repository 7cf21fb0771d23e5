"""Model registry: which models Rushes uses, where their files are, and how to get them offline.

`rushes.models.registry` is the API (list_models, locate, verify, pull, import_model, fallbacks);
`spec` holds the table of models. Importing this package imports no framework.
"""
from rushes.models.spec import ModelInfo, ModelSpec

__all__ = ["ModelInfo", "ModelSpec"]
