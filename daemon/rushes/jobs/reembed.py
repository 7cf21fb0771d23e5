"""Re-embedding after the scene model changed: one job per media whose scene vectors are stale.

Those jobs re-run probe (cheap, it finds the media by fingerprint), `embed` and `cluster`
only, so shots and faces are not redone. Queued when a scene model is imported into a running
daemon and when the daemon starts with a model that appeared while it was down.
"""
from __future__ import annotations

from pathlib import Path

from rushes.embed.step import stale_media
from rushes.jobs.queue import JobQueue
from rushes.jobs.stores import Stores

REEMBED_STEPS = ["probe", "embed", "cluster"]


def queue_reembed(stores: Stores, queue: JobQueue) -> list[int]:
    """One job per ready media whose embed stage is stale; returns the job ids."""
    jobs = []
    for media_id in stale_media(stores.catalog, stores.settings):
        row = stores.catalog.query_one(
            "SELECT m.path, pm.project_id FROM media m LEFT JOIN project_media pm ON pm.media_id = m.id "
            "WHERE m.id = ? ORDER BY pm.added_at LIMIT 1", (media_id,))
        if row is None or not Path(row["path"]).exists():
            continue  # offline media are re-embedded when they come back and get re-ingested
        jobs.append(queue.submit("ingest", project_id=row["project_id"], path=row["path"], media_id=media_id,
                                 steps=REEMBED_STEPS, params={"reason": "scene model changed"}))
    return jobs
