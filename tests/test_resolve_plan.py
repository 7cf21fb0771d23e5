"""The Resolve plan against the fake: sync, re-sync changes nothing, new footage, editor changes."""
from __future__ import annotations

import pytest
from fake_resolve import FakeResolve

from resolve import frames
from resolve.apply import apply
from resolve.frames import Rate
from resolve.plan import clip_state, learn, make_plan
from resolve.results import Cluster, Media, Results, Shot
from resolve.snapshot import dumps, loads, take


def _media(mid: str, path: str, fps: str, cuts: list[int]) -> Media:
    shots = tuple(Shot(f"{mid}{i}", mid, a, b) for i, (a, b) in enumerate(zip(cuts, cuts[1:])))
    return Media(mid, path, Rate.parse(fps), cuts[-1], shots=shots)


def _results(extra: bool = False) -> Results:
    media = [_media("1", "/r/a.mov", "24000/1001", [0, 48, 120]),
             _media("2", "/r/b.mov", "24000/1001", [0, 100]),
             _media("3", "/r/c.mov", "30000/1001", [0, 30, 90])]
    scenes = [Cluster("scene-1", "scene", "", ("10", "11", "20")), Cluster("scene-2", "scene", "Harbour", ("30", "31")),
              Cluster("noise", "scene")]
    if extra:
        media.append(_media("4", "/r/d.mov", "24000/1001", [0, 60]))
        scenes[1] = Cluster("scene-2", "scene", "Harbour", ("30", "31", "40"))
    people = [Cluster("person-1", "people", "", ("11", "31")), Cluster("noise", "people")]
    chars = [Cluster("person-1@scene-1", "character", "", ("11",), "scene-1"),
             Cluster("person-1@scene-2", "character", "", ("31",), "scene-2")]
    return Results("default", tuple(media), {"scene": tuple(scenes), "people": tuple(people), "character": tuple(chars)})


def _fake(rate: str = "23.976", extra: bool = True) -> FakeResolve:
    fake = FakeResolve()
    fake.GetProjectManager().GetCurrentProject().SetSetting("timelineFrameRate", rate)
    fake.add_media("/r/a.mov", "24000/1001", 120)
    fake.add_media("/r/b.mov", "24000/1001", 100)
    fake.add_media("/r/c.mov", "30000/1001", 90, start_tc="10:00:00;00")
    if extra:
        fake.add_media("/r/d.mov", "24000/1001", 60)
    return fake


def _sync(fake, results):
    snap = loads(dumps(take(fake)))       # through JSON, as the menu scripts hand it over
    plan = make_plan(results, snap)
    report = apply(fake, plan.ops)
    assert report.ok, report.failed
    return plan


def _bins(fake):
    snap = take(fake)
    return {c.file_path: c.bin for c in snap.clips if c.kind == "clip"}


def test_sync_then_resync_changes_nothing():
    fake = _fake()
    plan = _sync(fake, _results())
    assert plan.counts()["import_media"] == 3
    assert _bins(fake) == {"/r/a.mov": ("Rushes", "Scenes", "Scene 1"), "/r/b.mov": ("Rushes", "Scenes", "Scene 1"),
                           "/r/c.mov": ("Rushes", "Scenes", "Harbour")}
    again = make_plan(_results(), take(fake))
    assert again.ops == []
    assert fake.GetProjectManager().saves == 1              # saved once after applying
    pool = fake.GetProjectManager().GetCurrentProject().GetMediaPool()
    a = next(c for c in pool._all_clips() if c.GetName() == "a.mov")
    assert a.GetMetadata("Keywords") == "Person 1, Scene 1"
    assert sorted(a.GetMarkers()) == [0.0, 48.0]          # a marker on each shot start, clip-relative


