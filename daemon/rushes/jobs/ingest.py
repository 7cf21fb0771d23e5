"""Ingest requests: files and folders in, one queued job per media file out.

Used by the Ingest RPC and by the folder watcher. It decides what needs doing (a file already
analysed and unchanged is skipped; one analysed for another project is linked there and only
re-clustered) and queues the rest; the job runner (jobs/pipeline.py) does the work.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rushes.catalog import media_rows, projects
from rushes.errors import InvalidArgument, NotFound, clip
from rushes.ingest.roots import check_root
from rushes.ingest.scan import scan
from rushes.jobs.pipeline import ingest_step_names
from rushes.jobs.queue import JobQueue
from rushes.jobs.stores import Stores


@dataclass(frozen=True)
class Skipped:
    """A path that got no job, and why (sidecar, not media, already ingested, already queued)."""

    path: str
    reason: str


@dataclass
class IngestOutcome:
    jobs: list[int] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def abspath(text: str) -> Path:
    """A path as the editor typed it (~ expanded), made absolute against the daemon's folder
    (RUSHES_HOME: `rushes serve` works from there; the CLI sends absolute paths)."""
    return Path(os.path.abspath(os.path.expanduser(text)))


def project_id(stores: Stores, name: str, *, create: bool = False) -> int:
    """The id of project `name`; created when asked (the "default" project always exists)."""
    name = name or "default"
    if create:
        with stores.catalog.transaction() as conn:
            return projects.ensure_project(conn, name)
    pid = projects.project_id(stores.catalog.connect(), name)
    if pid is None:
        if name == "default":
            with stores.catalog.transaction() as conn:
                return projects.ensure_project(conn, name)
        raise NotFound(f"no project {clip(name)}: ingest into it first or run `rushes projects`")
    return pid


class IngestService:
    """Turns an ingest request into queued jobs."""

    def __init__(self, stores: Stores, queue: JobQueue) -> None:
        self.stores = stores
        self.queue = queue

    def submit(self, project: str, paths: list[str], params: dict[str, Any] | None = None) -> IngestOutcome:
        """One job per media file under `paths`."""
        if not paths:
            raise InvalidArgument("nothing to ingest: give one or more files or folders")
        roots = []
        for text in paths:
            p = abspath(text)
            if not p.exists():
                raise NotFound(f"{clip(str(p))}: no such file or folder")
            roots.append(check_root(p, self.stores.settings.allowed_roots))
        pid = project_id(self.stores, project, create=True)
        out = IngestOutcome()
        for entry in scan(roots):
            path = Path(entry.path)
            if entry.action != "media":
                out.skipped.append(Skipped(str(path), entry.reason))
                continue
            known = self.skip_reason_if_known(path)
            if known is not None:
                reason, media_id = known
                if media_id is not None and not self._in_project(pid, media_id):
                    # Already analysed, new to this project: link it and cluster it there.
                    with self.stores.catalog.transaction() as conn:
                        projects.link_media(conn, pid, media_id)
                    out.jobs.append(self.queue.submit("ingest", project_id=pid, path=str(path), media_id=media_id,
                                                      steps=["cluster"], params=params or {}))
                    continue
                out.skipped.append(Skipped(str(path), reason))
                continue
            out.jobs.append(self.queue.submit("ingest", project_id=pid, path=str(path), steps=ingest_step_names(),
                                              params=params or {}))
        return out

    def skip_reason_if_known(self, path: Path) -> tuple[str, int | None] | None:
        """(why nothing needs doing, the ready media id or None), or None when the file needs a job.

        Same path, same size and mtime, already ready -> the media's id; a job already queued or
        running for the path -> None for the id.
        """
        catalog = self.stores.catalog
        row = catalog.query_one(  # any known copy of a media (media_paths, migration 0006)
            "SELECT m.id, mp.size, mp.mtime FROM media m JOIN media_paths mp ON mp.media_id=m.id "
            "WHERE mp.path=? AND m.status='ready' ORDER BY m.id DESC LIMIT 1", (str(path),))
        if row is not None and media_rows.same_file(path, row):
            return f"already ingested (media {row['id']})", int(row["id"])
        job = catalog.query_one("SELECT id FROM jobs WHERE path=? AND state IN ('queued','running')", (str(path),))
        if job is not None:
            return f"already queued (job {job['id']})", None
        return None

    def _in_project(self, pid: int, media_id: int) -> bool:
        return self.stores.catalog.query_one("SELECT 1 FROM project_media WHERE project_id=? AND media_id=?",
                                             (pid, media_id)) is not None
