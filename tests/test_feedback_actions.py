"""Editor feedback: every action is stored, logged as training pairs, and holds after re-clustering."""
from __future__ import annotations

import json

import pytest

from rushes.clustering import engine, views
from rushes.errors import InvalidArgument, NotFound
from rushes.feedback import export, submit
from test_clusters_util import add_three_scenes_two_people, by_id, open_all


@pytest.fixture
def project(settings):
    cat, store = open_all(settings)
    pid, shots, tracks = add_three_scenes_two_people(cat, store, repeats=5)
    engine.recluster(cat, store, settings, pid)
    yield cat, store, pid, shots, tracks
    cat.close()
    store.close()


def _scene_of(cat, pid, shot, view="scene", field="shots"):
    return next(c.id for c in views.list_clusters(cat, pid, view) if str(shot) in getattr(c, field))


def _log(settings):
    return [json.loads(line) for line in settings.feedback_log.read_text().splitlines()]


def test_move_holds_after_recluster_and_logs_pairs(settings, project):
    cat, store, pid, shots, _ = project
    src, dst = _scene_of(cat, pid, shots[0]), _scene_of(cat, pid, shots[1])
    outcome = submit(cat, store, settings, pid, action="move", view="scene", members=[f"shot:{shots[0]}"],
                     cluster=dst, source="test")
    fid = int(outcome.feedback_id)
    assert {c.id for c in outcome.changed} == {src, dst}
    assert _scene_of(cat, pid, shots[0]) == dst                        # shown at once
    lines = _log(settings)
    assert lines and all(l["anchor"] == f"shot:{shots[0]}" and l["source"] == "test" for l in lines)
    assert all(l["positive"] and l["negative"] for l in lines)
    assert {l["negative"] for l in lines} <= {f"shot:{s}" for s in shots[0::3]}
    row = cat.query_one("SELECT action, payload_json FROM feedback WHERE id=?", (fid,))
    assert row["action"] == "move" and json.loads(row["payload_json"])["cluster"] == dst
    engine.recluster(cat, store, settings, pid, force=True, full=True)
    assert _scene_of(cat, pid, shots[0]) == dst                        # still there: the decision holds
    assert cat.query_one("SELECT triplets FROM cluster_metrics WHERE project_id=? AND view='scene'", (pid,))[0] > 0
    # to the noise bucket, with the reason
    submit(cat, store, settings, pid, action="move", view="scene", members=[str(shots[2])], cluster="noise")
    engine.recluster(cat, store, settings, pid, force=True, full=True)
    noise = by_id(views.list_clusters(cat, pid, "scene"))["noise"]
    assert str(shots[2]) in noise.shots and "editor" in noise.reasons[str(shots[2])]


def test_merge_split_name_confirm(settings, project):
    cat, store, pid, shots, _ = project
    a, b = _scene_of(cat, pid, shots[0]), _scene_of(cat, pid, shots[1])
    submit(cat, store, settings, pid, action="name", view="scene", cluster=a, name="Kitchen")
    submit(cat, store, settings, pid, action="merge", view="scene", clusters=[a, b])
    engine.recluster(cat, store, settings, pid, force=True, full=True)
    merged = by_id(views.list_clusters(cat, pid, "scene"))[a]
    assert merged.name == "Kitchen" and {str(s) for s in shots[0::3] + shots[1::3]} <= set(merged.shots)
    assert b not in by_id(views.list_clusters(cat, pid, "scene"))
    part = [str(s) for s in shots[1::3]]
    fid = int(submit(cat, store, settings, pid, action="split", view="scene", cluster=a, members=part).feedback_id)
    new = json.loads(cat.query_one("SELECT payload_json FROM feedback WHERE id=?", (fid,))[0])["new_cluster"]
    engine.recluster(cat, store, settings, pid, force=True, full=True)
    got = by_id(views.list_clusters(cat, pid, "scene"))
    assert set(got[new].shots) == set(part) and not set(part) & set(got[a].shots)
    submit(cat, store, settings, pid, action="confirm", view="scene", cluster=a, members=[str(shots[0])])
    assert by_id(views.list_clusters(cat, pid, "scene"))[a].confidence[str(shots[0])] == 1.0
    actions = [r[0] for r in cat.query("SELECT action FROM feedback WHERE project_id=? ORDER BY id", (pid,))]
    assert actions == ["name", "merge", "split", "confirm"]
    exported = export(cat, pid)
    assert exported and {e["action"] for e in exported} == {"merge", "split", "confirm"}
    assert len(exported) == len(_log(settings))


def test_people_and_character_feedback(settings, project):
    cat, store, pid, shots, tracks = project
    t0, t1 = tracks[0], tracks[1]
    p0, p1 = _scene_of(cat, pid, t0, "people", "tracks"), _scene_of(cat, pid, t1, "people", "tracks")
    submit(cat, store, settings, pid, action="name", view="people", cluster=p0, name="Ada")
    char = next(c for c in views.list_clusters(cat, pid, "character") if str(t0) in c.tracks)
    assert char.name == "Ada" and char.id.startswith(p0 + "@")
    # moving a track in the character view moves the person
    target = next(c.id for c in views.list_clusters(cat, pid, "character") if c.id.startswith(p1 + "@"))
    submit(cat, store, settings, pid, action="move", view="character", members=[f"track:{t0}"], cluster=target)
    engine.recluster(cat, store, settings, pid, force=True, full=True)
    assert _scene_of(cat, pid, t0, "people", "tracks") == p1


def test_bad_feedback_is_refused_with_a_reason(settings, project):
    cat, store, pid, shots, _ = project
    with pytest.raises(InvalidArgument, match="unknown feedback action"):
        submit(cat, store, settings, pid, action="teleport")
    with pytest.raises(NotFound, match="no scene cluster"):
        submit(cat, store, settings, pid, action="move", members=[str(shots[0])], cluster="scene-999")
    with pytest.raises(NotFound, match="not clustered"):
        submit(cat, store, settings, pid, action="move", members=["shot:99999"], cluster="noise")
    assert cat.query_one("SELECT COUNT(*) FROM feedback")[0] == 0
