"""`rushes clusters` and `rushes feedback` through the real daemon (loopback), as an editor uses them."""
from __future__ import annotations

import json

from rushes_testkit import DaemonProcess

from rushes.settings import load_settings
from test_clusters_util import add_three_scenes_two_people, open_all


def _fill(home):
    settings = load_settings({"RUSHES_HOME": str(home)})
    cat, store = open_all(settings)
    _, shots, tracks = add_three_scenes_two_people(cat, store, repeats=4)
    cat.close()
    store.close()
    return settings, shots, tracks


def test_clusters_and_feedback_commands(tmp_path):
    home = tmp_path / "home"
    settings, shots, tracks = _fill(home)
    with DaemonProcess(home) as d:
        scene = json.loads(d.cli("clusters", "--view", "scene", "--json").stdout)["clusters"]
        assert [list(c)[:6] for c in scene] == [["id", "name", "view", "shots", "tracks", "confidence"]] * len(scene)
        assert scene[-1]["id"] == "noise" and len(scene) == 4
        assert sorted(int(s) for c in scene for s in c["shots"]) == sorted(shots)
        assert all(isinstance(v, float) for c in scene for v in c["confidence"].values())
        people = json.loads(d.cli("clusters", "--view", "people", "--json").stdout)["clusters"]
        assert sorted(len(c["tracks"]) for c in people if c["id"] != "noise") == [6, 6]
        chars = json.loads(d.cli("clusters", "--view", "character", "--json").stdout)["clusters"]
        assert all(c["parent_id"] in {s["id"] for s in scene} for c in chars if c["id"] != "noise")

        src = next(c for c in scene if str(shots[0]) in c["shots"])
        dst = next(c for c in scene if str(shots[1]) in c["shots"])
        out = json.loads(d.cli("feedback", "move", f"shot:{shots[0]}", "--to", dst["id"], "--json").stdout)
        assert {c["id"] for c in out["changed"]} == {src["id"], dst["id"]}
        d.cli("feedback", "name", dst["id"], "Harbour")
        d.cli("feedback", "move", str(shots[2]), "--to", "noise")
        again = json.loads(d.cli("clusters", "--recluster", "--json").stdout)["clusters"]
        named = next(c for c in again if c["id"] == dst["id"])
        assert named["name"] == "Harbour" and str(shots[0]) in named["shots"]
        noise = again[-1]
        assert str(shots[2]) in noise["shots"] and "editor" in noise["reasons"][str(shots[2])]
        d.cli("feedback", "export", "-o", str(tmp_path / "pairs.jsonl"))
    pairs = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text().splitlines()]
    assert pairs and {p["source"] for p in pairs} == {"cli"}
    assert {"anchor", "positive", "negative", "source"} <= set(pairs[0])
    logged = settings.feedback_log.read_text().splitlines()
    assert len(logged) == len(pairs)
