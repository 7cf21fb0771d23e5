"""One media, several copies (issue 11, defect 8): paths are a list per media, and a media goes
offline only when no copy remains.

Before: two identical copies became one media that remembered only the last path; deleting
that copy sent the media offline although the other copy was still there.
"""
from __future__ import annotations

import shutil

import grpc
from rushes_testkit import synth_clip, wait_until

from rushes_proto.v1 import rushes_pb2 as pb
from rushes_proto.v1 import rushes_pb2_grpc as pb_grpc




def test_deleting_one_copy_keeps_the_media_online(tmp_path, monkeypatch):
    from rushes.server.daemon import Daemon
    from rushes.settings import load_settings

    monkeypatch.setenv("RUSHES_STABLE_SECONDS", "0.5")
    watched = tmp_path / "watched"
    synth_clip(tmp_path / "clip.mp4", seconds=1.0)
    (watched / "cardA").mkdir(parents=True)
    (watched / "cardB").mkdir()
    settings = load_settings({"RUSHES_HOME": str(tmp_path / "home")})
    d = Daemon(settings).start()
    stub = pb_grpc.RushesStub(grpc.insecure_channel(settings.address))
    try:
        stub.AddWatchFolder(pb.AddWatchFolderRequest(path=str(watched)), timeout=30)
        a, b = watched / "cardA" / "A001.mp4", watched / "cardB" / "A001.mp4"
        shutil.copy(tmp_path / "clip.mp4", a)
        wait_until(lambda: [m for m in stub.ListMedia(pb.ListMediaRequest(), timeout=30).media if m.status == "ready"],
              what="first copy ready")
        shutil.copy(tmp_path / "clip.mp4", b)
        media = wait_until(lambda: [m for m in stub.ListMedia(pb.ListMediaRequest(), timeout=30).media
                               if sorted(m.paths) == sorted([str(a), str(b)]) and m.status == "ready"],
                      what="both copies known")
        assert len(stub.ListMedia(pb.ListMediaRequest(), timeout=30).media) == 1   # one media
        media_id = media[0].id
        # Either copy finds the media.
        assert stub.GetMedia(pb.GetMediaRequest(media=str(a)), timeout=30).id == media_id
        assert stub.GetMedia(pb.GetMediaRequest(media=str(b)), timeout=30).id == media_id

        read_first = stub.GetMedia(pb.GetMediaRequest(media=media_id), timeout=30).path
        other = str(a) if read_first == str(b) else str(b)
        (watched / read_first.split("/")[-2] / "A001.mp4").unlink()
        m = wait_until(lambda: (lambda m: m if list(m.paths) == [other] else None)(
            stub.GetMedia(pb.GetMediaRequest(media=media_id), timeout=30)), what="deleted copy forgotten")
        assert m.status == "ready" and m.path == other
        # Pictures still come from the copy that remains.
        assert stub.GetKeyframeImage(pb.GetKeyframeImageRequest(media=media_id, frame=3, full_resolution=True),
                                     timeout=60).width == 320

        (watched / other.split("/")[-2] / "A001.mp4").unlink()
        m = wait_until(lambda: (lambda m: m if m.status == "offline" else None)(
            stub.GetMedia(pb.GetMediaRequest(media=media_id), timeout=30)), what="offline when no copy remains")
        assert "no other copy" in m.reason
    finally:
        d.stop(0)
