"""Pipeline step `ocr`: on-screen text of every keyframe, of the frames where the text watch saw
text appear or change (rushes.ocr.watch, on the one decode pass), and of the head of the file
(where slates are filmed) into the catalog as 'screen' text spans, plus the media's slate.

Pictures come by seeking after the decode pass (`rushes.decode.seek.read_frames`, the same
frame numbering and rotation), at up to 1280 px wide: the 320 px keyframe thumbnails are too
small for captions. A line read on a keyframe stands for its shot (title cards and captions
hold for the shot), one span per distinct line per shot. The slate is the sampled picture
whose lines read as the most slate fields. A line read on a watched frame stands for its sighting
(from the sample where the text appeared to the one where it was gone or changed). Spans of the
same line that touch are joined.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rushes.catalog import texts
from rushes.decode.decode import DecodeCancelled, MediaError, decode_pass
from rushes.decode.seek import read_frames
from rushes.steps import stages
from rushes.models import registry
from rushes.ocr.engine import DET_SIDE, MODEL_NAME, WATCH_SIDE, TextLine, engine_for, merge_rows
from rushes.ocr.watch import SAME_AREA_IOU, Box, Sighting, TextWatch, iou
from rushes.ocr.slate import SlateReading, read_slate

if TYPE_CHECKING:
    from rushes.steps.context import StepContext

log = logging.getLogger(__name__)

STAGE = "ocr"
VERSION = f"{MODEL_NAME}@2"       # @2: the text watch's frames, detector at DET_SIDE
READ_WIDTH = 1280
SCRATCH_KEY = "ocr_text_watch"


@dataclass(frozen=True)
class Sample:
    """A frame to read and the range a line read on it stands for."""

    frame: int
    start_frame: int
    end_frame: int


def current_version(ctx: "StepContext") -> str | None:
    """None when the PP-OCRv4 files are not on this machine (the step then records nothing)."""
    try:
        registry.locate(MODEL_NAME, ctx.settings)
    except registry.ModelMissing:
        return None
    return VERSION


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _fps(media) -> float:
    return (media["fps_num"] or 25) / (media["fps_den"] or 1)


def watch_stride(ctx: "StepContext") -> int:
    """Frames between the text watch's looks (`ocr_watch_s` seconds); 0 when the watch is off."""
    every = float(ctx.settings.get("ocr_watch_s", 1.0) or 0)
    return max(1, round(every * _fps(ctx.media))) if every > 0 else 0


def make_watch(ctx: "StepContext", folder: Path) -> TextWatch | None:
    stride = watch_stride(ctx)
    if not stride:
        return None
    return TextWatch(engine_for(folder, int(ctx.settings.threads)), stride,
                     side=int(ctx.settings.get("ocr_watch_side", WATCH_SIDE)),
                     frame_count=int(ctx.media["frame_count"] or 0))


def make_consumers(ctx: "StepContext") -> list[object]:
    """Before the decode pass: the text watch rides on it (when the model is here and it is on)."""
    try:
        folder = registry.locate(MODEL_NAME, ctx.settings)
    except registry.ModelMissing:
        return []
    watch = make_watch(ctx, folder)
    if watch is None:
        return []
    ctx.scratch[SCRATCH_KEY] = watch
    return [watch]


def sightings(ctx: "StepContext", folder: Path) -> list[Sighting]:
    """What the text watch saw on the decode pass; else (a resumed job, media from before the
    watch) a pass of its own over the file, small frames plus the full ones it looks at."""
    watch = ctx.scratch.pop(SCRATCH_KEY, None)
    if isinstance(watch, TextWatch) and watch.looked:
        return watch.sightings()
    if isinstance(watch, TextWatch):
        watch.close()
    watch = make_watch(ctx, folder)
    if watch is None:
        return []
    try:
        decode_pass(Path(ctx.media["path"]), [watch], low_width=16, cancelled=ctx.is_cancelled,
                    threads=int(ctx.settings.threads),
                    progress=lambda f: ctx.progress(0.3 * f, "looking for on-screen text"))
    except MediaError as exc:
        log.warning("ocr watch: %s", exc)
        watch.close()
        return []
    except DecodeCancelled:
        watch.close()
        raise
    return watch.sightings()


