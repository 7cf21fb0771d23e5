"""The daemon's services in one object, for the RPC handlers: stores, job queue, ingest, watch folders.

The App only wires typed services together; what they do lives in jobs/ (ingest requests, the
job runner, watch folders, re-embedding) and in the rooms. Handlers reach everything through
`self.app`; tests build an App on a temporary home and drive the servicer directly or over a
loopback port.
"""
from __future__ import annotations

import sqlite3

from rushes import __version__
from rushes.catalog import Catalog, media_rows
from rushes.jobs.catchup import queue_catch_up
from rushes.diskspace import DiskGuard
from rushes.jobs.ingest import IngestService, project_id
from rushes.jobs.runner import JobRunner
from rushes.jobs.queue import JobQueue
from rushes.jobs.reembed import queue_reembed
from rushes.jobs.stores import Stores
from rushes.jobs.watching import WatchService
from rushes.jobs.wiring import register_model_checks
from rushes.settings import Settings
from rushes.vectors import VectorStore


class App:
    def __init__(self, settings: Settings, *, start_workers: bool = True, start_watcher: bool = True) -> None:
        self.settings = settings
        register_model_checks()
        self.stores = Stores(settings)
        self.jobs = JobQueue(self.stores.catalog, JobRunner(self.stores), workers=max(1, settings.threads // 2),
                             space=self.stores.disk,
                             models_idle_release_s=float(settings.get("models_idle_release_s", 600.0)))
        self.ingest = IngestService(self.stores, self.jobs)
        self.watch = WatchService(self.stores, self.ingest)
        if start_workers:
            self.jobs.start()
            queue_catch_up(self.stores, self.jobs)
        if start_watcher:
            self.watch.start()

    @property
    def disk(self) -> DiskGuard:
        return self.stores.disk

    @property
    def catalog(self) -> Catalog:
        return self.stores.catalog

    @property
    def vectors(self) -> VectorStore:
        """Opened on first use, so a daemon whose vector engine is unreachable still serves the catalog."""
        return self.stores.vectors

    # ------------------------------------------------------------------ lookups every handler needs
    def project_id(self, name: str, *, create: bool = False) -> int:
        """The id of project `name` (NotFound naming it; "default" always exists)."""
        return project_id(self.stores, name, create=create)

    def resolve_media(self, text: str, project: str | None = None) -> sqlite3.Row:
        """MEDIA as the editor gave it (an id or a path), optionally checked against a project."""
        return media_rows.resolve_media(self.catalog.connect(), text, project or None)

    def queue_reembed(self) -> list[int]:
        """Re-embed jobs for media whose scene vectors came from another model."""
        return queue_reembed(self.stores, self.jobs)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.watch.stop()
        self.jobs.stop()
        self.stores.close()

    def version(self) -> str:
        return __version__
