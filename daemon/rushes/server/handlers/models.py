"""ModelsHandlers: ListModels, VerifyModels, ImportModel over the model registry (issue 5).

Importing a scene model into a running daemon also queues re-embedding of every media whose
scene vectors came from another model: those jobs re-run probe (cheap, it finds the media by
fingerprint), `embed` and `cluster` only, so shots and faces are not redone.
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

REEMBED_STEPS = ["probe", "embed", "cluster"]


def model_pb(info: ModelInfo) -> pb.Model:
    return pb.Model(
        name=info.name, version=info.version, task=info.task, source=info.source, licence=info.licence,
        dimensions=int(info.dimensions), present=bool(info.present), path=info.path, detail=info.detail,
        fallback=bool(info.fallback),
    )


def queue_reembed(app: Any) -> list[int]:
    """One job per ready media whose embed stage is stale; returns the job ids."""
    from rushes.embed.step import stale_media

    jobs = []
    for media_id in stale_media(app.catalog, app.settings):
        row = app.catalog.query_one(
            "SELECT m.path, pm.project_id FROM media m LEFT JOIN project_media pm ON pm.media_id = m.id "
            "WHERE m.id = ? ORDER BY pm.added_at LIMIT 1", (media_id,))
        if row is None or not Path(row["path"]).exists():
            continue  # offline media are re-embedded when they come back and get re-ingested
        jobs.append(app.jobs.submit("ingest", project_id=row["project_id"], path=row["path"], media_id=media_id,
                                    steps=REEMBED_STEPS, params={"reason": "scene model changed"}))
    return jobs


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
            jobs = queue_reembed(self.app)
            if jobs:
                info.detail += f"; queued {len(jobs)} re-embed job(s) for media with older scene vectors"
        return model_pb(info)
