"""Disk full is a state, not a crash (issue 11, defect 1), on a real 30 MB tmpfs.

Before: RUSHES_HOME on a 30 MB tmpfs filled to 1.5 MB free, the daemon died by SIGBUS (a
write into a memory-mapped vector file the filesystem could not back) with nothing in its log;
restarting while full gave a raw traceback from JobQueue.recover(); after freeing space it
refilled the disk by itself and died again.

Here: the running job fails with "disk full: N MB free in RUSHES_HOME", queued jobs wait, the
daemon keeps answering, a restart while full comes up read-only, nothing is corrupted, and
the queue resumes when space returns. Needs root to mount a tmpfs: skipped with a message
elsewhere, never under CI=true.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from rushes_testkit import DaemonProcess, in_ci, synth_clip

from rushes_proto.v1 import rushes_pb2 as pb

RESERVE_MB = 10


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=30m,mode=0755", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        message = f"cannot mount a 30 MB tmpfs here ({proc.stderr.strip() or 'not root'}): disk-full test not run"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _free_mb(path: Path) -> float:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / 2**20


def _fill_to(mount: Path, free_mb: float) -> Path:
    """Grow a filler file until `free_mb` MB remain on the tmpfs."""
    filler = mount / "filler.bin"
    with filler.open("ab") as fh:
        while _free_mb(mount) > free_mb + 1:
            fh.write(b"\0" * 2**20)
            fh.flush()
        rest = int((_free_mb(mount) - free_mb) * 2**20)
        if rest > 0:
            fh.write(b"\0" * rest)
    return filler


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_disk_full_fails_the_running_job_queues_the_rest_and_recovers(small_disk, tmp_path, rushes_home):
    src = tmp_path / "src"
    first = synth_clip(src / "first.mp4", seconds=1.0)
    long = synth_clip(src / "long.mp4", seconds=40.0, source="testsrc2")
    later = [synth_clip(src / f"later{i}.mp4", seconds=1.0, source=s) for i, s in enumerate(("smptebars", "rgbtestsrc"))]
    home = small_disk / "home"
    env = {"RUSHES_DISK_RESERVE_MB": str(RESERVE_MB), "RUSHES_MODELS": str(rushes_home / "models"),
           "RUSHES_THREADS": "2"}
    d = DaemonProcess(home, env=env).start()
    try:
        stub = d.client().stub
        job = stub.Ingest(pb.IngestRequest(paths=[str(first)]), timeout=30).jobs[0]
        _wait(lambda: stub.GetJob(pb.GetJobRequest(id=job.id), timeout=30).state == "done", 120, "first clip")

        # A long clip is being analysed when the disk runs short: that job fails with the reason.
        running = stub.Ingest(pb.IngestRequest(paths=[str(long)]), timeout=30).jobs[0]
        _wait(lambda: stub.GetJob(pb.GetJobRequest(id=running.id), timeout=30).state == "running", 60, "long job running")
        filler = _fill_to(small_disk, RESERVE_MB - 4)
        failed = _wait(lambda: (lambda j: j if j.state in ("failed", "done") else None)(
            stub.GetJob(pb.GetJobRequest(id=running.id), timeout=30)), 120, "long job to end")
        assert failed.state == "failed", failed
        assert "disk full" in failed.error and "MB free in RUSHES_HOME" in failed.error

        # Queued jobs wait; reads and status go on.
        queued = [j.id for j in stub.Ingest(pb.IngestRequest(paths=[str(p) for p in later]), timeout=30).jobs]
        time.sleep(4)
        assert [stub.GetJob(pb.GetJobRequest(id=j), timeout=30).state for j in queued] == ["queued", "queued"]
        health = stub.Health(pb.HealthRequest(), timeout=30)
        assert health.disk_full and "disk full" in health.disk_detail and health.queue_depth == 2
        assert len(stub.ListMedia(pb.ListMediaRequest(), timeout=30).media) >= 1   # reads answer
        assert "disk full" in d.cli("status").stdout
        assert d.proc.poll() is None

        # A restart while full comes up (read-only) instead of a traceback from recover().
        assert d.stop() == 0
        d = DaemonProcess(home, env=env).start()
        stub = d.client().stub
        assert stub.Health(pb.HealthRequest(), timeout=30).disk_full
        assert [stub.GetJob(pb.GetJobRequest(id=j), timeout=30).state for j in queued] == ["queued", "queued"]

        # Space returns: the queue resumes by itself, the failed clip re-ingests, nothing is corrupt.
        filler.unlink()
        for j in queued:
            _wait(lambda j=j: stub.GetJob(pb.GetJobRequest(id=j), timeout=30).state == "done", 180, f"job {j}")
        again = stub.Ingest(pb.IngestRequest(paths=[str(long)]), timeout=30).jobs[0]
        done = _wait(lambda: (lambda j: j if j.state in ("failed", "done") else None)(
            stub.GetJob(pb.GetJobRequest(id=again.id), timeout=30)), 240, "re-ingest")
        assert done.state == "done", done.error
        assert not stub.Health(pb.HealthRequest(), timeout=30).disk_full
        assert d.proc.poll() is None
    finally:
        d.stop()
        print(d.log.read_text()[-6000:])
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        states = dict(conn.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall())
    assert states == {"done": 4, "failed": 1}
    assert "Traceback" not in d.log.read_text()
