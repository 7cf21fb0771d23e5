"""Follower streams do not starve unary calls (issue 11, defect 4).

Before: a fixed pool of 16 threads, one held by every open FollowJob, so with 16 followers
Health hit its deadline. Now 100 followers are open on one connection and Health still answers
(a generous deadline: the latency itself is measured in bench/followers.py, not asserted), and
past the per-connection limit a follower gets RESOURCE_EXHAUSTED naming the setting.
"""
from __future__ import annotations

import threading

import grpc
import pytest

from rushes_proto.v1 import rushes_pb2 as pb
from rushes_proto.v1 import rushes_pb2_grpc as pb_grpc


@pytest.fixture
def daemon(tmp_path):
    from rushes.server.daemon import Daemon
    from rushes.settings import load_settings

    made = []

    def start(**env):
        d = Daemon(load_settings({"RUSHES_HOME": str(tmp_path / f"home{len(made)}"), **env}), start_watcher=False).start()
        d.app.jobs.stop()   # jobs stay queued, so their followers stay open
        made.append(d)
        return d

    yield start
    for d in made:
        d.stop(0)


def _open_followers(stub, job_ids):
    """Start a FollowJob per id; returns the calls once each has delivered its first message."""
    calls, first = [], []
    ready = threading.Semaphore(0)

    def read(call):
        try:
            next(call)
            first.append(True)
        except grpc.RpcError:
            first.append(False)
        ready.release()

    for job_id in job_ids:
        call = stub.FollowJob(pb.FollowJobRequest(id=str(job_id)))
        calls.append(call)
        threading.Thread(target=read, args=(call,), daemon=True).start()
    for _ in job_ids:
        assert ready.acquire(timeout=120)
    return calls, first


def test_health_answers_with_100_followers_open(daemon):
    d = daemon()
    jobs = [d.app.jobs.submit("ingest", project_id=None, path=f"/nowhere/{i}.mov", steps=["probe"]) for i in range(100)]
    channel = grpc.insecure_channel(d.settings.address)
    stub = pb_grpc.RushesStub(channel)
    calls, first = _open_followers(stub, jobs)
    try:
        assert first.count(True) == 100 and d.app.jobs.get(jobs[0]).state == "queued"
        health = stub.Health(pb.HealthRequest(), timeout=30)      # generous: it used to time out at 16
        assert health.queue_depth == 100
        assert stub.GetJob(pb.GetJobRequest(id=str(jobs[-1])), timeout=30).state == "queued"
    finally:
        for call in calls:
            call.cancel()
        channel.close()


def test_past_the_per_connection_limit_a_follower_is_refused_clearly(daemon):
    d = daemon(RUSHES_MAX_FOLLOWERS_PER_CONNECTION="5")
    jobs = [d.app.jobs.submit("ingest", project_id=None, path=f"/nowhere/{i}.mov", steps=["probe"]) for i in range(6)]
    channel = grpc.insecure_channel(d.settings.address)
    stub = pb_grpc.RushesStub(channel)
    calls, first = _open_followers(stub, jobs[:5])
    try:
        assert first.count(True) == 5
        with pytest.raises(grpc.RpcError) as err:
            next(stub.FollowJob(pb.FollowJobRequest(id=str(jobs[5])), timeout=30))
        assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "max_followers_per_connection" in err.value.details()
        assert stub.Health(pb.HealthRequest(), timeout=30).queue_depth == 6
        calls[0].cancel()                                        # a slot frees when a follower leaves
        deadline = __import__("time").monotonic() + 30
        while True:
            try:
                assert next(stub.FollowJob(pb.FollowJobRequest(id=str(jobs[5])), timeout=30)).id == str(jobs[5])
                break
            except grpc.RpcError:
                assert __import__("time").monotonic() < deadline
    finally:
        for call in calls:
            call.cancel()
        channel.close()
