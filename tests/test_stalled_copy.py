"""A watched file copied with a pause is ingested once, when complete (issue 11, defect 5).

Before: a chunked copy that stalled 6 s looked finished to the size-and-mtime check, so the
half file was ingested (a failed "truncated ... an incomplete copy?" job), then the whole one
(a second, good job). A partial MKV decodes cleanly up to where it stops; only its declared
duration says it is not all there. Also: a file that grows after ingest stays the same media.
"""
from __future__ import annotations

import time

import grpc
from rushes_testkit import synth_clip, wait_until

from rushes_proto.v1 import rushes_pb2 as pb
from rushes_proto.v1 import rushes_pb2_grpc as pb_grpc




def test_a_stalled_copy_is_ingested_once(tmp_path, monkeypatch):
    from rushes.server.daemon import Daemon
    from rushes.settings import load_settings

    monkeypatch.setenv("RUSHES_STABLE_SECONDS", "0.5")
    source = synth_clip(tmp_path / "src" / "A001.mkv", seconds=8.0, extra=("-g", "25"))
    data = source.read_bytes()
    watched = tmp_path / "watched"
    watched.mkdir()
    d = Daemon(load_settings({"RUSHES_HOME": str(tmp_path / "home")})).start()
    stub = pb_grpc.RushesStub(grpc.insecure_channel(d.settings.address))
    try:
        stub.AddWatchFolder(pb.AddWatchFolderRequest(path=str(watched)), timeout=30)
        target = watched / "A001.mkv"
        with target.open("wb") as fh:
            fh.write(data[: len(data) // 2])
            fh.flush()
            time.sleep(4.0)                      # the copy stalls well past the stable period
            assert stub.ListJobs(pb.ListJobsRequest(), timeout=30).jobs == []   # no job for half a file
            fh.write(data[len(data) // 2:])
        job = wait_until(lambda: [j for j in stub.ListJobs(pb.ListJobsRequest(), timeout=30).jobs
                             if j.state in ("done", "failed")], 120, "the ingest")[0]
        assert job.state == "done", job.error
        time.sleep(2.0)                          # nothing else follows
        jobs = stub.ListJobs(pb.ListJobsRequest(), timeout=30).jobs
        assert [j.state for j in jobs] == ["done"]
        media = stub.ListMedia(pb.ListMediaRequest(), timeout=30).media
        assert len(media) == 1 and media[0].status == "ready" and abs(media[0].duration_s - 8.0) < 0.1
    finally:
        d.stop(0)


def test_a_file_that_grows_after_ingest_stays_the_same_media(tmp_path):
    from rushes.server.daemon import Daemon
    from rushes.settings import load_settings

    short = synth_clip(tmp_path / "src" / "short.mp4", seconds=1.0)
    longer = synth_clip(tmp_path / "src" / "long.mp4", seconds=2.0)
    clip = tmp_path / "rec" / "REC001.mp4"
    clip.parent.mkdir()
    clip.write_bytes(short.read_bytes())
    d = Daemon(load_settings({"RUSHES_HOME": str(tmp_path / "home")}), start_watcher=False).start()
    stub = pb_grpc.RushesStub(grpc.insecure_channel(d.settings.address))
    try:
        def ingest():
            job = stub.Ingest(pb.IngestRequest(paths=[str(clip)]), timeout=30).jobs[0]
            return wait_until(lambda: (lambda j: j if j.state in ("done", "failed") else None)(
                stub.GetJob(pb.GetJobRequest(id=job.id), timeout=30)), 120, "ingest")

        first = ingest()
        assert first.state == "done"
        clip.write_bytes(longer.read_bytes())    # the same path, more in it
        second = ingest()
        assert second.state == "done" and second.media_id == first.media_id
        media = stub.ListMedia(pb.ListMediaRequest(), timeout=30).media
        assert len(media) == 1 and abs(media[0].duration_s - 2.0) < 0.1
        shots = stub.GetShots(pb.GetShotsRequest(media=first.media_id), timeout=30)
        assert shots.frame_count == 50           # analysed again, not the first second's results
    finally:
        d.stop(0)
