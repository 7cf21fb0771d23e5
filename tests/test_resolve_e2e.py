"""The Resolve plugin end to end: the real daemon on loopback, real footage, the CLI's plan
applied to the fake Resolve twice, new footage, and a move between bins learned."""
from __future__ import annotations

import json
import shutil

import pytest
from fake_resolve import FakeResolve
from rushes_testkit import real_media

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


def _check_sync(d, fake, tl_rate: Rate) -> dict:
    """Clips in our bins with a marker on every shot's first frame; every selects timeline starts
    at 01:00:00:00 on the project's rate with its items back to back, each on its frame."""
    snap = take(fake)
    clips = {c.file_path: c for c in snap.clips if c.kind == "clip"}
    assert clips and all(c.bin[:1] == ("Rushes",) for c in clips.values())
    for path, clip in clips.items():
        shots = json.loads(d.cli("shots", path, "--json").stdout)["shots"]
        marked = {parse_marker_data(m.custom_data)["shot"]: m.frame for m in clip.markers
                  if "shot" in (parse_marker_data(m.custom_data) or {})}
        assert marked == {str(s["id"]): s["start_frame"] for s in shots}
    assert snap.timelines
    start = frames.timeline_start_frame(tl_rate)
    for tl in snap.timelines:
        assert (tl.start_frame, tl.start_timecode) == (start, frames.start_timecode(tl_rate))
        if tl.name.endswith("(compound)"):      # one compound item: checked where it is made
            assert len(tl.items) == 1 and tl.items[0].start == start
            continue
        cursor = start
        for item in sorted(tl.items, key=lambda i: i.start):
            rate = next(m for m in fake._media.values() if m.path == item.file_path).fps
            assert item.start == cursor
            cursor += frames.timeline_frames(item.source_end - item.source_start, rate, tl_rate)
            assert item.end == cursor
    return clips


@pytest.mark.slow
@pytest.mark.realmedia
def test_sync_at_29_97_drop_frame_puts_everything_on_its_frame(ingested_project, tmp_path):
    with ingested_project.daemon() as d:
        fake = FakeResolve()
        assert fake.GetProjectManager().GetCurrentProject().SetSetting("timelineFrameRate", "29.97 DF")
        _register(fake, d)
        assert apply(fake, _plan(d, fake, tmp_path)["ops"]).ok
        tl_rate = Rate(30000, 1001, True)
        clips = _check_sync(d, fake, tl_rate)
        assert set(clips) == {str(p) for p in ingested_project.paths.values()}
        assert _plan(d, fake, tmp_path)["ops"] == []          # a second sync changes nothing

        # Highlights: a marker over each on its clip, and the project's best on one timeline.
        snap = take(fake)
        rates = {m.path: m.fps for m in fake._media.values()}
        for path, clip in clips.items():
            mine = json.loads(d.cli("highlights", path, "--json").stdout)["clips"]
            marked = {parse_marker_data(m.custom_data)["highlight"]: m for m in clip.markers
                      if "highlight" in (parse_marker_data(m.custom_data) or {})}
            assert set(marked) == {h["id"] for h in mine}
            for h in mine:       # on its first frame, or the next one when a shot marker is there
                assert h["start_frame"] <= marked[h["id"]].frame <= h["start_frame"] + 1
        paths = {m["id"]: m["path"] for m in json.loads(d.cli("media", "list", "--json").stdout)["media"]}
        best = json.loads(d.cli("highlights", "--json").stdout)["clips"]
        assert best, "the ingested project has highlights"
        tl = snap.timeline("Rushes highlights")
        start = frames.timeline_start_frame(tl_rate)
        cursor, expected = start, []
        for h in best:
            path = paths[h["media_id"]]
            expected.append((path, h["start_frame"], h["end_frame"], cursor))
            cursor += frames.timeline_frames(h["end_frame"] - h["start_frame"], rates[path], tl_rate)
        assert sorted((i.file_path, i.source_start, i.source_end, i.start) for i in tl.items) == sorted(expected)
        assert sorted(m.frame for m in tl.markers) == sorted(e[3] - start for e in expected)

        # A compound clip made in the daemon becomes one compound clip in Resolve.
        scenes, bikes = str(ingested_project.paths["scenes.mp4"]), str(ingested_project.paths["bikes.mp4"])
        d.cli("compound", "create", "Trailer", "--range", scenes, "0", "50", "--range", bikes, "30", "76")
        snap_file = tmp_path / "snap.json"
        snap_file.write_text(dumps(take(fake)))
        plan = json.loads(d.cli("resolve", "plan", "--snapshot", str(snap_file), "--only", "compound", "--json").stdout)
        assert [op["name"] for op in plan["ops"] if op["op"] == "create_compound_clip"] == ["Trailer"]
        assert apply(fake, plan["ops"]).ok
        trailer = take(fake).timeline("Trailer (compound)")
        assert len(trailer.items) == 1 and trailer.items[0].start == start
        assert trailer.items[0].end - start == (frames.timeline_frames(50, rates[scenes], tl_rate)
                                                + frames.timeline_frames(46, rates[bikes], tl_rate))
        assert _plan(d, fake, tmp_path)["ops"] == []

        # A timeline file from `rushes export`, imported by Resolve: every shot of bikes.mp4 in place.
        # (The fake reads timeline files with OpenTimelineIO, whose FCPXML adapter drops FCPXML
        # 1.10's media-rep file references, so FCPXML import is left to Resolve itself.)
        for fmt, ext in (("otio", "otio"), ("fcp7", "xml")):
            exported = tmp_path / f"bikes_shots_{fmt}.{ext}"
            d.cli("export", "--what", "shots", "--format", fmt, bikes, "-o", str(exported))
            snap_file.write_text(dumps(take(fake)))
            args = ("resolve", "plan", "--snapshot", str(snap_file), "--only", "sync", "--import-timeline", str(exported))
            plan = json.loads(d.cli(*args, "--json").stdout)
            kinds = [op["op"] for op in plan["ops"]]
            assert kinds.count("import_timeline") == 1 and set(kinds) <= {"import_timeline", "make_bin"}
            assert apply(fake, plan["ops"]).ok
            imported = take(fake).timeline(exported.stem)
            shots = json.loads(d.cli("shots", bikes, "--json").stdout)["shots"]
            assert sorted((i.file_path, i.source_start, i.source_end) for i in imported.items) == \
                [(bikes, s["start_frame"], s["end_frame"]) for s in shots]
            snap_file.write_text(dumps(take(fake)))
            assert json.loads(d.cli(*args, "--json").stdout)["ops"] == []        # imported once


