"""JobsHandlers: ListJobs, GetJob, FollowJob (a stream of changes), CancelJob."""
from __future__ import annotations

from typing import Iterator

import grpc

from rushes.catalog import projects
from rushes.errors import InvalidArgument, clip
from rushes.jobs.queue import TERMINAL, JobSnapshot
from rushes.server import convert
from rushes.server.app import App
from rushes.server.streams import FollowerLimit
from rushes_proto.v1 import rushes_pb2 as pb

VALID_STATES = ("queued", "running", "done", "failed", "cancelled")


def _job_id(text: str) -> int:
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise InvalidArgument(f"bad job id {clip(text)}: job ids are numbers (see `rushes jobs`)")
    return int(text)


class JobsHandlers:
    app: App
    followers: FollowerLimit

    def _job_pb(self, snap: JobSnapshot) -> pb.Job:
        return convert.job(snap, projects.project_name(self.app.catalog.connect(), snap.project_id))

    def ListJobs(self, request: pb.ListJobsRequest, context: grpc.ServicerContext) -> pb.ListJobsResponse:
        for s in request.states:
            if s not in VALID_STATES:
                raise InvalidArgument(f"unknown job state {clip(s)}: use one of {', '.join(VALID_STATES)}")
        pid = self.app.project_id(request.project) if request.project else None
        snaps = self.app.jobs.list(pid, list(request.states), request.limit)
        return pb.ListJobsResponse(jobs=[self._job_pb(s) for s in snaps])

    def GetJob(self, request: pb.GetJobRequest, context: grpc.ServicerContext) -> pb.Job:
        return self._job_pb(self.app.jobs.get(_job_id(request.id)))

    def FollowJob(self, request: pb.FollowJobRequest, context: grpc.ServicerContext) -> Iterator[pb.Job]:
        job_id = _job_id(request.id)
        jobs = self.app.jobs
        seen = -1
        last = None
        with self.followers.admit(context.peer()):
            while context.is_active():
                snap = jobs.get(job_id)
                message = self._job_pb(snap)
                if message != last:
                    yield message
                    last = message
                if snap.state in TERMINAL:
                    return
                seen = jobs.wait_change(seen if seen >= 0 else snap.version, timeout=1.0)

    def CancelJob(self, request: pb.CancelJobRequest, context: grpc.ServicerContext) -> pb.Job:
        return self._job_pb(self.app.jobs.cancel(_job_id(request.id)))
