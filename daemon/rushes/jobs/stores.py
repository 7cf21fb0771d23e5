"""The daemon's stores in one typed object: settings, the catalog, and the vector store opened on first use.

The job runner, the ingest and watch services and the server all take this object, so none of
them needs the server's App (that dependency made jobs/pipeline.py and server/app.py import
each other).
"""
from __future__ import annotations

import threading

from rushes.catalog import Catalog
from rushes.diskspace import DiskGuard, home_guard
from rushes.homedir import ensure_private_home
from rushes.settings import Settings
from rushes.vectors import VectorStore, open_store


class Stores:
    """Settings, catalog and vectors of one data folder; `close()` closes what was opened."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        ensure_private_home(settings.home)  # 0700: the catalog and pictures are nobody else's
        self.catalog = Catalog.open(settings.catalog_path)
        self.disk: DiskGuard = home_guard(settings)
        self._vectors: VectorStore | None = None
        self._lock = threading.Lock()

    @property
    def vectors(self) -> VectorStore:
        """Opened on first use, so a daemon whose vector engine is unreachable still serves the catalog."""
        with self._lock:
            if self._vectors is None:
                # Opening a shard may write (WAL replay, an older shard's rewrite): not on a full
                # disk, where a write into a mapped file is a SIGBUS. Catalog reads go on meanwhile.
                self.disk.check()
                self._vectors = open_store(self.settings)
            return self._vectors

    def vector_engine(self) -> tuple[str, str]:
        """(engine, location) as the open store reports them; from settings before it opens."""
        if self._vectors is not None:
            return str(self._vectors.engine), str(self._vectors.location)
        if self.settings.qdrant_url:
            return "qdrant-client", self.settings.qdrant_url
        return "qdrant-edge", str(self.settings.vectors_dir)

    def close(self) -> None:
        if self._vectors is not None:
            try:
                self._vectors.close()
            except Exception:  # pragma: no cover - closing is best effort at shutdown
                pass
        self.catalog.close()
