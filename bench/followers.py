"""Health latency while N FollowJob streams are open on one connection (issue 11).

    PYTHONPATH=daemon:plugins:protos nice python bench/followers.py 0 100 500

An in-process daemon on a temporary home (default transport, a Unix socket); its job workers
are stopped so every followed job stays queued and every follower stays open. Prints the
median and worst of 20 Health calls per N.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import grpc

from rushes.server.daemon import Daemon
from rushes.settings import load_settings
from rushes_proto.v1 import rushes_pb2 as pb
from rushes_proto.v1 import rushes_pb2_grpc as pb_grpc


def main(counts: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(load_settings({"RUSHES_HOME": str(Path(tmp) / "home"), "RUSHES_MAX_FOLLOWERS_PER_CONNECTION": "1024"}),
                   start_watcher=False).start()
        d.app.jobs.stop()
        channel = grpc.insecure_channel(d.settings.address)
        stub = pb_grpc.RushesStub(channel)
        stub.Health(pb.HealthRequest(), timeout=60)  # opens the vector store once
        calls = []
        try:
            for n in counts:
                while len(calls) < n:
                    job = d.app.jobs.submit("ingest", project_id=None, path=f"/nowhere/{len(calls)}.mov", steps=["probe"])
                    call = stub.FollowJob(pb.FollowJobRequest(id=str(job)))
                    next(call)
                    calls.append(call)
                times = []
                for _ in range(20):
                    t0 = time.perf_counter()
                    stub.Health(pb.HealthRequest(), timeout=60)
                    times.append(time.perf_counter() - t0)
                print(f"followers={n:4d} health median={statistics.median(times) * 1000:.1f} ms "
                      f"worst={max(times) * 1000:.1f} ms threads={threading.active_count()}")
        finally:
            for call in calls:
                call.cancel()
            channel.close()
            d.stop(0)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [0, 100, 500])
