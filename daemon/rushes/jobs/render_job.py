"""The "render" job: one or more output files, each one ffmpeg run (rushes.render).

The plan is checked and frozen into the job's params by the Render RPC (so a restarted daemon
renders exactly what was asked); this runner only executes it, one step per output file.
"""
from __future__ import annotations

import functools
import logging
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rushes.render.ffmpeg import RenderCancelled, RenderFailed, render
from rushes.render.plan import RenderOutput, RenderSegment

if TYPE_CHECKING:
    from rushes.jobs.queue import JobQueue, JobSnapshot
    from rushes.jobs.stores import Stores

log = logging.getLogger("rushes.render")


def _report_encoding(queue: JobQueue, job_id: int, step: str, fraction: float) -> None:
    queue.report(job_id, step, fraction, "encoding")


def output_to_params(out: RenderOutput) -> dict[str, Any]:
    return {"path": str(out.path), "fps": f"{out.fps.numerator}/{out.fps.denominator}", "width": out.width,
            "height": out.height, "crf": out.crf,
            "segments": [{"media_id": s.media_id, "path": s.path, "start_frame": s.start_frame,
                          "end_frame": s.end_frame, "fps": f"{s.fps.numerator}/{s.fps.denominator}",
                          "has_audio": s.has_audio, "vfr": s.variable_frame_rate, "width": s.width,
                          "height": s.height, "has_video": s.has_video} for s in out.segments]}


def output_from_params(p: dict[str, Any]) -> RenderOutput:
    segs = tuple(RenderSegment(int(s["media_id"]), str(s["path"]), int(s["start_frame"]), int(s["end_frame"]),
                               Fraction(s["fps"]), bool(s["has_audio"]), bool(s["vfr"]), int(s["width"]),
                               int(s["height"]), bool(s.get("has_video", True))) for s in p["segments"])
    return RenderOutput(Path(p["path"]), segs, Fraction(p["fps"]), int(p["width"]), int(p["height"]), int(p["crf"]))


def step_names(outputs: list[RenderOutput]) -> list[str]:
    return [f"render {o.path.name}" for o in outputs]


class RenderRunner:
    def __init__(self, stores: "Stores") -> None:
        self.stores = stores

    def __call__(self, queue: "JobQueue", snap: "JobSnapshot") -> None:
        outputs = [output_from_params(p) for p in (snap.params or {}).get("outputs", [])]
        names = step_names(outputs)
        done = {name for name, state, _, _ in snap.steps if state == "done"}
        current = ""
        try:
            for name, out in zip(names, outputs):
                current = name
                if name in done and out.path.exists():
                    continue
                queue.set_step(snap.id, name, "running", 0.0)
                render(out, threads=self.stores.settings.threads, cancelled=lambda: queue.is_cancelled(snap.id),
                       progress=functools.partial(_report_encoding, queue, snap.id, name))
                queue.set_step(snap.id, name, "done", 1.0)
            queue.finish(snap.id, "done", message=f"{len(outputs)} file(s) rendered: " +
                         ", ".join(str(o.path) for o in outputs))
        except RenderCancelled:
            queue.finish(snap.id, "cancelled", message=f"cancelled during {current}")
        except (RenderFailed, OSError) as exc:
            queue.set_step(snap.id, current, "failed", error=str(exc))
            queue.finish(snap.id, "failed", error=str(exc))
        except Exception as exc:  # a bug: fail this job, never the daemon
            log.exception("render job %s crashed", snap.id)
            queue.set_step(snap.id, current, "failed", error=str(exc))
            queue.finish(snap.id, "failed", error=f"render failed: {type(exc).__name__}: {exc}")