def test_new_footage_adds_only_the_new():
    fake = _fake()
    _sync(fake, _results())
    plan = make_plan(_results(extra=True), take(fake))
    kinds = plan.counts()
    assert kinds == {"import_media": 1, "set_clip_color": 1, "set_metadata": 1, "add_marker": 1,
                     "append_to_timeline": 1}, kinds
    assert all(getattr(op, "file", "/r/d.mov") == "/r/d.mov" for op in plan.ops if op.kind != "append_to_timeline")
    assert apply(fake, plan.ops).ok
    assert make_plan(_results(extra=True), take(fake)).ops == []


@pytest.mark.parametrize("rate,start", [("23.976", 86400), ("29.97 DF", 107892), ("29.97", 108000), ("24", 86400)])
def test_timelines_start_at_one_hour_with_every_clip_on_its_frame(rate, start):
    fake = _fake(rate)
    _sync(fake, _results())
    project = fake.GetProjectManager().GetCurrentProject()
    tl = next(project.GetTimelineByIndex(i) for i in range(1, project.GetTimelineCount() + 1)
              if project.GetTimelineByIndex(i).GetName() == "Scene 1 selects")
    assert tl.GetStartFrame() == start
    assert tl.GetStartTimecode() == ("01:00:00;00" if "DF" in rate else "01:00:00:00")
    items = tl.GetItemListInTrack("video", 1)
    tl_rate = Rate.parse(rate)
    expected, cursor = [], start
    for path, lo, hi in [("/r/a.mov", 0, 48), ("/r/a.mov", 48, 120), ("/r/b.mov", 0, 100)]:
        length = frames.timeline_frames(hi - lo, Rate(24000, 1001), tl_rate)
        expected.append((path, lo, hi, cursor, cursor + length))
        cursor += length
    got = [(i.GetMediaPoolItem().GetClipProperty("File Path"), i.GetSourceStartFrame(), i.GetSourceEndFrame(),
            i.GetStart(), i.GetEnd()) for i in items]
    assert got == expected


def test_renamed_or_recoloured_clips_are_left_alone():
    fake = _fake()
    _sync(fake, _results())
    pool = fake.GetProjectManager().GetCurrentProject().GetMediaPool()
    a = next(c for c in pool._all_clips() if c.GetName() == "a.mov")
    b = next(c for c in pool._all_clips() if c.GetName() == "b.mov")
    a.SetClipProperty("Clip Name", "hero wide")
    editors = "Navy" if b.GetClipColor() != "Navy" else "Tan"
    assert b.SetClipColor(editors)
    moved = _results()
    # The daemon now puts a.mov and b.mov in Harbour: neither clip may move or change colour.
    moved.clusters["scene"] = (Cluster("scene-1", "scene", "", ()),
                               Cluster("scene-2", "scene", "Harbour", ("10", "11", "20", "30", "31")),
                               Cluster("noise", "scene"))
    plan = make_plan(moved, take(fake))
    assert not [op for op in plan.ops if getattr(op, "file", "") in ("/r/a.mov", "/r/b.mov")]
    assert b.GetClipColor() == editors


def test_editor_keywords_survive_a_sync():
    fake = _fake()
    _sync(fake, _results())
    pool = fake.GetProjectManager().GetCurrentProject().GetMediaPool()
    a = next(c for c in pool._all_clips() if c.GetName() == "a.mov")
    a.SetMetadata("Keywords", "Person 1, Scene 1, hero")
    changed = _results()
    changed.clusters["people"] = (Cluster("noise", "people"),)
    _sync(fake, changed)
    assert a.GetMetadata("Keywords") == "hero, Scene 1"


