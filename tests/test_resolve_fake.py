"""The fake Resolve reproduces every behaviour in ../shared/resolve/API-FACTS.md: one test each.

The plugin is tested against this fake, so these tests are what makes it worth anything: each
names the fact (and its source there) it checks.
"""
from __future__ import annotations

import pytest
from fake_resolve import CLIP_COLORS, MARKER_COLORS, FakeResolve, MediaPoolItem, TimelineItem, scriptapp


def _app(rate: str = "24", studio: bool = True) -> FakeResolve:
    app = FakeResolve(studio=studio)
    app.add_media("/r/a.mov", "24", 240)
    app.add_media("/r/b.mov", "24", 100, audio=False)
    app.add_media("/r/c.mov", "30000/1001", 300, start_tc="10:00:00;00")
    assert app.GetProjectManager().GetCurrentProject().SetSetting("timelineFrameRate", rate)
    return app


def _pool(app):
    project = app.GetProjectManager().GetCurrentProject()
    return project, project.GetMediaPool()


# Objects and calls (README) -----------------------------------------------------------------
def test_product_name_and_version_say_free_or_studio():
    assert FakeResolve(studio=True).GetProductName() == "DaVinci Resolve Studio"
    assert FakeResolve(studio=False).GetProductName() == "DaVinci Resolve"
    version = FakeResolve().GetVersion()
    assert isinstance(version, list) and len(version) == 5 and isinstance(version[4], str)


def test_create_project_refuses_an_existing_name():
    pm = FakeResolve().GetProjectManager()
    assert pm.CreateProject("Doc") is not None
    assert pm.CreateProject("Doc") is None


def test_timelines_are_indexed_from_one():
    project, pool = _pool(_app())
    tl = pool.CreateEmptyTimeline("one")
    assert project.GetTimelineCount() == 1
    assert project.GetTimelineByIndex(1) is tl and project.GetTimelineByIndex(0) is None


def test_folders_and_current_folder():
    _, pool = _pool(_app())
    root = pool.GetRootFolder()
    assert root.GetName() == "Master"
    sub = pool.AddSubFolder(root, "Scenes")
    assert sub.GetName() == "Scenes" and root.GetSubFolderList() == [sub]
    assert pool.SetCurrentFolder(sub) is True and pool.GetCurrentFolder() is sub
    assert pool.SetCurrentFolder("Scenes") is False


def test_import_media_always_lands_in_the_current_folder():
    _, pool = _pool(_app())
    sub = pool.AddSubFolder(pool.GetRootFolder(), "Bin")
    pool.SetCurrentFolder(sub)
    items = pool.ImportMedia(["/r/a.mov", {"FilePath": "/r/b.mov", "StartIndex": 0, "EndIndex": 0}, "/r/missing.mov"])
    assert [i.GetName() for i in items] == ["a.mov", "b.mov"]     # unreadable files are left out
    assert sub.GetClipList() == items and pool.GetRootFolder().GetClipList() == []


def test_move_clips_returns_a_bool():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    dest = pool.AddSubFolder(pool.GetRootFolder(), "Dest")
    assert pool.MoveClips([a], dest) is True and dest.GetClipList() == [a]
    assert pool.MoveClips([], dest) is False


def test_clip_properties_are_strings_except_fps():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    props = a.GetClipProperty()
    assert (props["Frames"], props["Start"], props["End"]) == ("240", "0", "239")     # End inclusive
    assert props["FPS"] == 24.0 and isinstance(props["FPS"], float)
    assert props["File Path"] == "/r/a.mov" and props["File Name"] == "a.mov" and props["Type"] == "Video + Audio"
    assert all(isinstance(v, str) for k, v in props.items() if k != "FPS")
    c = pool.ImportMedia(["/r/c.mov"])[0]
    assert c.GetClipProperty("Start TC") == "10:00:00;00"


def test_keywords_are_written_as_the_keywords_metadata():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    assert a.SetMetadata("Keywords", "Scene 1, Anna") is True
    assert a.SetMetadata({"Comments": "hi", "Scene": "1"}) is True
    assert a.GetMetadata("Keywords") == "Scene 1, Anna" and a.GetClipProperty("Keyword") == "Scene 1, Anna"
    assert a.GetMetadata()["Comments"] == "hi"


# Values it accepts ----------------------------------------------------------------------------
def test_exactly_sixteen_clip_colours():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    assert len(CLIP_COLORS) == 16
    assert all(a.SetClipColor(c) is True for c in CLIP_COLORS)
    assert a.SetClipColor("Red") is False and a.SetClipColor("orange") is False
    assert a.GetClipColor() == "Chocolate"
    assert a.ClearClipColor() is True and a.GetClipColor() == ""


