"""Bringing media up to date with steps added after they were analysed (issue 16: speech, ocr,
text_index): at start, one job per ready media running only the steps it never ran.

A step is owed when its module is in this build, applies to the media (`applies(media)` when
the module defines one, and a picture for steps that need video), has a current version (its
model is present) and the media has no stage row for it. A stage row of any version means the
step ran: what changed models re-do is each step's own business (re-embedding, for one).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

from rushes.steps import stages
from rushes.steps.context import StepContext
from rushes.jobs.pipeline import INGEST_STEPS, _load
from rushes.jobs.queue import JobQueue
from rushes.jobs.stores import Stores

log = logging.getLogger(__name__)

CATCH_UP_STEPS = ("speech", "ocr", "text_index")


def owed_steps(stores: Stores, row) -> list[str]:
    """The catch-up steps this media row never ran and could run now."""
    conn = stores.catalog.connect()
    # current_version reads settings, catalog and the media row only: no vector store is opened.
    ctx = StepContext(catalog=stores.catalog, vectors=cast(Any, None), settings=stores.settings, media=row,
                      project_id=int(row["first_project"] or 0), job_id=0)
    owed = []
    for name, module_name, needs_video in INGEST_STEPS:
        if name not in CATCH_UP_STEPS or module_name is None:
            continue
        module = _load(module_name)
        if module is None or (needs_video and row["kind"] != "video"):
            continue
        applies = getattr(module, "applies", None)
        if applies is not None and not applies(row):
            continue
        if stages.done_version(conn, int(row["id"]), name) is not None:
            continue
        version_fn = getattr(module, "current_version", None)
        if version_fn is not None and version_fn(ctx) is None:
            continue
        owed.append(name)
    return owed


def queue_catch_up(stores: Stores, queue: JobQueue) -> list[int]:
    """One job per ready media owing catch-up steps; returns the job ids. Never raises: bringing
    old media up to date must not stop the daemon starting."""
    jobs: list[int] = []
    try:
        rows = stores.catalog.query(
            "SELECT m.*, (SELECT pm.project_id FROM project_media pm WHERE pm.media_id = m.id "
            "ORDER BY pm.added_at LIMIT 1) AS first_project FROM media m WHERE m.status = 'ready' ORDER BY m.id")
        for row in rows:
            if row["first_project"] is None or not Path(row["path"]).exists():
                continue
            owed = owed_steps(stores, row)
            if owed:
                jobs.append(queue.submit("ingest", project_id=int(row["first_project"]), path=row["path"],
                                         media_id=int(row["id"]), steps=owed,
                                         params={"reason": "analysis added since this media was ingested"}))
    except Exception as exc:
        log.warning("could not queue the analysis added since media were ingested: %s", exc)
    if jobs:
        log.info("queued %d job(s) to bring media up to date (%s)", len(jobs), ", ".join(CATCH_UP_STEPS))
    return jobs
