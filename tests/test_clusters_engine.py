"""The clustering engine on a real catalog and vector store: views, noise, stable ids, increments."""
from __future__ import annotations


from rushes.clustering import engine, views
from test_clusters_util import add_media, add_project, add_shots, add_tracks, blobs, by_id, open_all


def _project(settings, scenes=(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2)):
    cat, store = open_all(settings)
    pid = add_project(cat)
    mid = add_media(cat, pid, "a")
    centers, rng, spread = blobs(3, 48, 0.05, seed=4)
    shots = add_shots(cat, store, mid, list(scenes), centers, rng, spread)
    faces, frng, fspread = blobs(2, 128, 0.03, seed=8)
    people = [i % 2 for i in range(len(shots))]
    tracks = add_tracks(cat, store, mid, shots, people, faces, frng, fspread)
    return cat, store, pid, mid, shots, tracks, (centers, rng, spread), (faces, frng, fspread)


def _groups(clusters, field="shots"):
    return {frozenset(getattr(c, field)) for c in clusters if c.id != "noise"}


def test_scene_people_character_views(settings):
    cat, store, pid, mid, shots, tracks, *_ = _project(settings)
    done = engine.recluster(cat, store, settings, pid)
    assert done["scene"] == "full" and done["people"] == "full"
    scene = views.list_clusters(cat, pid, "scene")
    assert _groups(scene) == {frozenset(str(s) for s in shots[k::3]) for k in range(3)}
    assert scene[-1].id == "noise" and scene[-1].shots == ()
    people = views.list_clusters(cat, pid, "people")
    assert _groups(people, "tracks") == {frozenset(str(t) for t in tracks[k::2]) for k in range(2)}
    for c in people[:-1]:   # a person's cluster lists the shots they appear in
        assert set(c.shots) == {str(shots[tracks.index(int(t))]) for t in c.tracks}
        assert all(0.5 <= v <= 1 for v in c.confidence.values())
    chars = views.list_clusters(cat, pid, "character")
    # every (person, scene) pair with a track is a character inside that scene
    assert len(chars) - 1 == 6
    for c in chars[:-1]:
        person, scene_id = c.id.split("@")
        assert c.parent_id == scene_id and set(c.shots) <= set(by_id(scene)[scene_id].shots)
    cat.close(); store.close()


def test_nothing_changed_is_free_and_ids_survive_new_footage(rushes_home, monkeypatch):
    from rushes.settings import load_settings

    # the incremental path is for big projects; this one is made big in the settings' eyes
    monkeypatch.setenv("RUSHES_CLUSTER_INCREMENTAL_MIN_MEMBERS", "0")
    settings = load_settings()
    cat, store, pid, mid, shots, tracks, (centers, rng, spread), _ = _project(settings, scenes=(0, 1, 2) * 8)
    engine.recluster(cat, store, settings, pid)
    before = {c.id: set(c.shots) for c in views.list_clusters(cat, pid, "scene")}
    assert engine.recluster(cat, store, settings, pid) == {"scene": "unchanged", "people": "unchanged",
                                                           "character": "unchanged"}
    # Two new shots of scene 0 and one far-off shot arrive: incremental, ids kept.
    mid2 = add_media(cat, pid, "b")
    new = add_shots(cat, store, mid2, [0, 0], centers, rng, spread)
    odd = add_shots(cat, store, mid2, [0], -centers, rng, spread)
    done = engine.recluster(cat, store, settings, pid)
    assert done["scene"] == "incremental"
    after = {c.id: c for c in views.list_clusters(cat, pid, "scene")}
    home = next(cid for cid, members in before.items() if str(shots[0]) in members)
    assert {str(s) for s in new} <= set(after[home].shots)
    assert str(odd[0]) in after["noise"].shots and "new footage" in after["noise"].reasons[str(odd[0])]
    # A full re-clustering keeps every id whose membership survives.
    engine.recluster(cat, store, settings, pid, force=True, full=True)
    full = {c.id: set(c.shots) for c in views.list_clusters(cat, pid, "scene")}
    for cid, members in before.items():
        if cid != "noise":
            assert members <= full[cid]
    cat.close(); store.close()


def test_shots_without_vectors_are_noise_with_reason(settings):
    cat, store, pid, mid, shots, *_ = _project(settings)
    with cat.transaction() as c:
        lone = c.execute("INSERT INTO shots(media_id, idx, start_frame, end_frame) VALUES (?, 99, 5000, 5100)",
                         (mid,)).lastrowid
    engine.recluster(cat, store, settings, pid)
    noise = by_id(views.list_clusters(cat, pid, "scene"))["noise"]
    assert str(lone) in noise.shots and "no scene vector" in noise.reasons[str(lone)]
    cat.close(); store.close()


def test_step_runs_on_pipeline_context(settings):
    from rushes.clustering import step
    from rushes.steps.context import StepContext

    cat, store, pid, mid, *_ = _project(settings)
    media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
    ctx = StepContext(catalog=cat, vectors=store, settings=settings, media=media, project_id=pid, job_id=0)
    step.run(ctx)
    assert len(views.list_clusters(cat, pid, "scene")) == 4
    assert cat.query_one("SELECT version FROM analysis_stages WHERE media_id=? AND stage='cluster'", (mid,))
    cat.close(); store.close()


def test_bins_do_not_depend_on_the_order_files_arrive(settings, tmp_path):
    """A folder ingested file by file (each file a few shots, well under the incremental ratio of
    the first big one) gets the bins it gets ingested at once: each later set-up its own bin, none
    of them folded into the first file's bins. Before the fix, `rushes run` over ../shared/media
    (bbb.mp4 first, then small live-action files) attached seven unrelated places to bbb's bins."""
    import numpy as np

    centers, rng, spread = blobs(8, 48, 0.05, seed=11)
    big = [0, 1, 2] * 12                          # 36 shots of three set-ups
    small = [[3, 3, 3], [4, 4], [5, 5, 5], [6, 6], [7, 7, 7]]

    def build(one_by_one: bool):
        cat, store = open_all(settings)
        pid = add_project(cat, f"p{int(one_by_one)}")
        r = np.random.default_rng(5)
        truth: dict[int, int] = {}
        for n, labels in enumerate([big] + small):
            mid = add_media(cat, pid, "xy"[one_by_one] + "pqrstu"[n])    # no name series: no structure evidence
            for sid, lab in zip(add_shots(cat, store, mid, labels, centers, r, spread), labels):
                truth[sid] = lab
            if one_by_one:
                assert engine.recluster(cat, store, settings, pid)["scene"] == "full"
        if not one_by_one:
            engine.recluster(cat, store, settings, pid)
        groups = {frozenset(truth[int(s)] for s in c.shots) for c in views.list_clusters(cat, pid, "scene")
                  if c.id != "noise"}
        sizes = sorted(len(c.shots) for c in views.list_clusters(cat, pid, "scene") if c.id != "noise")
        cat.close(); store.close()
        return groups, sizes

    at_once, step_by_step = build(False), build(True)
    assert at_once == step_by_step
    assert at_once[0] == {frozenset({k}) for k in range(8)}, at_once     # every set-up its own bin, nothing mixed
