"""The Resolve plugin end to end: the real daemon on loopback, real footage, the CLI's plan
applied to the fake Resolve twice, new footage, and a move between bins learned."""
from __future__ import annotations

import json
import shutil

import pytest
from fake_resolve import FakeResolve
from rushes_testkit import DaemonProcess, real_media

from resolve import frames
from resolve.apply import apply
from resolve.frames import Rate
from resolve.plan import parse_marker_data
from resolve.snapshot import dumps, take


def _plan(d, fake, tmp_path):
    snap = tmp_path / "snapshot.json"
    snap.write_text(dumps(take(fake)))
    return json.loads(d.cli("resolve", "plan", "--snapshot", str(snap), "--json").stdout)


def _register(fake, d):
    for m in json.loads(d.cli("media", "list", "--json").stdout)["media"]:
        fake.add_media(m["path"], m["fps"], m["frame_count"], start_tc=m["start_timecode"] or "00:00:00:00")
    return fake


@pytest.mark.slow
@pytest.mark.realmedia
def test_sync_resync_new_footage_and_learning(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    for name in ("bikes.mp4", "city_night.mpg"):
        shutil.copy(real_media(name), media / name)
    late = real_media("rocket_launch.webm")
    with DaemonProcess(tmp_path / "home") as d:
        jobs = json.loads(d.cli("ingest", "--wait", "--json", str(media)).stdout)["jobs"]
        assert [j["state"] for j in jobs] == ["done", "done"], jobs
        fake = FakeResolve()
        project = fake.GetProjectManager().GetCurrentProject()
        assert project.SetSetting("timelineFrameRate", "29.97 DF")
        _register(fake, d)

        plan = _plan(d, fake, tmp_path)
        assert apply(fake, plan["ops"]).ok
        snap = take(fake)
        clips = {c.file_path: c for c in snap.clips if c.kind == "clip"}
        assert set(clips) == {str(media / "bikes.mp4"), str(media / "city_night.mpg")}
        assert all(c.bin[:1] == ("Rushes",) for c in clips.values())
        shots = {p: json.loads(d.cli("shots", p, "--json").stdout)["shots"] for p in clips}
        for path, clip in clips.items():     # a marker on every shot's first frame, our id in it
            marked = {parse_marker_data(m.custom_data)["shot"]: m.frame for m in clip.markers}
            assert marked == {str(s["id"]): s["start_frame"] for s in shots[path]}
        # Every selects timeline starts at 01:00:00;00 (frame 107892 at 29.97 DF), items back to back.
        assert snap.timelines
        for tl in snap.timelines:
            assert (tl.start_frame, tl.start_timecode) == (107892, "01:00:00;00")
            cursor = tl.start_frame
            for item in sorted(tl.items, key=lambda i: i.start):
                rate = Rate.parse(next(m for m in fake._media.values() if m.path == item.file_path).fps.text())
                assert item.start == cursor
                cursor += frames.timeline_frames(item.source_end - item.source_start, rate, Rate(30000, 1001, True))
                assert item.end == cursor

        assert _plan(d, fake, tmp_path)["ops"] == []          # a second sync changes nothing

        shutil.copy(late, media / late.name)
        jobs = json.loads(d.cli("ingest", "--wait", "--json", str(media / late.name)).stdout)["jobs"]
        assert jobs[0]["state"] == "done"
        _register(fake, d)
        plan = _plan(d, fake, tmp_path)
        touched = {op.get("file") for op in plan["ops"] if op.get("file")}
        assert touched <= {str(media / late.name), *clips}
        assert [op["file"] for op in plan["ops"] if op["op"] == "import_media"] == [str(media / late.name)]
        assert not [op for op in plan["ops"] if op["op"] in ("move_clip", "set_clip_color", "create_timeline")
                    and op.get("file") in clips]
        assert apply(fake, plan["ops"]).ok
        assert _plan(d, fake, tmp_path)["ops"] == []

        # The editor moves bikes.mp4 into another of our bins: "Learn from my bins" sends it.
        pool = project.GetMediaPool()
        bikes = next(c for c in pool._all_clips() if c.GetName() == "bikes.mp4")
        here = pool._folder_of(bikes)
        rushes = next(f for f in pool.GetRootFolder().GetSubFolderList() if f.GetName() == "Rushes")
        scene_bins = [f for f in rushes.GetSubFolderList() if f.GetName() == "Scenes"]
        candidates = [f for f in (scene_bins[0].GetSubFolderList() if scene_bins else []) if f is not here]
        target = candidates[0] if here.GetName() == "Unsorted" or not candidates else \
            next(f for f in rushes.GetSubFolderList() if f.GetName() == "Unsorted") \
            if any(f.GetName() == "Unsorted" for f in rushes.GetSubFolderList()) else candidates[0]
        assert pool.MoveClips([bikes], target)
        snap_file = tmp_path / "moved.json"
        snap_file.write_text(dumps(take(fake)))
        sent = json.loads(d.cli("resolve", "learn", "--snapshot", str(snap_file), "--json").stdout)["moves"]
        assert len(sent) == 1 and sent[0]["file"] == str(media / "bikes.mp4") and sent[0]["feedback_id"]
        scenes = json.loads(d.cli("clusters", "--view", "scene", "--json").stdout)["clusters"]
        where = {s: c["id"] for c in scenes for s in c["shots"]}
        assert {where[m] for m in sent[0]["members"]} == {sent[0]["to"]}      # the daemon learned it
        plan = _plan(d, fake, tmp_path)                                        # the next sync shows it
        assert not [op for op in plan["ops"] if op["op"] == "move_clip"]
        assert apply(fake, plan["ops"]).ok
        assert pool._folder_of(bikes) is target
        assert json.loads(d.cli("resolve", "learn", "--snapshot", str(snap_file), "--dry-run", "--json").stdout)
        assert _plan(d, fake, tmp_path)["ops"] == []
