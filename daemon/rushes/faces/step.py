"""The pipeline step "faces": face tracks + descriptors -> catalog and vectors "face".

Two halves, because faces ride on the one decode pass of step 2 ("analyse"):
  make_consumers(ctx) before the pass: a FaceSampler that analyses full frames at a stride while
                      the file decodes (docs/INTEGRATION.md, "The decode pass").
  run(ctx)            after the pass, once shots are in the catalog: link the samples into tracks
                      per shot and store them. When the job was resumed after a restart, scratch
                      is empty and the file is sampled again (one more decode of this file only).
Settings (env RUSHES_<KEY> or [analysis] in config.toml): faces_sample_s (seconds between
samples, 1.0), faces_detector (hog | cnn), faces_min_face (fraction of frame height, 0.11),
faces_max_pixels (detection image cap, 1.0 Mpx), faces_threshold (detector margin, 0.0),
faces_fine_every_s (longest gap between full fine scans, 4.0; 0 = every sample; see sampler.py).
"""
from __future__ import annotations

import sqlite3
import logging
from pathlib import Path

from rushes.faces.engine import EngineConfig, FaceEngine
from rushes.faces.sampler import FaceSampler, SampleSet, stride_for
from rushes.faces.store import delete_media_faces, insert_tracks, read_shots, upsert_vectors
from rushes.faces.tracks import link
from rushes.settings import Settings
from rushes.decode.decode import DecodeCancelled
from rushes.faces.resample import feed
from rushes.steps.context import JobCancelled, StepContext, StepFailed
from rushes.steps.stages import mark_done

log = logging.getLogger(__name__)

STAGE = "faces"
#: Bump when what this step stores changes; the pipeline re-runs the stage for every media.
VERSION = "faces-1"
SCRATCH_KEY = "faces_sampler"
DEFAULT_SAMPLE_S = 1.0
DEFAULT_FINE_EVERY_S = 4.0


def current_version(ctx: StepContext) -> str:
    """Stage version: the code's VERSION plus the settings that change what is found, so switching
    the detector or the stride re-does this stage (and only it) on the next ingest."""
    config = EngineConfig.from_settings(ctx.settings)
    sample_s = float(ctx.settings.get("faces_sample_s", DEFAULT_SAMPLE_S))
    fine_s = float(ctx.settings.get("faces_fine_every_s", DEFAULT_FINE_EVERY_S))
    return f"{VERSION};{config.detector};min_face={config.min_face:g};every={sample_s:g}s;fine={fine_s:g}s"


def _fps(media: sqlite3.Row) -> float:
    try:
        num, den = media["fps_num"], media["fps_den"]
        if num and den:
            return float(num) / float(den)
    except (KeyError, IndexError, TypeError):
        pass
    return 25.0


def new_sampler(settings: Settings | None, media: sqlite3.Row) -> FaceSampler:
    """A sampler for this media with the configured engine and stride."""
    config = EngineConfig.from_settings(settings)
    sample_s = float(settings.get("faces_sample_s", DEFAULT_SAMPLE_S)) if settings is not None else DEFAULT_SAMPLE_S
    if sample_s <= 0:
        raise ValueError(f"faces_sample_s must be > 0 seconds, got {sample_s}")
    fine_s = float(settings.get("faces_fine_every_s", DEFAULT_FINE_EVERY_S)) if settings is not None else DEFAULT_FINE_EVERY_S
    fps = _fps(media)
    return FaceSampler(FaceEngine(config, settings), stride_for(fps, sample_s), media_id=int(media["id"]),
                       fine_every=int(round(fine_s * fps)) if fine_s > 0 else 0)


def make_consumer(ctx: StepContext) -> FaceSampler | None:
    """The frame consumer for the decode pass (None for audio-only media: nothing to look at)."""
    if ctx.media["kind"] != "video":
        return None
    sampler = new_sampler(ctx.settings, ctx.media)
    ctx.scratch[SCRATCH_KEY] = sampler
    return sampler


def make_consumers(ctx: StepContext) -> list[FaceSampler]:
    """What the pipeline asks every pending step for before the decode pass."""
    consumer = make_consumer(ctx)
    return [consumer] if consumer is not None else []


def _samples_from_scratch(ctx: StepContext) -> SampleSet | None:
    candidates = [ctx.scratch.get(SCRATCH_KEY)] + list(ctx.scratch.get("frame_consumers") or [])
    for consumer in candidates:
        if isinstance(consumer, FaceSampler) and consumer.media_id == int(ctx.media["id"]):
            consumer.finish()          # idempotent; the decode pass normally did it already
            result = consumer.result()
            if result.frames:
                return result
    return None


def _drop_sampler(ctx: StepContext) -> None:
    sampler = ctx.scratch.pop(SCRATCH_KEY, None)
    if isinstance(sampler, FaceSampler):
        sampler.close()


def _resample(ctx: StepContext) -> SampleSet:
    path = Path(ctx.media["path"])
    if not path.is_file():
        raise StepFailed(f"{path}: file is missing, cannot look for faces (is the drive mounted?)")
    sampler = new_sampler(ctx.settings, ctx.media)
    try:
        feed(path, sampler, cancelled=ctx.is_cancelled,
             progress=lambda f: ctx.progress(0.9 * f, "sampling faces"), threads=ctx.settings.threads)
    except DecodeCancelled as exc:
        raise JobCancelled() from exc
    finally:
        sampler.close()
    ctx.progress(0.9, "sampling faces")
    return sampler.result()


def run(ctx: StepContext) -> None:
    """Link the sampled faces into tracks per shot and store them (replacing earlier ones)."""
    media_id = int(ctx.media["id"])
    if ctx.media["kind"] != "video":
        with ctx.catalog.transaction() as conn:
            mark_done(conn, media_id, STAGE, current_version(ctx))
        return
    if not read_shots(ctx.catalog.connect(), media_id):
        # Tracks hang off shots; without them (the shot step is missing or failed) there is
        # nothing to attach faces to, and the stage stays undone so a later run does it.
        _drop_sampler(ctx)
        ctx.progress(1.0, "no shots for this media: faces skipped")
        return
    samples = _samples_from_scratch(ctx)
    if samples is None:
        log.info("faces: no samples from the decode pass for media %s; sampling the file again", media_id)
        samples = _resample(ctx)
    ctx.progress(0.95, "linking face tracks")
    config = EngineConfig.from_settings(ctx.settings)
    with ctx.catalog.transaction() as conn:
        shots = read_shots(conn, media_id)
        tracks = link(shots, samples.samples) if shots else []
        top = delete_media_faces(conn, media_id)
        stored = insert_tracks(conn, media_id, tracks, model=config.model_name, model_version=config.model_version,
                               above_id=top)
        if ctx.vectors is not None:
            upsert_vectors(ctx.vectors, media_id, stored, model=config.model_name,
                           model_version=config.model_version, detector=config.detector)
        mark_done(conn, media_id, STAGE, current_version(ctx))
    ctx.scratch.pop(SCRATCH_KEY, None)
    ctx.progress(1.0, f"{len(tracks)} face tracks")
