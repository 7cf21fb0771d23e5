"""Which runner takes a job: by its kind (ingest, render)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from rushes.jobs.pipeline import IngestRunner
from rushes.jobs.render_job import RenderRunner

if TYPE_CHECKING:
    from rushes.jobs.queue import JobQueue, JobSnapshot
    from rushes.jobs.stores import Stores


class JobRunner:
    def __init__(self, stores: "Stores") -> None:
        self.runners: dict[str, Callable[["JobQueue", "JobSnapshot"], None]] = {
            "ingest": IngestRunner(stores), "render": RenderRunner(stores)}

    def __call__(self, queue: "JobQueue", snap: "JobSnapshot") -> None:
        runner = self.runners.get(snap.kind)
        if runner is None:
            queue.finish(snap.id, "failed", error=f"unknown job kind {snap.kind!r}")
            return
        runner(queue, snap)