def samples(ctx: "StepContext", seen: list[Sighting] | None = None) -> list[Sample]:
    """Keyframes (standing for their shot), a frame of each text sighting (standing for the
    sighting), plus the head of the file every `ocr_head_step_s` for `ocr_head_s` seconds
    (standing for one step each), where slates are filmed."""
    media = ctx.media
    rows = ctx.catalog.query(
        "SELECT k.frame, s.start_frame, s.end_frame FROM keyframes k JOIN shots s ON s.id = k.shot_id "
        "WHERE s.media_id = ? ORDER BY k.frame", (int(media["id"]),))
    out = {int(r["frame"]): Sample(int(r["frame"]), int(r["start_frame"]), int(r["end_frame"])) for r in rows}
    fps = _fps(media)
    # Scrolling credits start a sighting at every look: on bbb.mp4 88 of 101 watched reads were
    # the end credits, at ~3 s of CPU each. A sighting that starts within `ocr_watch_gap_s` of
    # the last read one and covers the same area of the picture (union of its boxes overlapping
    # that read's by half) is stood for by that read; new text elsewhere (a caption appearing
    # under a street scene's busy signs) is always read.
    gap = max(0, round(float(ctx.settings.get("ocr_watch_gap_s", 4.0)) * fps))
    read: list[tuple[int, Box]] = []      # (frame read, its text area) of the watched reads so far
    for sight in seen or []:
        f = sight.read_frame()
        if f in out:            # a keyframe already read there stands for its whole shot
            continue
        area = sight.area()
        near = None if area is None else next(
            (frame for frame, where in reversed(read)
             if sight.start_frame < frame + gap and iou(area, where) >= SAME_AREA_IOU), None)
        if near is not None:
            kept = out[near]
            out[near] = Sample(kept.frame, kept.start_frame, max(kept.end_frame, sight.end_frame))
            continue
        out[f] = Sample(f, sight.start_frame, sight.end_frame)
        if area is not None:
            read.append((f, area))
    total = int(media["frame_count"] or 0)
    head_s = float(ctx.settings.get("ocr_head_s", 4.0))
    step = max(1, round(float(ctx.settings.get("ocr_head_step_s", 1.0)) * fps))
    f = min(step // 2, max(0, total - 1))
    while f < min(total, round(head_s * fps)):
        if not any(abs(f - k) < step // 2 for k in out):
            out[f] = Sample(f, f, min(total, f + step))
        f += step
    return [out[k] for k in sorted(out)]


def read_media(ctx: "StepContext", folder: Path) -> tuple[list[texts.TextSpan], texts.Slate | None]:
    """Read every sample; returns the spans to store and the slate (if any picture is one)."""
    engine = engine_for(folder, int(ctx.settings.threads))
    media_id = int(ctx.media["id"])
    wanted = samples(ctx, sightings(ctx, folder))
    by_frame = {s.frame: s for s in wanted}
    spans: dict[tuple[int, int, str], texts.TextSpan] = {}
    best_slate: tuple[SlateReading, int] | None = None
    width = min(int(ctx.media["width"] or READ_WIDTH), READ_WIDTH)
    det_side = int(ctx.settings.get("ocr_det_side", DET_SIDE))
    done = 0
    try:
        for frame, picture in read_frames(Path(ctx.media["path"]), list(by_frame), width=width,
                                          threads=int(ctx.settings.threads)):
            lines: list[TextLine] = merge_rows(engine.read(picture, det_side=det_side))
            scale = float(ctx.media["width"] or picture.shape[1]) / picture.shape[1]
            sample = by_frame[frame]
            for line in lines:
                key = (sample.start_frame, sample.end_frame, _norm(line.text))
                old = spans.get(key)
                if old is None or line.confidence > old.confidence:
                    spans[key] = texts.TextSpan(
                        media_id=media_id, source="screen", start_frame=sample.start_frame,
                        end_frame=sample.end_frame, text=line.text, box=tuple(v * scale for v in line.box),  # type: ignore[arg-type]
                        frame=frame, confidence=line.confidence, model=VERSION)
            reading = read_slate(lines)
            if reading is not None and (best_slate is None or len(reading.found) > len(best_slate[0].found)
                                        or (len(reading.found) == len(best_slate[0].found)
                                            and reading.confidence > best_slate[0].confidence)):
                best_slate = (reading, frame)
            done += 1
            ctx.progress(0.3 + 0.7 * done / max(1, len(wanted)), f"on-screen text: {done}/{len(wanted)} frames")
    except MediaError as exc:
        log.warning("ocr: %s", exc)
    finally:
        engine.shrink_arenas()  # the reads' working memory goes back before the next step loads its model
    slate = None
    if best_slate is not None:
        r, frame = best_slate
        slate = texts.Slate(media_id=media_id, frame=frame, raw_text=r.raw_text, confidence=r.confidence,
                            **{k: r.fields.get(k, "") for k in ("scene", "take", "roll", "camera", "date")})
    ordered = sorted(spans.values(), key=lambda s: (s.start_frame, s.frame or 0, s.box[1] if s.box else 0))
    return join_touching(ordered), slate


def join_touching(spans: list[texts.TextSpan]) -> list[texts.TextSpan]:
    """One span for a line read on samples that follow each other (a caption seen by the watch
    over several sightings, or by the watch and then a keyframe): ranges that touch or overlap,
    same text (after spacing and case), the best-read one's text, box and frame kept. A range
    inside another (a watched sighting inside a keyframe's shot) is kept as it is: it says
    more exactly when the line was on screen."""
    out: list[texts.TextSpan] = []
    last: dict[str, int] = {}
    for span in spans:
        key = _norm(span.text)
        i = last.get(key)
        if (i is not None and span.start_frame <= out[i].end_frame
                and not (span.end_frame <= out[i].end_frame)):     # a range inside another stays: it is the finer one
            prev = out[i]
            best = span if span.confidence > prev.confidence else prev
            out[i] = dataclasses.replace(best, start_frame=min(prev.start_frame, span.start_frame),
                                         end_frame=max(prev.end_frame, span.end_frame))
            continue
        last[key] = len(out)
        out.append(span)
    return out


def run(ctx: "StepContext") -> None:
    try:
        folder = registry.locate(MODEL_NAME, ctx.settings)
    except registry.ModelMissing as exc:
        ctx.report(1.0, f"ocr skipped: {exc}")
        log.warning("%s", exc)
        return
    spans, slate = read_media(ctx, folder)
    media_id = int(ctx.media["id"])
    with ctx.catalog.transaction() as conn:
        texts.replace_spans(conn, media_id, "screen", spans)
        texts.set_slate(conn, media_id, slate)
        stages.mark_done(conn, media_id, STAGE, VERSION)
    ctx.progress(1.0, f"{len(spans)} lines of on-screen text" + (" and a slate" if slate else ""))


def summary(spans: list[texts.TextSpan]) -> list[dict[str, Any]]:
    """For logs and benches: the lines as plain dicts."""
    return [{"text": s.text, "frame": s.frame, "start_frame": s.start_frame, "end_frame": s.end_frame} for s in spans]
