"""SIGKILL mid-job: the job resumes at the next start, nothing is lost and nothing is done twice."""
from __future__ import annotations

import json
import sqlite3
import time

import pytest

from rushes_testkit import DaemonProcess, ffmpeg

from rushes_proto.v1 import rushes_pb2 as pb


def _long_clip(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    # 3 different sources cut together: real shot boundaries, long enough to be killed mid-analysis.
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=8",
           "-f", "lavfi", "-i", "smptebars=size=640x360:rate=25:duration=8",
           "-f", "lavfi", "-i", "mandelbrot=size=640x360:rate=25",
           "-filter_complex", "[2]trim=duration=8,setpts=PTS-STARTPTS[m];[0][1][m]concat=n=3:v=1:a=0[v]",
           "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
    return path


def _stages(db):
    conn = sqlite3.connect(db)
    try:
        return {(r[0], r[1]): r[2] for r in conn.execute("SELECT media_id, stage, done_at FROM analysis_stages")}
    finally:
        conn.close()


@pytest.mark.parametrize("how", ["sigkill", "sigterm"])
def test_stopped_mid_job_resumes_without_loss_or_repeat(tmp_path, how):
    clip = _long_clip(tmp_path / "src" / "three shots.mp4")
    home = tmp_path / "home"
    d = DaemonProcess(home).start()
    client = d.client()
    job_id = client.stub.Ingest(pb.IngestRequest(project="p", paths=[str(clip)])).jobs[0].id
    killed_during = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.stub.GetJob(pb.GetJobRequest(id=job_id))
        steps = {s.name: s.state for s in job.steps}
        running = [n for n, s in steps.items() if s == "running"]
        if steps.get("probe") == "done" and running:
            d.kill() if how == "sigkill" else d.stop()
            killed_during = running[0]
            break
        assert job.state not in ("done", "failed"), f"job ended before it could be killed: {job}"
        time.sleep(0.02)
    assert killed_during, "never caught the job mid-step"
    client.close()
    if how == "sigterm":
        assert d.proc.returncode == 0, d.log.read_text()
        conn = sqlite3.connect(home / "catalog.sqlite3")
        state = conn.execute("SELECT state FROM jobs WHERE id=?", (int(job_id),)).fetchone()[0]
        conn.close()
        assert state == "queued", f"a clean stop must leave the job to resume, not {state}"
    before = _stages(home / "catalog.sqlite3")
    assert any(stage == "probe" for _, stage in before)

    d2 = DaemonProcess(home, address=d.address).start()
    try:
        job = list(d2.client().stub.FollowJob(pb.FollowJobRequest(id=job_id)))[-1]
        assert job.state == "done", job
        after = _stages(home / "catalog.sqlite3")
        for key, done_at in before.items():
            assert after[key] == done_at, f"stage {key} was done twice"
        media = json.loads(d2.cli("media", "list", "--json", "--project", "p").stdout)["media"]
        assert len(media) == 1 and media[0]["status"] == "ready"
        jobs = json.loads(d2.cli("jobs", "--json", "--project", "p").stdout)["jobs"]
        assert len(jobs) == 1
        conn = sqlite3.connect(home / "catalog.sqlite3")
        shots = conn.execute("SELECT idx, start_frame, end_frame FROM shots ORDER BY idx").fetchall()
        if shots:  # the shots step is part of this build: shots cover every frame exactly once
            assert shots[0][1] == 0 and shots[-1][2] == media[0]["frame_count"]
            assert all(a[2] == b[1] for a, b in zip(shots, shots[1:]))
            assert [s[0] for s in shots] == list(range(len(shots)))
    finally:
        d2.stop()


def test_cancel_a_queued_and_a_running_job(tmp_path):
    clips = [_long_clip(tmp_path / "src" / f"c{i}.mp4") for i in range(2)]
    with DaemonProcess(tmp_path / "home", env={"RUSHES_THREADS": "1"}) as d:
        stub = d.client().stub
        jobs = stub.Ingest(pb.IngestRequest(paths=[str(c) for c in clips])).jobs
        queued = stub.CancelJob(pb.CancelJobRequest(id=jobs[1].id))
        assert queued.state == "cancelled"
        first = jobs[0].id
        while stub.GetJob(pb.GetJobRequest(id=first)).state == "queued":
            time.sleep(0.02)
        stub.CancelJob(pb.CancelJobRequest(id=first))
        final = list(stub.FollowJob(pb.FollowJobRequest(id=first)))[-1]
        assert final.state in ("cancelled", "done")   # done if it finished before the cancel landed
        assert stub.Health(pb.HealthRequest()).version
