""""Rushes - Search to timeline" end to end: the real daemon with real footage (one copy carrying
a 10:00:00:00 start timecode), two searches saved with the CLI, and the installed menu script
run in Resolve's Lua (LuaJIT, the Lua fake) and Python (the Python fake) on Resolve Free: the
newest saved search becomes a selects timeline, its hits best first at the frames the editor
sees, and the menu says what it did."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fake_resolve import FakeResolve
from rushes_testkit import ffmpeg, real_media
from test_resolve_lua import FAKE, luajit

from resolve import frames, install
from resolve.frames import Rate
from resolve.snapshot import from_dict, take

TIMELINE_RATE = Rate(25)


def _lua_menu(scripts, d, media: list[dict]) -> tuple[str, dict]:
    menu = scripts / "Utility" / "Rushes - Search to timeline.lua"
    support = scripts / "Modules" / "Rushes"
    add = " ".join(f"resolve.add_media({json.dumps(m['path'])}, {json.dumps(m['fps'])}, {m['frame_count']}, "
                   f"{json.dumps(m['start_timecode'] or '00:00:00:00')})" for m in media)
    code = (f"local Fake = dofile({json.dumps(str(FAKE))}) resolve = Fake.new(false) "
            f"resolve:GetProjectManager():GetCurrentProject():SetSetting('timelineFrameRate', '25') {add} "
            f"dofile({json.dumps(str(menu))}) "
            f"local J = dofile({json.dumps(str(support / 'rushes_json.lua'))}) "
            f"local R = dofile({json.dumps(str(support / 'rushes_resolve.lua'))}) "
            f"dofile({json.dumps(str(menu))}) "          # the menu run a second time: nothing left to do
            "print('SNAPSHOT ' .. J.encode(R.snapshot(resolve)))")
    proc = subprocess.run([luajit(), "-e", code], capture_output=True, text=True, timeout=300, env=d.env)
    assert proc.returncode == 0, proc.stderr
    out, _, snap = proc.stdout.partition("SNAPSHOT ")
    return out, json.loads(snap)


def _timeline(snap, name: str):
    return next(t for t in snap.timelines if t.name == name)


@pytest.mark.slow
@pytest.mark.realmedia
def test_search_to_timeline_from_the_newest_saved_search(ingested_project, tmp_path):
    stamped = tmp_path / "talking_head_tc.mp4"     # the same take, as a camera writes it: start TC 10:00:00:00
    ffmpeg("-i", str(real_media("talking_head.mp4")), "-t", "4.5", "-map", "0", "-c", "copy", "-timecode", "10:00:00:00",
           str(stamped))
    with ingested_project.daemon() as d:
        assert json.loads(d.cli("ingest", "--wait", "--json", str(stamped)).stdout)["jobs"][0]["state"] == "done"
        media = json.loads(d.cli("media", "list", "--json").stdout)["media"]
        by_id = {m["id"]: m for m in media}
        assert by_id[next(i for i, m in by_id.items() if m["path"] == str(stamped))]["start_timecode"] == "10:00:00:00"
        d.cli("search", "zebra crossing", "--save", "older")
        d.cli("search", "directory", "--save", "newest")          # said in talking_head.mp4 (and its copy)
        hits = json.loads(d.cli("search", "--saved", "newest", "--json").stdout)["hits"]
        assert {by_id[h["media_id"]]["path"] for h in hits} >= {str(ingested_project.paths["talking_head.mp4"]),
                                                                 str(stamped)}, hits

        # The same hits as an OTIO selects timeline straight from a query (`rushes export --what search`):
        # each clip cut at its hit, its source range on the media's own start timecode.
        import opentimelineio as otio

        exported = tmp_path / "directory.otio"
        d.cli("export", "--what", "search", "--query", "directory", "--format", "otio", "-o", str(exported))
        otio_clips = list(otio.adapters.read_from_file(str(exported)).find_clips())
        assert [(c.metadata["rushes"]["start_frame"], c.metadata["rushes"]["end_frame"])
                for c in otio_clips][:len(hits)] == [(h["start_frame"], h["end_frame"]) for h in hits]   # limit 50 vs 20
        on_copy = next(c for c, h in zip(otio_clips, hits) if by_id[h["media_id"]]["path"] == str(stamped))
        rate = float(Rate.parse(next(m["fps"] for m in media if m["path"] == str(stamped))).value)
        hit_on_copy = next(h for h in hits if by_id[h["media_id"]]["path"] == str(stamped))
        assert otio.opentime.to_timecode(on_copy.source_range.start_time, rate) == otio.opentime.to_timecode(
            otio.opentime.from_timecode("10:00:00:00", rate) + otio.opentime.RationalTime(hit_on_copy["start_frame"], rate),
            rate)

        # Lua (Resolve Free's route): the installed menu script, run twice.
        lua_dir = tmp_path / "lua"
        install.install(scripts_dir=lua_dir, command=[sys.executable, "-m", "rushes.cli.main"], address=d.address)
        said, lua_snap = _lua_menu(lua_dir, d, media)
        videos = [h for h in hits if by_id[h["media_id"]]["kind"] == "video"]
        assert (f"Rushes: saved search 'newest' ('directory'): {len(hits)} hit(s); timeline 'Search: newest' made "
                f"with {len(videos)} clip(s)") in said, said
        assert "Rushes: saved search 'newest' ('directory')" in said and "already holds every hit" in said, said
        assert said.count("0 failed") == 2 and "Rushes: 0 change(s) applied, 0 failed" in said, said

        # Python (Studio's route): the installed Python menu against the Python fake.
        py_dir = tmp_path / "py"
        install.install(scripts_dir=py_dir, python=True, command=[sys.executable, "-m", "rushes.cli.main"],
                        address=d.address)
        fake = FakeResolve()
        fake.studio = False
        fake.GetProjectManager().GetCurrentProject().SetSetting("timelineFrameRate", "25")
        for m in media:
            fake.add_media(m["path"], m["fps"], m["frame_count"], start_tc=m["start_timecode"] or "00:00:00:00")
        sys.path.insert(0, str(py_dir / "Modules" / "Rushes"))
        try:
            import rushes_menu

            assert rushes_menu.run("search", {"resolve": fake}, str(py_dir / "Modules" / "Rushes"))
        finally:
            sys.path.remove(str(py_dir / "Modules" / "Rushes"))
            sys.modules.pop("rushes_menu", None)
        py_snap = take(fake)

    lua_tl, py_tl = _timeline(from_dict(lua_snap), "Search: newest"), _timeline(py_snap, "Search: newest")
    assert not [t for t in py_snap.timelines if t.name == "Search: older"]
    start = frames.timeline_start_frame(TIMELINE_RATE)
    assert (lua_tl.start_frame, lua_tl.start_timecode) == (py_tl.start_frame, py_tl.start_timecode) == (
        start, "01:00:00:00")
    cursor, expected = start, []
    for h in videos:                            # best hit first, back to back, each at its own rate
        m = by_id[h["media_id"]]
        expected.append((m["path"], h["start_frame"], h["end_frame"], cursor, hits.index(h) + 1))
        cursor += frames.timeline_frames(h["end_frame"] - h["start_frame"], Rate.parse(m["fps"]), TIMELINE_RATE)
    for tl in (lua_tl, py_tl):
        assert sorted((i.file_path, i.source_start, i.source_end, i.start) for i in tl.items) == sorted(
            e[:4] for e in expected)
    # Each item's marker names where the hit is in the source, as the editor's clip shows it:
    # the clip's own Start TC plus the hit's first frame, on the clip's own rate.
    clips = {c.file_path: c for c in py_snap.clips}
    for tl in (lua_tl, py_tl):
        marks = {m.frame: m for m in tl.markers}
        assert sorted(marks) == [e[3] - start for e in expected]
        for path, lo, hi, at, rank in expected:
            rate = Rate.parse(next(m["fps"] for m in media if m["path"] == path))
            item = next(i for i in fake.GetProjectManager().GetCurrentProject().GetMediaPool()._all_clips()
                        if i.GetClipProperty("File Path") == path)
            tc_in = frames.frame_to_timecode(frames.timecode_to_frame(item.GetClipProperty("Start TC"), rate) + lo, rate)
            assert f"{path.rsplit('/', 1)[-1]} {tc_in}-" in marks[at - start].note, marks[at - start]
            assert marks[at - start].name.startswith(f"#{rank} ")
            assert clips[path].bin[:1] == ("Rushes",)
    stamped_in = next(m for m in (lua_tl.markers) if "talking_head_tc.mp4 10:00:" in m.note)
    assert stamped_in.custom_data.startswith('rushes:{"search":"newest"')
