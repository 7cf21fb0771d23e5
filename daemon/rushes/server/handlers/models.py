"""ModelsHandlers: ListModels, VerifyModels, ImportModel over the model registry (issue 5).

Importing a scene model into a running daemon also queues re-embedding of every media whose
scene vectors came from another model (rushes.jobs.reembed).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rushes.errors import InvalidArgument
from rushes.models import registry
from rushes.models.spec import ModelInfo
from rushes_proto.v1 import rushes_pb2 as pb

log = logging.getLogger(__name__)

def model_pb(info: ModelInfo) -> pb.Model:
    return pb.Model(
        name=info.name, version=info.version, task=info.task, source=info.source, licence=info.licence,
        dimensions=int(info.dimensions), present=bool(info.present), path=info.path, detail=info.detail,
        fallback=bool(info.fallback),
    )


class ModelsHandlers:
    app: Any

    def ListModels(self, request: pb.ListModelsRequest, context: Any) -> pb.ListModelsResponse:
        return pb.ListModelsResponse(models=[model_pb(m) for m in registry.list_models(self.app.settings)])

    def VerifyModels(self, request: pb.VerifyModelsRequest, context: Any) -> pb.ListModelsResponse:
        return pb.ListModelsResponse(models=[model_pb(m) for m in registry.verify(self.app.settings)])

    def ImportModel(self, request: pb.ImportModelRequest, context: Any) -> pb.Model:
        if not request.name or not request.path:
            raise InvalidArgument("ImportModel needs a model name and a folder on the daemon's machine")
        info = registry.import_model(request.name, Path(request.path), self.app.settings)
        if info.task == "scene":
            jobs = self.app.queue_reembed()
            if jobs:
                info.detail += f"; queued {len(jobs)} re-embed job(s) for media with older scene vectors"
        return model_pb(info)
