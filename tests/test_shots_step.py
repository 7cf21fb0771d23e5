"""The "analyse" step stores shots, keyframes (with 320 px thumbnails), transitions and segments
in one transaction, feeds extra frame consumers, replaces earlier rows; the RPCs read them back."""
from __future__ import annotations

import io
import json

import pytest
from rushes_testkit import DaemonProcess, free_address, real_media, synth_clip

from rushes.catalog import Catalog, media_rows, projects
from rushes.ingest.probe import probe
from rushes.steps import stages
from rushes.steps.context import StepContext


def _media(cat: Catalog, path) -> tuple[int, int]:
    p = probe(path).to_dict()
    with cat.transaction() as conn:
        pid = projects.ensure_project(conn, "default")
        mid = media_rows.upsert_media(conn, fingerprint=f"fp:{path}", path=str(path), size=1, mtime=0.0,
                                   probe={k: p.get(k) for k in media_rows.MEDIA_FIELDS}, status="analysing")
        projects.link_media(conn, pid, mid)
    return pid, mid


class Counter:
    full_stride = 25

    def __init__(self) -> None:
        self.n = 0
        self.fulls = 0
        self.done = False

    def consume(self, frame) -> None:
        self.n += 1
        self.fulls += frame.full is not None

    def finish(self) -> None:
        self.done = True


def test_step_stores_everything_and_replaces_earlier_rows(settings, monkeypatch):
    from PIL import Image

    from rushes.shots import step

    path = real_media("bikes.mp4")
    cat = Catalog.open(settings.catalog_path)
    pid, mid = _media(cat, path)
    media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
    extra = Counter()
    ctx = StepContext(catalog=cat, vectors=None, settings=settings, media=media, project_id=pid, job_id=1,
                      scratch={"frame_consumers": [extra]}, params={"shots_model": "off"})
    step.run(ctx)
    assert extra.done and extra.n == 250 and extra.fulls == 10          # the one pass fed it
    shots = cat.query("SELECT * FROM shots WHERE media_id=? ORDER BY idx", (mid,))
    assert [s["start_frame"] for s in shots] == [0, 30, 76, 137, 187, 242]
    assert shots[-1]["end_frame"] == 250
    cuts = cat.query("SELECT start_frame, end_frame FROM transitions WHERE media_id=? AND type='cut' ORDER BY start_frame", (mid,))
    assert [(c[0], c[1]) for c in cuts] == [(30, 31), (76, 77), (137, 138), (187, 188), (242, 243)]
    kfs = cat.query("SELECT k.* FROM keyframes k JOIN shots s ON s.id=k.shot_id WHERE s.media_id=?", (mid,))
    assert len(kfs) >= len(shots)
    for k in kfs:
        with Image.open(k["thumb_path"]) as im:
            assert im.width == 320 and im.format == "JPEG"
        assert str(settings.thumbs_dir) in k["thumb_path"]
    assert stages.done_version(cat.connect(), mid, "analyse") == step.current_version(ctx)
    # run again: rows are replaced, not added
    step.run(ctx)
    assert len(cat.query("SELECT id FROM shots WHERE media_id=?", (mid,))) == len(shots)
    assert len(cat.query("SELECT id FROM transitions WHERE media_id=?", (mid,))) == 5


def test_step_fails_the_file_not_the_daemon(settings, tmp_path):
    from rushes.steps.context import StepFailed
    from rushes.shots import step

    clip = synth_clip(tmp_path / "ok.mp4", seconds=1.0, size="160x120")
    cat = Catalog.open(settings.catalog_path)
    pid, mid = _media(cat, clip)
    clip.write_bytes(b"not a video any more")
    media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
    ctx = StepContext(catalog=cat, vectors=None, settings=settings, media=media, project_id=pid, job_id=1)
    with pytest.raises(StepFailed, match="ok.mp4"):
        step.run(ctx)
    assert not cat.query("SELECT id FROM shots WHERE media_id=?", (mid,))


@pytest.mark.slow
def test_ingest_then_rushes_shots_and_keyframe_images_through_the_daemon(tmp_path):
    src = tmp_path / "footage"
    src.mkdir()
    clip = src / "bikes.mp4"
    clip.write_bytes(real_media("bikes.mp4").read_bytes())
    with DaemonProcess(tmp_path / "home") as d:
        proc = d.cli("ingest", "--wait", "--json", str(src), check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out = json.loads(d.cli("shots", str(clip), "--json").stdout)
        assert out["fps"] == "25/1" and out["frame_count"] == 250 and out["media_id"].isdigit()
        assert [s["start_frame"] for s in out["shots"]] == [0, 30, 76, 137, 187, 242]
        assert all(s["id"].isdigit() and s["keyframes"] for s in out["shots"])
        assert [t["frame"] for t in out["transitions"] if t["type"] == "cut"] == [30, 76, 137, 187, 242]
        # One shape both ways: the same file analysed in-process (no daemon at that address)
        # prints the same record; only the catalog ids differ (null: nothing stored).
        alone = json.loads(d.cli("--address", free_address(), "shots", str(clip), "--json").stdout)
        assert list(alone) == list(out) and [list(s) for s in alone["shots"]] == [list(s) for s in out["shots"]]
        strip = lambda shots: [{k: v for k, v in s.items() if k != "id"} for s in shots]  # noqa: E731
        assert strip(alone["shots"]) == strip(out["shots"])
        assert (alone["transitions"], alone["segments"]) == (out["transitions"], out["segments"])
        assert alone["media_id"] is None and all(s["id"] is None for s in alone["shots"])
        from PIL import Image

        from rushes_proto.v1 import rushes_pb2 as pb

        with d.client() as c:
            kf = out["shots"][1]["keyframes"][0]
            small = c.call("GetKeyframeImage", pb.GetKeyframeImageRequest(media=str(clip), frame=kf))
            assert small.width == 320 and Image.open(io.BytesIO(small.jpeg)).size == (320, 136)
            full = c.call("GetKeyframeImage", pb.GetKeyframeImageRequest(media=str(clip), frame=kf, full_resolution=True))
            assert (full.width, full.height) == (640, 272)
            resp = c.call("GetShots", pb.GetShotsRequest(media=str(clip), project="default"))
            assert len(resp.shots) == 6 and resp.media_id