def test_a_move_between_our_bins_is_learned_not_undone():
    fake = _fake()
    _sync(fake, _results())
    project = fake.GetProjectManager().GetCurrentProject()
    pool = project.GetMediaPool()
    b = next(c for c in pool._all_clips() if c.GetName() == "b.mov")
    harbour = next(f for f in pool.GetRootFolder().GetSubFolderList()[0].GetSubFolderList()[0].GetSubFolderList()
                   if f.GetName() == "Harbour")
    assert pool.MoveClips([b], harbour)
    snap = take(fake)
    moves = learn(_results(), snap)
    assert [(m.file, m.members, m.from_cluster, m.to_cluster) for m in moves] == [("/r/b.mov", ("20",), "scene-1", "scene-2")]
    plan = make_plan(_results(), snap)
    assert not [op for op in plan.ops if op.kind == "move_clip"]       # not moved back
    # Once the daemon agrees (feedback applied), the state follows the editor's bin.
    agreed = _results()
    agreed.clusters["scene"] = (Cluster("scene-1", "scene", "", ("10", "11")),
                                Cluster("scene-2", "scene", "Harbour", ("20", "30", "31")), Cluster("noise", "scene"))
    _sync(fake, agreed)
    state, _ = clip_state(next(c for c in take(fake).clips if c.file_path == "/r/b.mov"))
    assert state.cluster == "scene-2" and learn(agreed, take(fake)) == []
    assert make_plan(agreed, take(fake)).ops == []


def test_without_a_snapshot_the_plan_takes_the_footage_rate():
    fake = _fake("24")
    plan = make_plan(_results())
    assert plan.ops[0].to_dict() == {"op": "set_project_setting", "key": "timelineFrameRate", "value": "23.976"}
    assert apply(fake, plan.ops).ok


def _with_highlights(compounds: bool = False) -> Results:
    from resolve.results import CompoundClip, Highlight, Segment

    base = _results()
    hl = {"1": (Highlight("hl-1-48-96", "1", 48, 96, 0.9, "excitement peak", 1),),
          "3": (Highlight("hl-3-10-40", "3", 10, 40, 0.7, "action sequence", 2),)}
    best = (hl["1"][0], hl["3"][0])
    comp = (CompoundClip("7", "Trailer", (Segment("3", 0, 30), Segment("1", 0, 24))),) if compounds else ()
    return Results(base.project, base.media, base.clusters, hl, best, comp)


@pytest.mark.parametrize("rate", ["23.976", "29.97 DF"])
def test_highlight_markers_and_the_highlights_timeline(rate):
    fake = _fake(rate)
    plan = _sync(fake, _with_highlights())
    assert plan.counts()["create_timeline"] >= 1
    project = fake.GetProjectManager().GetCurrentProject()
    pool = project.GetMediaPool()
    a = next(c for c in pool._all_clips() if c.GetName() == "a.mov")
    # The highlight starts on shot 2's first frame, where our shot marker is: it takes the next one.
    marks = {k: v for k, v in a.GetMarkers().items() if "highlight" in v["customData"]}
    assert list(marks) == [49.0] and marks[49.0]["duration"] == 47 and marks[49.0]["color"] == "Yellow"
    tl = next(project.GetTimelineByIndex(i) for i in range(1, project.GetTimelineCount() + 1)
              if project.GetTimelineByIndex(i).GetName() == "Rushes highlights")
    tl_rate = Rate.parse(rate)
    start = frames.timeline_start_frame(tl_rate)
    items = tl.GetItemListInTrack("video", 1)
    first = frames.timeline_frames(48, Rate(24000, 1001), tl_rate)
    assert [(i.GetStart(), i.GetSourceStartFrame(), i.GetSourceEndFrame()) for i in items] == [
        (start, 48, 96), (start + first, 10, 40)]
    assert sorted(tl.GetMarkers()) == [0.0, float(first)]          # relative to the timeline's start
    assert tl.GetMarkers()[0.0]["name"] == "#1 excitement peak"
    assert make_plan(_with_highlights(), take(fake)).ops == []