def test_sixteen_marker_colours_and_an_occupied_frame_is_refused():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    assert len(MARKER_COLORS) == 16
    assert a.AddMarker(10, "Sky", "n", "note", 1, "rushes:1") is True
    assert a.AddMarker(10, "Blue", "again", "", 1, "") is False          # occupied frame
    assert a.AddMarker(11, "Orange", "bad", "", 1, "") is False          # a clip colour, not a marker colour
    assert all(a.AddMarker(100 + i, c, "", "", 1, "") for i, c in enumerate(MARKER_COLORS))


def test_marker_calls_and_float_keys():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    a.AddMarker(96, "Green", "Marker 1", "", 1, "x")
    a.AddMarker(5000, "Red", "past the end", "", 1, "y")                 # unvalidated
    markers = a.GetMarkers()
    assert list(markers) == [96.0, 5000.0] and all(isinstance(k, float) for k in markers)
    assert markers[96.0] == {"color": "Green", "duration": 1.0, "note": "", "name": "Marker 1", "customData": "x"}
    assert a.GetMarkerByCustomData("x")["name"] == "Marker 1" and a.GetMarkerByCustomData("nope") == {}
    assert a.UpdateMarkerCustomData(96, "z") is True and a.UpdateMarkerCustomData(97, "z") is False
    assert a.DeleteMarkerByCustomData("z") is True and a.DeleteMarkerAtFrame(5000) is True
    a.AddMarker(1, "Red", "", "", 1, "")
    assert a.DeleteMarkersByColor("All") is True and a.GetMarkers() == {}


# Frame and time semantics ---------------------------------------------------------------------
@pytest.mark.parametrize("rate,start,tc", [("24", 86400, "01:00:00:00"), ("29.97", 108000, "01:00:00:00"),
                                           ("29.97 DF", 107892, "01:00:00;00"), ("23.976", 86400, "01:00:00:00")])
def test_timelines_start_at_one_hour_counted_at_the_nominal_rate(rate, start, tc):
    _, pool = _pool(_app(rate))
    tl = pool.CreateEmptyTimeline("t")
    assert tl.GetStartFrame() == start and tl.GetStartTimecode() == tc


def test_record_frame_is_absolute_and_end_frame_exclusive():
    project, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    pool.CreateEmptyTimeline("t")
    items = pool.AppendToTimeline([{"mediaPoolItem": a, "startFrame": 10, "endFrame": 58, "recordFrame": 86400 + 24,
                                    "trackIndex": 1, "mediaType": 1}])
    assert len(items) == 1 and isinstance(items[0], TimelineItem)
    item = items[0]
    assert (item.GetStart(), item.GetEnd(), item.GetDuration()) == (86424, 86472, 48)      # 58 - 10
    assert (item.GetSourceStartFrame(), item.GetSourceEndFrame()) == (10, 58)
    assert (item.GetLeftOffset(), item.GetRightOffset()) == (10, 240 - 58)
    assert item.GetMediaPoolItem() is a


def test_timeline_markers_count_from_the_timeline_start():
    _, pool = _pool(_app())
    tl = pool.CreateEmptyTimeline("t")
    assert tl.AddMarker(0, "Blue", "first frame", "", 1, "") is True
    assert list(tl.GetMarkers()) == [0.0]
    assert tl.GetStartFrame() + 0 == 86400


def test_set_start_timecode_moves_the_items():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    tl = pool.CreateEmptyTimeline("t")
    item = pool.AppendToTimeline([a])[0]
    assert item.GetStart() == 86400
    assert tl.SetStartTimecode("00:00:10:00") is True
    assert (tl.GetStartFrame(), item.GetStart()) == (240, 240)
    assert tl.SetStartTimecode("garbage") is False


def test_mixed_rates_are_floored():
    _, pool = _pool(_app("24"))
    c = pool.ImportMedia(["/r/c.mov"])[0]                  # 29.97 on a 24 timeline
    pool.CreateEmptyTimeline("t")
    item = pool.AppendToTimeline([{"mediaPoolItem": c, "startFrame": 0, "endFrame": 100}])[0]
    assert item.GetDuration() == 80                        # 100 * 24 / 29.97 = 80.08 -> 80


# Silent failures ----------------------------------------------------------------------------
def test_duplicate_timeline_names_are_refused():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    assert pool.CreateEmptyTimeline("sel") is not None
    assert pool.CreateEmptyTimeline("sel") is None
    assert pool.CreateTimelineFromClips("sel", [a]) is None


def test_create_timeline_from_clips_needs_them_in_the_current_folder_and_no_track():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    other = pool.AddSubFolder(pool.GetRootFolder(), "Other")
    pool.SetCurrentFolder(other)
    assert pool.CreateTimelineFromClips("x", [a]) is None
    pool.SetCurrentFolder(pool.GetRootFolder())
    assert pool.CreateTimelineFromClips("x", [{"mediaPoolItem": a, "startFrame": 0, "endFrame": 10, "trackIndex": 1}]) is None
    tl = pool.CreateTimelineFromClips("x", [{"mediaPoolItem": a, "startFrame": 0, "endFrame": 10}])
    assert tl is not None and [i.GetDuration() for i in tl.GetItemListInTrack("video", 1)] == [10]


