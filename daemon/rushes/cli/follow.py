"""Follow jobs over the FollowJob stream with a progress bar; shared by `ingest --wait`, `jobs --follow` and `run`."""
from __future__ import annotations

import os
import sys
from typing import Any

from rushes.cli.common import ProgressBar
from rushes_proto.v1 import rushes_pb2 as pb

TERMINAL = ("done", "failed", "cancelled")


def follow_jobs(client: Any, job_ids: list[str], *, bar: ProgressBar | None = None) -> list[pb.Job]:
    """Block until every job ends; returns their final states in the given order."""
    bar = bar or ProgressBar()
    finals: list[pb.Job] = []
    n = max(1, len(job_ids))
    for i, job_id in enumerate(job_ids):
        last: pb.Job | None = None
        for job in client.stub.FollowJob(pb.FollowJobRequest(id=job_id)):
            last = job
            name = os.path.basename(job.path) or f"job {job.id}"
            running = next((s.name for s in job.steps if s.state == "running"), job.state)
            bar.update((i + job.progress) / n, f"{running} {job.message}"[:40], label=f"[{i + 1}/{n}] {name}")
        if last is None:
            last = client.call("GetJob", pb.GetJobRequest(id=job_id))
        finals.append(last)
    bar.update(1.0, "done")
    bar.close()
    return finals


def print_summary(jobs: list[pb.Job], skipped: list[pb.SkippedFile], out: Any = None) -> None:
    out = out or sys.stdout
    by_state: dict[str, int] = {}
    for j in jobs:
        by_state[j.state] = by_state.get(j.state, 0) + 1
        mark = {"done": "ok", "failed": "FAILED", "cancelled": "cancelled"}.get(j.state, j.state)
        detail = j.error if j.state == "failed" else j.message
        out.write(f"  {mark:<9} {j.path}  {detail}\n")
    for s in skipped:
        out.write(f"  {'skipped':<9} {s.path}  ({s.reason})\n")
    parts = [f"{v} {k}" for k, v in sorted(by_state.items())] + ([f"{len(skipped)} skipped"] if skipped else [])
    out.write(f"summary: {len(jobs)} job(s): {', '.join(parts) or 'nothing to do'}\n")
