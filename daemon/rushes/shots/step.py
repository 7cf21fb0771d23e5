"""The pipeline step "analyse": the one decode pass -> shots, transitions, segments, keyframes.

Everything of one media is replaced in one transaction together with its stage row, so a
daemon killed mid-step leaves the previous result (or none), never half of a new one. The
decode also feeds the extra frame consumers the pipeline put into ctx.scratch (the face
sampler). Thumbnails are written before the transaction (files named by frame, so a retry
simply overwrites them).
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from rushes.steps.context import JobCancelled, StepContext, StepFailed
from rushes.steps.stages import mark_done
from rushes.decode.decode import DecodeCancelled, MediaError
from rushes.shots import analyse_file, model_mode
from rushes.shots.analyse import VERSION as DETECTOR_VERSION
from rushes.shots.thumbs import write_thumbnails
from rushes.shots.types import ShotAnalysis

log = logging.getLogger(__name__)

STAGE = "analyse"
VERSION = DETECTOR_VERSION
#: This step runs the one decode pass: the pipeline hands it every pending step's consumers.
RUNS_DECODE_PASS = True


def _mode(ctx: StepContext) -> str:
    return model_mode(ctx.settings, (ctx.params or {}).get("shots_model"))


def current_version(ctx: StepContext) -> str:
    """Detector version plus the referee mode: changing --shots-model re-does this stage."""
    return f"{VERSION};model={_mode(ctx)}"


def run(ctx: StepContext) -> None:
    media = ctx.media
    media_id = int(media["id"])
    path = str(media["path"])
    consumers = list(ctx.scratch.get("frame_consumers", []) or [])
    try:
        result = analyse_file(
            path, ctx.settings, model=_mode(ctx), consumers=consumers,
            progress=lambda f: ctx.progress(0.9 * f, "decoding and finding shots"),
            cancelled=ctx.is_cancelled, threads=ctx.settings.threads)
    except DecodeCancelled as exc:
        raise JobCancelled() from exc
    except MediaError as exc:
        raise StepFailed(str(exc)) from exc
    ctx.scratch["shots"] = result
    ctx.progress(0.9, "keyframe thumbnails")
    frames = [f for shot in result.shots for f, _ in shot.keyframes]
    thumbs_dir = Path(ctx.settings.thumbs_dir)
    media_thumbs = thumbs_dir / str(media_id)
    if media_thumbs.exists():
        shutil.rmtree(media_thumbs, ignore_errors=True)
    try:
        written = write_thumbnails(path, frames, thumbs_dir, media_id, threads=ctx.settings.threads)
    except MediaError as exc:
        log.warning("%s", exc)
        written = {}
    ctx.progress(0.97, "storing shots")
    with ctx.catalog.transaction() as conn:
        store(conn, media_id, result, {f: str(p) for f, p in written.items()})
        _mark_done(conn, media_id, current_version(ctx))
    ctx.progress(1.0, f"{len(result.shots)} shots, {len(result.transitions)} transitions")


def _mark_done(conn, media_id: int, version: str) -> None:
    mark_done(conn, media_id, STAGE, version)


def store(conn, media_id: int, result: ShotAnalysis, thumbs: dict[int, str]) -> list[int]:
    """Replace this media's shots, keyframes, transitions and segments; returns the shot ids.

    Keyframes go away with their shots (ON DELETE CASCADE); so do face tracks tied to shots,
    which the faces step stores after this one.
    """
    conn.execute("DELETE FROM shots WHERE media_id=?", (media_id,))
    conn.execute("DELETE FROM transitions WHERE media_id=?", (media_id,))
    conn.execute("DELETE FROM segments WHERE media_id=?", (media_id,))
    ids = []
    for shot in result.shots:
        cur = conn.execute("INSERT INTO shots(media_id, idx, start_frame, end_frame, motion) VALUES (?,?,?,?,?)",
                           (media_id, shot.idx, shot.start, shot.end, float(shot.motion)))
        sid = int(cur.lastrowid)
        ids.append(sid)
        conn.executemany("INSERT INTO keyframes(shot_id, frame, role, thumb_path) VALUES (?,?,?,?)",
                         [(sid, f, role, thumbs.get(f)) for f, role in shot.keyframes])
    conn.executemany("INSERT INTO transitions(media_id, type, start_frame, end_frame, confidence) VALUES (?,?,?,?,?)",
                     [(media_id, t.type, t.start, t.end, float(t.confidence)) for t in result.transitions])
    conn.executemany("INSERT INTO segments(media_id, kind, start_frame, end_frame) VALUES (?,?,?,?)",
                     [(media_id, s.kind, s.start, s.end) for s in result.segments])
    return ids
