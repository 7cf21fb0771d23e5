"""HealthHandlers: Health (version, data folder, stores, models and fallbacks, queue depth)."""
from __future__ import annotations

from pathlib import Path

import grpc

from rushes.diskspace import bytes_on_disk, bytes_on_disk_file
from rushes.models import registry, resident
from rushes.native_memory import resident_memory_bytes
from rushes.server import convert
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb


class HealthHandlers:
    app: App

    def Health(self, request: pb.HealthRequest, context: grpc.ServicerContext) -> pb.HealthResponse:
        app = self.app
        queued, running = app.jobs.depth()
        catalog_bytes = sum(bytes_on_disk_file(Path(str(app.settings.catalog_path) + s)) for s in ("", "-wal", "-shm"))
        stores = [pb.StoreInfo(name="catalog", engine="sqlite", location=str(app.settings.catalog_path), ok=True,
                               detail=f"schema {app.catalog.version()}, WAL", bytes_on_disk=catalog_bytes)]
        try:
            store = app.vectors
            engine, location = app.stores.vector_engine()
            counts = ", ".join(f"{c}: {store.count(c)}" for c in store.collections())
            footprint = bytes_on_disk(app.settings.vectors_dir) if engine == "qdrant-edge" else 0
            stores.append(pb.StoreInfo(name="vectors", engine=engine, location=location, ok=True, detail=counts,
                                       bytes_on_disk=footprint))
        except Exception as exc:  # health must answer even when the vector engine does not
            engine, location = app.stores.vector_engine()
            stores.append(pb.StoreInfo(name="vectors", engine=engine, location=location, ok=False, detail=str(exc)))
        models, fallbacks = _models(app)
        free = app.disk.free()
        return pb.HealthResponse(
            version=app.version(), data_folder=str(app.settings.home), stores=stores, models=models,
            queue_depth=queued, running_jobs=running, address=app.settings.address, threads=app.settings.threads,
            fallbacks=fallbacks, schema_version=app.catalog.version(),
            disk_free_bytes=free, disk_reserve_bytes=app.disk.reserve, disk_full=free < app.disk.reserve,
            disk_detail=app.disk.message(free) if free < app.disk.reserve else "",
            memory_bytes=resident_memory_bytes(), loaded_models=resident.loaded(),
            models_idle_release_s=app.jobs.models_idle_release_s,
        )


def _models(app: App) -> tuple[list[pb.Model], list[str]]:
    """Models present and fallbacks in use."""
    try:
        infos = registry.list_models(app.settings)
        fallbacks = list(registry.fallbacks(app.settings))
    except Exception as exc:  # health must answer even when a model folder is broken
        return [], [f"models: cannot list ({exc})"]
    return [convert.model(m) for m in infos], fallbacks
