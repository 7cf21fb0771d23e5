"""ModelsHandlers: ListModels, VerifyModels, ImportModel over the model registry (issue 5).

Importing a scene model into a running daemon also queues re-embedding of every media whose
scene vectors came from another model (rushes.jobs.reembed).
"""
from __future__ import annotations

import logging
from pathlib import Path

import grpc

from rushes.errors import InvalidArgument
from rushes.models import registry
from rushes.server import convert
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb

log = logging.getLogger(__name__)

class ModelsHandlers:
    app: App

    def ListModels(self, request: pb.ListModelsRequest, context: grpc.ServicerContext) -> pb.ListModelsResponse:
        return pb.ListModelsResponse(models=[convert.model(m) for m in registry.list_models(self.app.settings)])

    def VerifyModels(self, request: pb.VerifyModelsRequest, context: grpc.ServicerContext) -> pb.ListModelsResponse:
        return pb.ListModelsResponse(models=[convert.model(m) for m in registry.verify(self.app.settings)])

    def ImportModel(self, request: pb.ImportModelRequest, context: grpc.ServicerContext) -> pb.Model:
        if not request.name or not request.path:
            raise InvalidArgument("ImportModel needs a model name and a folder on the daemon's machine")
        info = registry.import_model(request.name, Path(request.path), self.app.settings)
        if info.task == "scene":
            jobs = self.app.queue_reembed()
            if jobs:
                info.detail += f"; queued {len(jobs)} re-embed job(s) for media with older scene vectors"
        return convert.model(info)
