"""Pipeline step `text_index`: every transcript and on-screen text line of a media into vectors "text".

Point id = text span id (catalog ids are Qdrant ids); the payload says which media, which
source and which frames. The stage version names the model and the versions of the speech and
ocr stages it indexed, so re-transcribing or re-reading a media re-indexes it and nothing else.
Without the MiniLM model the step records nothing and says so: exact word search still works,
and the step runs once the model is imported.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from rushes.catalog import texts
from rushes.steps import stages
from rushes.search.loader import MISSING_HINT, load_text_embedder, text_model_folder
from rushes.search.textembed import DIM, MODEL_NAME, MODEL_VERSION

if TYPE_CHECKING:
    from rushes.steps.context import StepContext

log = logging.getLogger(__name__)

STAGE = "text_index"
COLLECTION = "text"
BATCH = 64


def current_version(ctx: "StepContext") -> str | None:
    if text_model_folder(ctx.settings) is None:
        return None
    conn = ctx.catalog.connect()
    mid = int(ctx.media["id"])
    sources = "+".join(f"{s}={stages.done_version(conn, mid, s) or '-'}" for s in ("speech", "ocr"))
    return f"{MODEL_NAME}@{MODEL_VERSION}|{sources}"


def run(ctx: "StepContext") -> None:
    from rushes.vectors import Point

    version = current_version(ctx)
    if version is None:
        ctx.report(1.0, f"text_index skipped: {MISSING_HINT}")
        return
    media_id = int(ctx.media["id"])
    spans = texts.spans(ctx.catalog.connect(), texts.SpanFilter(media_ids=[media_id]))
    # Nothing said or written: no model to load (torch + MiniLM cost seconds per daemon).
    embedder = load_text_embedder(ctx.settings) if spans else None
    if spans and embedder is None:
        ctx.report(1.0, f"text_index skipped: {MISSING_HINT}")
        return
    points = []
    for i in range(0, len(spans), BATCH):
        batch = spans[i:i + BATCH]
        vecs = embedder.embed([s.text for s in batch])  # type: ignore[union-attr]
        points += [Point(id=int(s.id), vector=v, payload={  # type: ignore[arg-type]
            "media_id": media_id, "span_id": int(s.id), "source": s.source, "start_frame": s.start_frame,
            "end_frame": s.end_frame, "model": MODEL_NAME, "model_version": MODEL_VERSION})
            for s, v in zip(batch, vecs)]
        ctx.progress(min(1.0, (i + BATCH) / max(1, len(spans))) * 0.95, f"text vectors {min(len(spans), i + BATCH)}/{len(spans)}")
    if points or ctx.vectors.has_collection(COLLECTION):
        ctx.vectors.ensure_collection(COLLECTION, DIM)
        ctx.vectors.delete(COLLECTION, filter={"media_id": media_id})
    if points:
        ctx.vectors.upsert(COLLECTION, points)
    with ctx.catalog.transaction() as conn:
        stages.mark_done(conn, media_id, STAGE, version)
    ctx.progress(1.0, f"{len(points)} text vectors")