def test_overlapping_appends_drop_the_later_item():
    _, pool = _pool(_app())
    a, b = pool.ImportMedia(["/r/a.mov", "/r/b.mov"])
    tl = pool.CreateEmptyTimeline("t")
    first = pool.AppendToTimeline([{"mediaPoolItem": a, "startFrame": 0, "endFrame": 48, "recordFrame": 86400}])
    later = pool.AppendToTimeline([{"mediaPoolItem": b, "startFrame": 0, "endFrame": 48, "recordFrame": 86424}])
    assert len(first) == 1 and later == []
    assert [i.GetMediaPoolItem() for i in tl.GetItemListInTrack("video", 1)] == [a]


def test_a_locked_track_takes_nothing():
    _, pool = _pool(_app())
    b = pool.ImportMedia(["/r/b.mov"])[0]
    tl = pool.CreateEmptyTimeline("t")
    assert tl.SetTrackLock("video", 1, True) is True
    assert pool.AppendToTimeline([b]) == []


def test_import_timeline_from_file_refuses_an_existing_name(tmp_path):
    otio = pytest.importorskip("opentimelineio")
    _, pool = _pool(_app())
    timeline = otio.schema.Timeline(name="Cut")
    track = otio.schema.Track()
    timeline.tracks.append(track)
    track.append(otio.schema.Clip(name="a", media_reference=otio.schema.ExternalReference(target_url="file:///r/a.mov"),
                                  source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(24, 24),
                                                                       otio.opentime.RationalTime(48, 24))))
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline, str(path))
    tl = pool.ImportTimelineFromFile(str(path), {"timelineName": "Cut", "importSourceClips": True})
    assert tl is not None
    items = tl.GetItemListInTrack("video", 1)
    assert [(i.GetSourceStartFrame(), i.GetSourceEndFrame()) for i in items] == [(24, 72)]
    assert pool.ImportTimelineFromFile(str(path), {"timelineName": "Cut"}) is None


def test_hasattr_is_true_for_any_name_so_probe_with_dir():
    _, pool = _pool(_app())
    a = pool.ImportMedia(["/r/a.mov"])[0]
    assert hasattr(a, "NoSuchCall") and a.NoSuchCall() is None
    assert "AddMarker" in dir(a) and "NoSuchCall" not in dir(a)


def test_free_upsell_on_a_studio_only_call_breaks_later_calls():
    app = _app(studio=False)
    _, pool = _pool(app)
    a = pool.ImportMedia(["/r/a.mov"])[0]
    assert app.DetectSceneCuts() is False and app.upsell_shown
    assert a.AddMarker(1, "Blue", "", "", 1, "") is False
    assert _app(studio=True).DetectSceneCuts() is None


def test_external_scripting_is_studio_only():
    assert scriptapp(FakeResolve(studio=False), external=True) is None
    assert scriptapp(FakeResolve(studio=False), external=False) is not None
    assert scriptapp(FakeResolve(studio=True), external=True) is not None


def test_compound_clip_replaces_its_items():
    _, pool = _pool(_app())
    a, b = pool.ImportMedia(["/r/a.mov", "/r/b.mov"])
    tl = pool.CreateEmptyTimeline("t")
    items = pool.AppendToTimeline([{"mediaPoolItem": a, "startFrame": 0, "endFrame": 24, "mediaType": 1},
                                   {"mediaPoolItem": b, "startFrame": 0, "endFrame": 24, "mediaType": 1}])
    compound = tl.CreateCompoundClip(items, {"name": "Best bits", "startTimecode": "01:00:00:00"})
    assert isinstance(compound, TimelineItem) and compound.GetDuration() == 48
    assert tl.GetItemListInTrack("video", 1) == [compound]
    assert isinstance(compound.GetMediaPoolItem(), MediaPoolItem) and compound.GetMediaPoolItem().GetName() == "Best bits"
    assert tl.CreateCompoundClip([], {"name": "x"}) is None


def test_version_gates():
    """AppendToTimeline returns [TimelineItem] from 18.1 (Bool before); SetStartTimecode from 18.5."""
    old = FakeResolve(version=(18, 0, 4, 0, ""))
    old.add_media("/r/a.mov", "24", 240)
    _, pool = _pool(old)
    a = pool.ImportMedia(["/r/a.mov"])[0]
    tl = pool.CreateEmptyTimeline("t")
    assert pool.AppendToTimeline([a]) is True
    assert tl.SetStartTimecode("00:00:00:00") is None
    mid = FakeResolve(version=(18, 1, 0, 0, ""))
    mid.add_media("/r/a.mov", "24", 240)
    _, pool = _pool(mid)
    a = pool.ImportMedia(["/r/a.mov"])[0]
    tl = pool.CreateEmptyTimeline("t")
    assert isinstance(pool.AppendToTimeline([a]), list) and tl.SetStartTimecode("00:00:00:00") is None
