"""The pipeline's last step: bring the project's clustering up to date after a media is analysed.

It runs after every media, so it must be cheap when nothing changed (the engine compares a
signature of the inputs and returns at once) and cheap when a little footage arrived (new shots
and tracks join the nearest existing cluster; a full HDBSCAN run happens only once enough is
new). Clustering is per project: a media in several projects re-clusters the one whose job ran.
"""
from __future__ import annotations

from rushes.clustering import engine
from rushes.steps.stages import mark_done

VERSION = "cluster-1"


def run(ctx) -> None:
    """`rushes.steps.context.StepContext` -> None: re-cluster ctx.project_id incrementally."""
    ctx.progress(0.0, "clustering scenes and people")
    done = engine.recluster(ctx.catalog, ctx.vectors, ctx.settings, ctx.project_id)
    with ctx.catalog.transaction() as conn:
        mark_done(conn, int(ctx.media["id"]), "cluster", VERSION)
    ctx.progress(1.0, ", ".join(f"{view}: {what}" for view, what in done.items()))