def test_compound_clips_from_the_daemon_become_resolve_compound_clips():
    fake = _fake("23.976")
    plan = _sync(fake, _with_highlights(compounds=True))
    assert [op.name for op in plan.ops if op.kind == "create_compound_clip"] == ["Trailer"]
    project = fake.GetProjectManager().GetCurrentProject()
    tl = next(project.GetTimelineByIndex(i) for i in range(1, project.GetTimelineCount() + 1)
              if project.GetTimelineByIndex(i).GetName() == "Trailer (compound)")
    (only,) = tl.GetItemListInTrack("video", 1)
    assert only.GetName() == "Trailer"
    assert only.GetDuration() == frames.timeline_frames(30, Rate(30000, 1001), Rate(24000, 1001)) + 24
    assert make_plan(_with_highlights(compounds=True), take(fake)).ops == []
    # Without compound clips in the daemon, the menu makes one from the best highlights.
    fake2 = _fake("23.976")
    plan = _sync(fake2, _with_highlights())
    assert [op.name for op in plan.ops if op.kind == "create_compound_clip"] == ["Highlights"]


def test_free_applies_the_whole_plan_without_an_upsell_and_old_resolve_is_refused():
    free = _fake()
    free.studio = False
    _sync(free, _with_highlights(compounds=True))
    assert not free.upsell_shown and free.GetProductName() == "DaVinci Resolve"
    from resolve.apply import UnsupportedResolve

    old = _fake()
    old.version = (18, 1, 4, 0, "")
    with pytest.raises(UnsupportedResolve, match="18.5 or later"):
        apply(old, make_plan(_results(), take(old)).ops)


def _with_search(hits: tuple = (), names: tuple[str, ...] = ("takes",)) -> Results:
    from dataclasses import replace

    from resolve.results import SavedHits

    base = _results()
    media = tuple(replace(m, fps=Rate(30000, 1001, True), start_timecode="10:00:00;00") if m.id == "3" else m
                  for m in base.media)
    saved = (SavedHits("takes", '"we are late"', hits),) if names else ()
    return replace(base, media=media, searches=saved, saved_names=names)


def test_a_saved_search_becomes_a_selects_timeline_in_rank_order():
    from resolve.results import Hit

    hits = (Hit("3", 30, 75, 0.9, ("speech",), "we are late"), Hit("9", 0, 10, 0.8, ("speech",), "sound roll"),
            Hit("1", 50, 98, 0.5, ("text", "meaning"), "LATE"))
    fake = _fake("23.976")
    results = _with_search(hits)
    plan = make_plan(results, take(fake), parts=("search",))
    assert apply(fake, plan.ops).ok
    tl = take(fake).timeline("Search: takes")
    start = frames.timeline_start_frame(Rate(24000, 1001))
    c_len = frames.timeline_frames(45, Rate(30000, 1001), Rate(24000, 1001))
    assert sorted((i.file_path, i.source_start, i.source_end, i.start) for i in tl.items) == sorted(
        [("/r/c.mov", 30, 75, start), ("/r/a.mov", 50, 98, start + c_len)])       # best first, back to back
    marks = sorted((m.frame, m.name, m.note) for m in tl.markers)
    # c.mov starts at 10:00:00;00 (29.97 DF): its frame 30 is 10:00:01;00 where the editor sees it.
    assert marks[0][:2] == (0, "#1 speech") and "c.mov 10:00:01;00-10:00:02;15" in marks[0][2]
    assert marks[1][:2] == (c_len, "#3 text, meaning") and "a.mov 00:00:02:02-00:00:04:02" in marks[1][2]
    assert plan.notes == ["saved search 'takes' ('\"we are late\"'): 3 hit(s); timeline 'Search: takes' made "
                          "with 2 clip(s); 1 hit(s) on sound-only or unready media left out"]
    again = make_plan(results, take(fake), parts=("search",))
    assert again.ops == [] and "already holds every hit" in again.notes[0]
    none = make_plan(_with_search(names=()), take(fake), parts=("search",))
    assert none.ops == [] and "rushes search QUERY --save NAME" in none.notes[0]
