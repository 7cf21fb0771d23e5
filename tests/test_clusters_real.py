"""Clustering on real footage, through the daemon: a clip cut from two real sources, exact truth."""
from __future__ import annotations

import json

import pytest
from rushes_testkit import DaemonProcess, ffmpeg, real_media


@pytest.mark.slow
@pytest.mark.realmedia
def test_real_clip_scenes_and_people_through_the_daemon(tmp_path):
    pytest.importorskip("rushes.shots.step", reason="needs the shot step (issue 4)")
    head, bird = real_media("talking_head.mp4"), real_media("cockatoo.mp4")
    # webcam 0-2 s | cockatoo 0-2 s | webcam 4-6 s | cockatoo 8-10 s: two scenes, one face twice.
    parts = [(head, 0.0), (bird, 0.0), (head, 4.0), (bird, 8.0)]
    args: list[str] = []
    for path, start in parts:
        args += ["-ss", str(start), "-t", "2", "-i", str(path)]
    chains = "".join(f"[{i}:v]fps=25,scale=1280:720,setsar=1[v{i}];" for i in range(4))
    clip = tmp_path / "media" / "cut.mp4"
    clip.parent.mkdir()
    ffmpeg(*args, "-filter_complex", chains + "".join(f"[v{i}]" for i in range(4)) + "concat=n=4:v=1:a=0[out]",
           "-map", "[out]", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip))
    with DaemonProcess(tmp_path / "home", env={"RUSHES_FACES_SAMPLE_S": "0.5"}) as d:
        job = json.loads(d.cli("ingest", "--wait", "--json", str(clip)).stdout)["jobs"][0]
        assert job["state"] == "done", job
        shots = json.loads(d.cli("shots", str(clip), "--json").stdout)["shots"]
        scene = json.loads(d.cli("clusters", "--view", "scene", "--json").stdout)["clusters"]
        people = json.loads(d.cli("clusters", "--view", "people", "--json").stdout)["clusters"]
        chars = json.loads(d.cli("clusters", "--view", "character", "--json").stdout)["clusters"]
    truth = {}
    for s in shots:          # which source each detected shot comes from (2 s = 50 frames each)
        part = min(3, (s["start_frame"] + s["end_frame"]) // 2 // 50)
        truth[str(s["id"])] = "webcam" if part in (0, 2) else "cockatoo"
    where = {m: c["id"] for c in scene for m in c["shots"]}
    assert set(where) == set(truth)                       # every shot sits in exactly one place
    webcam = {where[s] for s, t in truth.items() if t == "webcam"}
    bird_ids = {where[s] for s, t in truth.items() if t == "cockatoo"}
    assert len(webcam) == 1 and "noise" not in webcam      # the two webcam shots form one scene
    assert not webcam & bird_ids                           # and never share it with the cockatoo
    person = [c for c in people if c["id"] != "noise"]
    assert len(person) == 1 and len(person[0]["tracks"]) >= 2   # one person, seen in both shots
    assert {where[s] for s in person[0]["shots"]} == webcam
    assert any(c["id"].startswith(person[0]["id"] + "@") for c in chars)