@pytest.mark.slow
@pytest.mark.realmedia
def test_sync_resync_new_footage_and_learning(ingested_project, tmp_path):
    late = tmp_path / "late" / "city_night.mpg"
    late.parent.mkdir()
    shutil.copy(real_media("city_night.mpg"), late)
    with ingested_project.daemon() as d:
        fake = FakeResolve()
        project = fake.GetProjectManager().GetCurrentProject()
        assert project.SetSetting("timelineFrameRate", "23.976")
        _register(fake, d)
        plan = _plan(d, fake, tmp_path)
        assert apply(fake, plan["ops"]).ok
        clips = _check_sync(d, fake, Rate(24000, 1001))
        assert _plan(d, fake, tmp_path)["ops"] == []          # a second sync changes nothing

        jobs = json.loads(d.cli("ingest", "--wait", "--json", str(late)).stdout)["jobs"]
        assert jobs[0]["state"] == "done"
        _register(fake, d)
        plan = _plan(d, fake, tmp_path)
        assert [op["file"] for op in plan["ops"] if op["op"] == "import_media"] == [str(late)]
        assert not [op for op in plan["ops"] if op["op"] in ("move_clip", "set_clip_color", "set_metadata",
                                                             "add_marker", "update_marker_data")
                    and op.get("file") in clips]                # the clips already there are not touched
        assert apply(fake, plan["ops"]).ok
        _check_sync(d, fake, Rate(24000, 1001))
        assert _plan(d, fake, tmp_path)["ops"] == []

        # The editor moves bikes.mp4 to another of our bins; "Learn from my bins" sends it.
        pool = project.GetMediaPool()
        bikes = next(c for c in pool._all_clips() if c.GetName() == "bikes.mp4")
        here = pool._folder_of(bikes)
        rushes = next(f for f in pool.GetRootFolder().GetSubFolderList() if f.GetName() == "Rushes")
        ours = [f for f in rushes.GetSubFolderList() if f.GetName() == "Unsorted"]
        for group in rushes.GetSubFolderList():
            if group.GetName() == "Scenes":
                ours += group.GetSubFolderList()
        target = next(f for f in ours if f is not here)
        assert pool.MoveClips([bikes], target)
        snap_file = tmp_path / "moved.json"
        snap_file.write_text(dumps(take(fake)))
        sent = json.loads(d.cli("resolve", "learn", "--snapshot", str(snap_file), "--json").stdout)["moves"]
        assert len(sent) == 1 and sent[0]["file"] == str(ingested_project.paths["bikes.mp4"]) and sent[0]["feedback_id"]
        scenes = json.loads(d.cli("clusters", "--view", "scene", "--json").stdout)["clusters"]
        where = {s: c["id"] for c in scenes for s in c["shots"]}
        assert {where[m] for m in sent[0]["members"]} == {sent[0]["to"]}      # the daemon learned it
        plan = _plan(d, fake, tmp_path)                                        # the next sync shows it
        assert not [op for op in plan["ops"] if op["op"] == "move_clip"]
        assert apply(fake, plan["ops"]).ok
        assert pool._folder_of(bikes) is target
        if target.GetName() != "Unsorted":                                     # its scene keyword follows
            assert target.GetName() in bikes.GetMetadata("Keywords").split(", ")
        snap_file.write_text(dumps(take(fake)))
        relearn = json.loads(d.cli("resolve", "learn", "--snapshot", str(snap_file), "--json").stdout)
        assert relearn["moves"] == []
        assert _plan(d, fake, tmp_path)["ops"] == []
