"""A cancelled ingest leaves its media `cancelled`, not `failed`, and the next Ingest takes it up
again (issue 11: a cancelled media was shown as failed)."""
from __future__ import annotations

import json
import time

from rushes_testkit import DaemonProcess, real_media, wait_until

from rushes_proto.v1 import rushes_pb2 as pb


def _step(stub, job_id: str, name: str) -> str:
    job = stub.GetJob(pb.GetJobRequest(id=job_id))
    return next((s.state for s in job.steps if s.name == name), "")


def test_a_cancelled_media_shows_cancelled_and_is_ingested_again(tmp_path):
    # bbb: ten minutes of real 720p with sound; its analysis takes minutes on any machine, so
    # the cancel always lands while the decode pass runs (after the probe made the media).
    film = real_media("bbb.mp4")
    d = DaemonProcess(tmp_path / "home", env={"RUSHES_THREADS": "1"}).start(timeout=120)
    try:
            stub = d.client().stub
            job = stub.Ingest(pb.IngestRequest(project="p", paths=[str(film)])).jobs[0]
            wait_until(lambda: _step(stub, job.id, "analyse") == "running", 120, "the decode pass to start")
            stub.CancelJob(pb.CancelJobRequest(id=job.id))
            final = list(stub.FollowJob(pb.FollowJobRequest(id=job.id)))[-1]
            assert final.state == "cancelled", final

            media = stub.GetMedia(pb.GetMediaRequest(media=str(film), project="p"))
            assert media.status == "cancelled" and "cancelled during analyse" in media.reason, media
            listed = json.loads(d.cli("media", "list", "--project", "p", "--json").stdout)["media"]
            assert [(m["id"], m["status"]) for m in listed] == [(media.id, "cancelled")]
            only = json.loads(d.cli("media", "list", "--project", "p", "--status", "cancelled", "--json").stdout)["media"]
            assert [m["id"] for m in only] == [media.id]
            assert json.loads(d.cli("media", "list", "--project", "p", "--status", "failed", "--json").stdout)["media"] == []
            table = d.cli("media", "list", "--project", "p").stdout
            assert "cancelled" in table and "failed" not in table, table

            # Not "already ingested": the same file gets a new job, which analyses the same media again.
            again = stub.Ingest(pb.IngestRequest(project="p", paths=[str(film)]))
            assert len(again.jobs) == 1 and not again.skipped, again
            wait_until(lambda: _step(stub, again.jobs[0].id, "probe") == "done", 120, "the new job's probe")
            media2 = stub.GetMedia(pb.GetMediaRequest(media=str(film), project="p"))
            assert (media2.id, media2.status) == (media.id, "analysing")
            stub.CancelJob(pb.CancelJobRequest(id=again.jobs[0].id))
            deadline = time.monotonic() + 60
            while stub.GetJob(pb.GetJobRequest(id=again.jobs[0].id)).state == "running" and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        d.stop()
