"""Clustering on real footage, through the daemon: a clip cut from two real sources, exact truth.

The clip is the shared session project's `scenes.mp4` (conftest `_cut_scenes_clip`: webcam 0-2 s |
cockatoo 0-2 s | webcam 4-6 s | cockatoo 8-10 s at 25 fps), ingested once per session beside
talking_head.mp4 and bikes.mp4."""
from __future__ import annotations

import json

import pytest


@pytest.mark.slow
@pytest.mark.realmedia
def test_real_clip_scenes_and_people_through_the_daemon(ingested_project):
    pytest.importorskip("rushes.shots.step", reason="needs the shot step (issue 4)")
    clip = ingested_project.paths["scenes.mp4"]
    with ingested_project.daemon() as d:
        shots = json.loads(d.cli("shots", str(clip), "--json").stdout)["shots"]
        scene = json.loads(d.cli("clusters", "--view", "scene", "--json").stdout)["clusters"]
        people = json.loads(d.cli("clusters", "--view", "people", "--json").stdout)["clusters"]
        chars = json.loads(d.cli("clusters", "--view", "character", "--json").stdout)["clusters"]
    truth = {}
    for s in shots:          # which source each detected shot comes from (2 s = 50 frames each)
        part = min(3, (s["start_frame"] + s["end_frame"]) // 2 // 50)
        truth[str(s["id"])] = "webcam" if part in (0, 2) else "cockatoo"
    where = {m: c["id"] for c in scene for m in c["shots"]}
    assert set(truth) <= set(where)                       # every shot sits in exactly one place
    assert sum(len(c["shots"]) for c in scene) == len(where)
    webcam = {where[s] for s, t in truth.items() if t == "webcam"}
    bird_ids = {where[s] for s, t in truth.items() if t == "cockatoo"}
    assert len(webcam) == 1 and "noise" not in webcam      # the two webcam shots form one scene
    assert not webcam & bird_ids                           # and never share it with the cockatoo
    # The same webcam face is in talking_head.mp4 too: one person over the project, whose shots in
    # this clip are exactly its webcam shots.
    person = [c for c in people if c["id"] != "noise"]
    assert len(person) == 1 and len(person[0]["tracks"]) >= 2   # one person, seen in both shots
    assert {where[s] for s in person[0]["shots"] if s in truth} == webcam
    assert {s for s in person[0]["shots"] if s in truth} == {s for s, t in truth.items() if t == "webcam"}
    assert any(c["id"].startswith(person[0]["id"] + "@") for c in chars)
