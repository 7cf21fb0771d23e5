"""Pipeline step `embed`: one scene vector per keyframe into vectors "scene".

Point id = keyframe id (catalog ids are Qdrant ids); payload says which media, shot, frame and
which model made it. The stage is recorded as "<model>@<version>", so when an image-text model
appears (or changes) the pipeline re-runs only this stage (and what depends on it), and the
media's old points are replaced, never mixed with the new model's.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rushes.embed.images import fetch_frames, load_thumbnail, thumb_file
from rushes.embed.loader import load_scene_embedder
from rushes.steps import stages
from rushes.steps.context import StepFailed
from rushes.vectors import Point

if TYPE_CHECKING:
    from rushes.catalog import Catalog
    from rushes.embed.base import SceneEmbedder
    from rushes.steps.context import StepContext
    from rushes.settings import Settings

log = logging.getLogger(__name__)

STAGE = "embed"
COLLECTION = "scene"
BATCH = 32


def current_version(ctx: "StepContext") -> str:
    """What run() would record now; the pipeline skips the step when the stage already has it."""
    return load_scene_embedder(ctx.settings).stage_version


def keyframe_rows(catalog: "Catalog", media_id: int) -> list[Any]:
    return catalog.query(
        "SELECT k.id, k.shot_id, k.frame, k.thumb_path FROM keyframes k JOIN shots s ON s.id = k.shot_id "
        "WHERE s.media_id = ? ORDER BY k.frame, k.id",
        (media_id,),
    )


def _pictures(ctx: "StepContext", rows: list[Any]) -> list[np.ndarray | None]:
    """Thumbnails, with frames fetched from the media for the ones that are missing."""
    pics = [None if (p := thumb_file(ctx.settings, r["thumb_path"])) is None else load_thumbnail(p) for r in rows]
    missing = [r["frame"] for r, pic in zip(rows, pics) if pic is None]
    if missing:
        log.info("media %s: %d keyframe thumbnails missing, fetching frames", ctx.media["id"], len(missing))
        fetched = fetch_frames(Path(ctx.media["path"]), missing, threads=ctx.settings.threads)
        pics = [pic if pic is not None else fetched.get(int(r["frame"])) for r, pic in zip(rows, pics)]
    return pics


def ensure_scene_collection(ctx: "StepContext", dim: int) -> None:
    """Create vectors "scene" for `dim`; if it holds another model's dimension, drop it and mark
    every media's embed stage stale (those vectors are not comparable with the new model's)."""
    store = ctx.vectors
    existing = store.dimension(COLLECTION)
    if existing is not None and existing != dim:
        log.warning("vectors %r hold %d-d vectors, the scene model gives %d-d: dropping them; "
                    "every media's scene vectors will be redone", COLLECTION, existing, dim)
        store.drop_collection(COLLECTION)
        with ctx.catalog.transaction() as conn:
            conn.execute("DELETE FROM analysis_stages WHERE stage = ?", (STAGE,))
    store.ensure_collection(COLLECTION, dim)


def embed_media(ctx: "StepContext", embedder: "SceneEmbedder") -> int:
    """Embed every keyframe of ctx.media, replace its points, mark the stage; returns points written."""
    media_id = int(ctx.media["id"])
    rows = keyframe_rows(ctx.catalog, media_id)
    ids: list[int] = []
    chunks: list[np.ndarray] = []
    skipped = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        pics = _pictures(ctx, batch)
        keep = [(r, p) for r, p in zip(batch, pics) if p is not None]
        skipped += len(batch) - len(keep)
        if keep:
            chunks.append(embedder.embed_images([p for _, p in keep]))
            ids.extend(int(r["id"]) for r, _ in keep)
        ctx.progress(min(len(rows), start + BATCH) / max(1, len(rows)) * 0.95,
                     f"{embedder.name}: {min(len(rows), start + BATCH)}/{len(rows)} keyframes")
    if rows and not ids:
        raise StepFailed(f"{ctx.media['path']}: none of its {len(rows)} keyframe pictures could be read or decoded")
    by_id = {int(r["id"]): r for r in rows}
    vectors = np.concatenate(chunks) if chunks else np.zeros((0, embedder.dim), dtype=np.float32)
    points = [
        Point(id=kid, vector=vec, payload={
            "media_id": media_id, "shot_id": int(by_id[kid]["shot_id"]), "frame": int(by_id[kid]["frame"]),
            "keyframe_id": kid, "model": embedder.name, "model_version": embedder.version,
        })
        for kid, vec in zip(ids, vectors)
    ]
    ensure_scene_collection(ctx, embedder.dim)
    # Replace, not merge: keyframes of a re-analysed media get new ids, and a new model's
    # vectors must not sit beside the old model's.
    ctx.vectors.delete(COLLECTION, filter={"media_id": media_id})
    if points:
        ctx.vectors.upsert(COLLECTION, points)
    with ctx.catalog.transaction() as conn:
        stages.mark_done(conn, media_id, STAGE, embedder.stage_version)
    if skipped:
        log.warning("%s: %d of %d keyframes had no picture and were not embedded", ctx.media["path"], skipped, len(rows))
    ctx.progress(1.0, f"{len(points)} scene vectors ({embedder.stage_version})")
    return len(points)


def run(ctx: "StepContext") -> None:
    """The pipeline step: embed with the current scene model (image-text if present, else classical)."""
    embed_media(ctx, load_scene_embedder(ctx.settings))


def stale_media(catalog: "Catalog", settings: "Settings") -> list[int]:
    """Media whose scene vectors were made by another model than the current one (or never made):
    what to re-run the embed stage for after `rushes models import/pull`."""
    version = load_scene_embedder(settings).stage_version
    rows = catalog.query(
        "SELECT m.id FROM media m LEFT JOIN analysis_stages a ON a.media_id = m.id AND a.stage = ? "
        "WHERE m.kind = 'video' AND m.status = 'ready' AND (a.version IS NULL OR a.version <> ?) ORDER BY m.id",
        (STAGE, version),
    )
    return [int(r["id"]) for r in rows]
