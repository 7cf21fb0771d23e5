"""Watch and ingest roots (issue 11, defect 3): /proc, /sys, /dev and / are refused, links out
of a root are not followed, and an allow-list limits a shared daemon.

Before: `AddWatchFolder("/proc/self")` was accepted and the watcher followed `root` and `cwd`
through the whole filesystem.
"""
from __future__ import annotations

import os
from pathlib import Path

import grpc
import pytest
from rushes_testkit import synth_clip

from rushes_proto.v1 import rushes_pb2 as pb
from rushes_proto.v1 import rushes_pb2_grpc as pb_grpc


@pytest.fixture
def served(tmp_path):
    from rushes.server.daemon import Daemon
    from rushes.settings import load_settings

    def start(**env):
        settings = load_settings({"RUSHES_HOME": str(tmp_path / "home"), **env})
        d = Daemon(settings).start()
        started.append(d)
        return d, pb_grpc.RushesStub(grpc.insecure_channel(settings.address))

    started: list = []
    yield start
    for d in started:
        d.stop(0)


@pytest.mark.parametrize("root", ["/proc/self", "/proc/self/cwd", "/proc/self/root", "/sys", "/dev", "/",
                                  "/proc/../proc/1"])
def test_pseudo_filesystems_and_the_root_are_refused(served, root):
    d, stub = served()
    for call in (lambda: stub.AddWatchFolder(pb.AddWatchFolderRequest(path=root), timeout=30),
                 lambda: stub.Ingest(pb.IngestRequest(paths=[root]), timeout=30)):
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, err.value.details()
        assert "refusing" in err.value.details()
    assert d.app.catalog.query("SELECT * FROM watch_folders") == []
    assert d.app.catalog.query("SELECT * FROM jobs") == []
    assert d.app.watch.watcher.folders == []


def test_links_out_of_a_root_are_not_followed(tmp_path):
    from rushes.ingest.scan import scan

    card = tmp_path / "card"
    outside = tmp_path / "elsewhere"
    synth_clip(card / "A001.mp4", seconds=0.5)
    synth_clip(outside / "secret.mp4", seconds=0.5)
    (card / "sub").mkdir()
    os.symlink(outside, card / "to-elsewhere")
    os.symlink(card / "sub", card / "to-sub")          # inside the root: followed
    os.symlink("/proc/self", card / "proc-link")
    os.symlink("/", card / "slash")
    synth_clip(card / "sub" / "B001.mp4", seconds=0.5)
    entries = {e.path.name: e for e in scan([card])}
    media = sorted(e.path.name for e in entries.values() if e.action == "media")
    assert media == ["A001.mp4", "B001.mp4"]   # B001 once, though two paths reach it
    assert "outside" in entries["to-elsewhere"].reason
    assert entries["proc-link"].action == "skip" and entries["slash"].action == "skip"


def test_allow_list_limits_what_a_shared_daemon_reads(served, tmp_path):
    allowed = tmp_path / "footage"
    other = tmp_path / "other"
    synth_clip(allowed / "a.mp4", seconds=0.5)
    synth_clip(other / "b.mp4", seconds=0.5)
    d, stub = served(RUSHES_ALLOWED_ROOTS=f"{allowed}{os.pathsep}/nonexistent")
    with pytest.raises(grpc.RpcError) as err:
        stub.Ingest(pb.IngestRequest(paths=[str(other)]), timeout=30)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "RUSHES_ALLOWED_ROOTS" in err.value.details()
    with pytest.raises(grpc.RpcError):
        stub.AddWatchFolder(pb.AddWatchFolderRequest(path=str(other)), timeout=30)
    # A link inside the allowed folder that leads out of it is refused as a root too.
    os.symlink(other, allowed / "escape")
    with pytest.raises(grpc.RpcError):
        stub.Ingest(pb.IngestRequest(paths=[str(allowed / "escape")]), timeout=30)
    assert stub.AddWatchFolder(pb.AddWatchFolderRequest(path=str(allowed)), timeout=30).path == str(allowed)
    assert Path(d.app.watch.watcher.folders[0]) == allowed.resolve()
