"""Scene bins: average linkage under a cut, the footage's structure as evidence, the sampled path
for big projects, stable ids through the engine, and the MobileNetV2 (+ classical) vectors on
real keyframes."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rushes_testkit import in_ci, real_media

from rushes.clustering import NOISE, linkage, structure
from rushes.clustering.constraints import Constraints
from rushes.clustering.engine import Params, cluster_view, scene_cut
from rushes.clustering.inputs import MemberSet
from rushes.clustering.structure import Place


def test_name_series_and_record_runs_give_evidence():
    assert structure.name_series("A001C007_city.mov") == ("a#c#_city", (1, 7))
    places = [
        Place(1, 0, "A001C007.mov", 100.0, 130.0),      # take, then the next clip 40 s later
        Place(2, 0, "A001C008.mov", 170.0, 200.0),
        Place(3, 0, "B001C002.mov", 170.0, 200.0),      # camera B rolling with clip 8: same moment
        Place(4, 0, "A001C012.mov", 9000.0, 9030.0),    # hours later, numbers far apart: nothing
        Place(5, 0, "multicam_cam01.mp4"),              # no timecode: names alone
        Place(6, 0, "multicam_cam02.mp4"),
        Place(7, 0, "multicam_cam04.mp4"),
    ]
    f = structure.media_factors(places)
    assert f[(1, 2)] == structure.NEXT_CLIP                 # next clip in series and in timecode
    assert f[(2, 3)] == structure.SIMULTANEOUS              # overlapping record runs
    assert f[(5, 6)] == structure.NEXT_CLIP and (6, 7) not in f and (5, 7) not in f
    assert not any(4 in pair for pair in f)
    assert (1, 3) not in f    # A001C007 ends 40 s before B rolls: another series, not simultaneous


def test_within_file_neighbours_and_matrix_symmetry():
    places = [Place(1, 0, "a.mov"), Place(1, 1, "a.mov"), Place(1, 2, "a.mov"), Place(2, 0, "b.mov")]
    m = structure.factor_matrix(places)
    assert m[0, 1] == m[1, 0] == structure.WITHIN_FILE and m[1, 2] == structure.WITHIN_FILE
    assert m[0, 2] == 1.0 and m[0, 3] == 1.0
    rows, cols = np.array([0, 0, 1]), np.array([1, 2, 2])
    assert list(structure.edge_factors(places, rows, cols)) == [m[0, 1], m[0, 2], m[1, 2]]


def _blobs(rng, sizes, spread=0.25, dim=32):
    centres = rng.normal(size=(len(sizes), dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    y = np.repeat(np.arange(len(sizes)), sizes)
    x = centres[y] + spread / np.sqrt(dim) * rng.normal(size=(len(y), dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), y


def test_linkage_makes_one_bin_per_group_and_leaves_a_stranger_alone():
    rng = np.random.default_rng(0)
    x, y = _blobs(rng, [6, 5, 4])
    stranger = rng.normal(size=(1, x.shape[1])).astype(np.float32)
    x = np.vstack([x, stranger / np.linalg.norm(stranger)])
    res = linkage.cluster(x, cut=0.9)
    assert res.labels[-1] == -1 and res.probabilities[-1] == 0.0
    for g in range(3):
        assert len(set(res.labels[:-1][y == g])) == 1
    assert len(set(res.labels[:-1])) == 3
    assert (res.probabilities[:-1] > 0.5).all()


def test_structure_tips_a_pair_near_the_cut_and_never_joins_strangers():
    # two takes of one set-up, a little further apart than the cut; a third file elsewhere
    a = np.array([1.0, 0.0, 0.0], np.float32)
    b = np.array([np.cos(0.98), np.sin(0.98), 0.0], np.float32)       # distance ~0.94 from a
    c = np.array([0.0, 0.0, 1.0], np.float32)                          # distance 1.41 from both
    x = np.stack([a, b, c])
    places = [Place(1, 0, "A001C003.mov"), Place(2, 0, "A001C004.mov"), Place(3, 0, "A001C005.mov")]
    plain = linkage.cluster(x, 0.9)
    assert list(plain.labels) == [-1, -1, -1]
    tipped = linkage.cluster(x, 0.9, lambda idx: structure.factor_matrix(places))
    assert tipped.labels[0] == tipped.labels[1] >= 0 and tipped.labels[2] == -1


def test_sampled_path_finds_the_same_bins_as_the_dense_one(monkeypatch):
    rng = np.random.default_rng(1)
    x, y = _blobs(rng, [40, 30, 25, 3, 2], spread=0.3, dim=200)
    dense = linkage.cluster(x, 0.9)
    monkeypatch.setattr(linkage, "DENSE_MAX", 30)
    monkeypatch.setattr(linkage, "SAMPLE", 25)
    monkeypatch.setattr(linkage, "REDUCE_TO", 16)
    sampled = linkage.cluster(x, 0.9)
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(y, dense.labels) == 1.0
    # the 3- and 2-member groups are rarely in the sample: the leftover pass still bins them
    assert adjusted_rand_score(y, sampled.labels) == 1.0


def test_engine_linkage_keeps_bin_ids_when_membership_mostly_survives():
    rng = np.random.default_rng(2)
    x, y = _blobs(rng, [5, 5, 4])
    keys = [("shot", i) for i in range(len(y))]
    places = [Place(i, 0, f"clip{i * 10}.mov") for i in range(len(y))]
    ms = MemberSet(keys, x, "mobilenetv2+classical-scene", places=places)
    counter = iter(range(100))
    params = Params(method="linkage")
    first = cluster_view(ms, {}, Constraints(), params, lambda: f"scene-{next(counter)}")
    bins: dict[str, set] = {}
    for k, cid in first.assign.items():
        bins.setdefault(cid, set()).add(k)
    assert NOISE not in bins and len(bins) == 3
    # re-embedded with another model: one member moves away, ids and names survive for the rest
    x2 = x.copy()
    x2[0] = -x2[0]
    again = cluster_view(MemberSet(keys, x2, "mobilenetv2+classical-scene", places=places), bins, Constraints(),
                         params, lambda: f"scene-{next(counter)}")
    assert again.assign[keys[0]] == NOISE
    assert {again.assign[k] for k in keys[1:]} == set(bins)
    assert all(again.assign[k] == first.assign[k] for k in keys[1:])


def test_a_correction_moves_its_untouched_neighbour_too_and_holds():
    """Two shots of place B sit between A and B and join A's bin. The editor moves one to B's
    bin (as rushes.feedback.actions stores a move: pin, cannot-link with its nearest member of
    the bin it left, must-link with the target's nearest). Pins alone fix that shot only; the
    guided linkage keeps the editor's separation inside the linkage, so the untouched twin goes
    to B with it, every other shot stays where it was and no constraint is broken."""
    import dataclasses

    rng = np.random.default_rng(0)
    dim = 16

    def unit(a):
        return a / np.linalg.norm(a)

    def around(c, n, spread):
        return [unit(c + spread * rng.normal(size=dim) / np.sqrt(dim)) for _ in range(n)]

    ca, cb = unit(rng.normal(size=dim)), unit(rng.normal(size=dim))
    x = np.array(around(ca, 6, 0.3) + around(cb, 5, 0.3) + around(unit(0.55 * ca + 0.45 * cb), 2, 0.15), np.float32)
    keys = [("shot", i) for i in range(len(x))]
    ms = MemberSet(keys, x, "test-model")
    params = dataclasses.replace(Params.from_settings(None, "scene"), cut=0.9)
    assert params.method == "linkage" and params.guided and not params.learn_reach
    counter = iter(range(100))
    first = cluster_view(ms, {}, Constraints(), params, lambda: f"s{next(counter)}")
    a_bin, b_bin = first.assign[keys[0]], first.assign[keys[6]]
    assert [first.assign[k] for k in keys] == [a_bin] * 6 + [b_bin] * 5 + [a_bin] * 2    # the twins in A
    previous: dict[str, set] = {}
    for k, cid in first.assign.items():
        previous.setdefault(cid, set()).add(k)
    d = np.linalg.norm(x[:, None] - x[None], axis=2)
    cons = Constraints(pins={keys[11]: b_bin}, cannot=[(keys[11], keys[int(np.argmin(d[11, :6]))])],
                       must=[(keys[11], keys[6 + int(np.argmin(d[11, 6:11]))])])
    pins_only = cluster_view(ms, previous, cons, dataclasses.replace(params, guided=False), lambda: f"s{next(counter)}")
    guided = cluster_view(ms, previous, cons, params, lambda: f"s{next(counter)}")
    assert pins_only.assign[keys[11]] == b_bin and pins_only.assign[keys[12]] == a_bin    # the twin left behind
    assert [guided.assign[k] for k in keys] == [a_bin] * 6 + [b_bin] * 7                   # the twin follows
    assert cons.violations(guided.assign) == [] and cons.violations(pins_only.assign) == []


def test_the_cut_follows_the_model_and_a_learned_metric():
    x = np.eye(4, dtype=np.float32)
    assert scene_cut("mobilenetv2+classical-scene", x, x) == 0.9
    assert scene_cut("classical-scene", x, x) == 1.0
    assert scene_cut("clip-vit-b32", x, x) == pytest.approx(0.8 * np.sqrt(2))    # relative to the median
    assert scene_cut("mobilenetv2+classical-scene", x, 2 * x) == pytest.approx(1.8)


def _frames(name: str, times: list[float]) -> list[np.ndarray]:
    from rushes.embed.images import fetch_frames
    from rushes.ingest import probe

    path = real_media(name)
    info = probe.probe(path)
    rate = info.fps_num / info.fps_den
    got = fetch_frames(path, [int(t * rate) for t in times])
    return [got[int(t * rate)] for t in times]


def test_mobilenet_plus_classical_puts_real_takes_of_one_place_together(settings):
    from rushes.embed.loader import load_scene_embedder
    from rushes.models import registry

    if not registry.model_info("mobilenetv2", settings).present:
        if in_ci():
            pytest.fail("mobilenetv2 not pulled: `make test` runs `rushes models pull --defaults` first")
        pytest.skip("mobilenetv2 not pulled on this machine: run `rushes models pull --defaults`")
    emb = load_scene_embedder(settings)
    assert emb.name == "mobilenetv2+classical-scene" and emb.dim == 1280 + 262
    pics = _frames("cockatoo.mp4", [1.0, 9.0]) + _frames("rocket_launch.webm", [1.0, 6.0]) + \
        _frames("city_night.mpg", [1.0, 5.0])
    v = emb.embed_images(pics)
    assert v.shape == (6, 1542) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # the combined cosine is the mean of the two parts' cosines (weight 0.5)
    a, c = emb.first.embed_images(pics), emb.second.embed_images(pics)
    np.testing.assert_allclose(v @ v.T, 0.5 * (a @ a.T) + 0.5 * (c @ c.T), atol=1e-4)
    res = linkage.cluster(v, scene_cut(emb.name, v, v))
    assert res.labels[0] == res.labels[1] >= 0 and res.labels[2] == res.labels[3] >= 0
    assert res.labels[4] == res.labels[5] >= 0 and len({res.labels[0], res.labels[2], res.labels[4]}) == 3
    # batching does not change the vectors
    emb.first.batch_size = 1
    np.testing.assert_allclose(emb.embed_images(pics), v, atol=1e-5)
    emb.first.batch_size = 16
    assert Path(registry.locate("mobilenetv2", settings)).name == "mobilenetv2"
