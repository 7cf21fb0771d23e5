"""IngestHandlers: Ingest (files and folders in, one queued job per media file out)."""
from __future__ import annotations

import grpc

from rushes.errors import InvalidArgument, clip
from rushes.server import convert
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb

SHOTS_MODELS = ("off", "auto", "full")


class IngestHandlers:
    app: App

    def Ingest(self, request: pb.IngestRequest, context: grpc.ServicerContext) -> pb.IngestResponse:
        params = {}
        if request.shots_model:
            if request.shots_model not in SHOTS_MODELS:
                raise InvalidArgument(f"shots_model must be off, auto or full, got {clip(request.shots_model)}")
            params["shots_model"] = request.shots_model
        project = request.project or "default"
        outcome = self.app.ingest.submit(project, list(request.paths), params)
        return pb.IngestResponse(
            jobs=[convert.job(self.app.jobs.get(j), project) for j in outcome.jobs],
            skipped=[pb.SkippedFile(path=s.path, reason=s.reason) for s in outcome.skipped],
        )
