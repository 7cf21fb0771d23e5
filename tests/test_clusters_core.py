"""Pure clustering pieces: density clustering, stable ids, constraints, the learned metric."""
from __future__ import annotations

import numpy as np

from rushes.clustering import NOISE, density, stable
from rushes.clustering.constraints import Constraints, enforce
from rushes.clustering.engine import Params, cluster_view
from rushes.clustering.inputs import MemberSet
from rushes.clustering.metric import fit, triplet_loss


def _blobs(k=4, per=12, dim=32, spread=0.08, seed=1):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(k, dim))
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    x = np.concatenate([c[i] + spread * rng.normal(size=(per, dim)) for i in range(k)])
    return density.normalise(x), np.repeat(np.arange(k), per)


def test_hdbscan_finds_blobs_and_isolates_outliers():
    x, truth = _blobs()
    rng = np.random.default_rng(9)
    outliers = density.normalise(rng.normal(size=(3, x.shape[1])))
    res = density.cluster(np.concatenate([x, outliers]), min_cluster_size=3)
    labels = res.labels[: len(x)]
    for k in range(4):
        assert len(set(labels[truth == k])) == 1 and labels[truth == k][0] >= 0
    conf = np.minimum(res.probabilities, 1 - res.outlier)
    assert (conf[len(x):] < 0.5).all() and (conf[: len(x)] > 0.6).all()   # the engine's noise rule
    assert ((res.probabilities >= 0) & (res.probabilities <= 1)).all()


def test_pca_path_keeps_structure():
    x, truth = _blobs(k=5, per=40, dim=256)
    res = density.cluster(x, min_cluster_size=5, reduce_to=8)
    assert res.reduced_dim == 8
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(truth, res.labels) > 0.95


def test_stable_match_keeps_ids_when_membership_mostly_survives():
    prev = {"scene-1": {("shot", i) for i in range(10)}, "scene-2": {("shot", i) for i in range(10, 14)}}
    groups = {0: {("shot", i) for i in range(2, 14)},          # scene-1 grew by scene-2's members
              1: {("shot", i) for i in range(20, 25)}}         # brand new footage
    assert stable.match(groups, prev) == {0: "scene-1"}
    # A split: the bigger half keeps the id.
    groups = {0: {("shot", i) for i in range(7)}, 1: {("shot", i) for i in range(7, 10)}}
    assert stable.match(groups, {"scene-1": {("shot", i) for i in range(10)}}) == {0: "scene-1"}


def test_constraints_always_hold():
    keys = [("shot", i) for i in range(6)]
    assign = {k: ("a" if k[1] < 3 else "b") for k in keys}
    conf = {k: 0.9 for k in keys}
    conf[("shot", 1)] = 0.2
    vecs = {k: np.array([0.0, 0.0]) if k[1] < 3 else np.array([1.0, 0.0]) for k in keys}
    cons = Constraints(pins={("shot", 0): "b"}, must=[(("shot", 5), ("shot", 4))],
                       cannot=[(("shot", 1), ("shot", 2)), (("shot", 3), ("shot", 4))])
    reasons: dict = {}
    enforce(assign, conf, reasons, cons, vecs)
    assert cons.violations(assign) == []
    assert assign[("shot", 0)] == "b" and "editor" in reasons[("shot", 0)]
    assert assign[("shot", 1)] != "a" and "cannot-link" in reasons[("shot", 1)]   # the weaker one moved


def test_a_later_placement_supersedes_an_older_link():
    a, b, c = ("shot", 1), ("shot", 2), ("shot", 3)
    # must(a, b) came with an old move; later the editor put b elsewhere and a in noise, and
    # cannot(a, c) is contradicted by both being placed in one cluster: the newest word wins.
    cons = Constraints(pins={a: "s1", b: "s2", c: "s1"}, must=[(a, b)], cannot=[(a, c)])
    assign = {a: "s2", b: "s1", c: "s2"}
    conf = {a: 0.9, b: 0.9, c: 0.9}
    enforce(assign, conf, {}, cons, {})
    assert assign == {a: "s1", b: "s2", c: "s1"} and cons.violations(assign) == []


def test_metric_learns_from_triplets_and_generalises():
    # Two scenes that differ only along dimension 0 while a nuisance (lighting) varies along dim 1.
    rng = np.random.default_rng(3)
    def sample(scene, n):
        v = np.zeros((n, 8))
        v[:, 0] = 0.15 * (1 if scene else -1)
        v[:, 1] = rng.choice([-1.0, 1.0], size=n)
        v[:, 2:] = 0.02 * rng.normal(size=(n, 6))
        return density.normalise(v + np.array([0, 0, 1, 0, 0, 0, 0, 0]))
    a, p, n = sample(0, 20), sample(0, 20), sample(1, 20)
    p[:, 1] = -np.sign(a[:, 1]) * np.abs(p[:, 1])      # positives: same scene, other lighting
    n[:, 1] = a[:, 1]                                   # negatives: other scene, same lighting
    metric = fit(a, p, n)
    assert metric.loss_after < metric.loss_before * 0.5
    ta, tp, tn = sample(0, 50), sample(0, 50), sample(1, 50)   # unseen shots
    tp[:, 1] = -np.sign(ta[:, 1]) * np.abs(tp[:, 1])
    tn[:, 1] = ta[:, 1]
    margin = 0.1
    assert triplet_loss(metric.weights, ta, tp, tn, margin) < triplet_loss(np.eye(8), ta, tp, tn, margin)
    blob = metric.to_blob()
    assert np.allclose(type(metric).from_blob(blob, 8, 8).weights, metric.weights)


def test_cluster_view_noise_reasons_and_missing_members():
    x, truth = _blobs(k=2, per=8)
    x = np.concatenate([x, density.normalise(np.random.default_rng(5).normal(size=(1, x.shape[1])))])
    keys = [("shot", i) for i in range(len(x))]
    ms = MemberSet(keys, x, "m", missing={("shot", 99): "no scene vector yet"})
    counter = iter(range(1, 100))
    res = cluster_view(ms, {}, Constraints(), Params(min_cluster_size=3, min_confidence=0.5), lambda: f"scene-{next(counter)}")
    assert res.assign[("shot", 99)] == NOISE and "no scene vector" in res.reasons[("shot", 99)]
    assert len({res.assign[k] for k in keys[:-1]}) == 2 and NOISE not in {res.assign[k] for k in keys[:-1]}
    outlier = keys[-1]
    assert res.assign[outlier] == NOISE and ("outlier" in res.reasons[outlier])


def test_large_sets_cluster_a_sample_and_assign_the_rest(monkeypatch):
    monkeypatch.setattr(density, "SAMPLE_ABOVE", 300)
    monkeypatch.setattr(density, "SAMPLE_SIZE", 200)
    x, truth = _blobs(k=4, per=150, dim=64, spread=0.05)
    far = density.normalise(np.random.default_rng(2).normal(size=(5, 64)))
    res = density.cluster(np.concatenate([x, far]), min_cluster_size=10, min_samples=5)
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(truth, res.labels[: len(x)]) > 0.95
    assert (res.labels[len(x):] == -1).sum() >= 4          # far-off points stay noise


def test_a_correction_carries_to_untouched_neighbours():
    """Space-level constraints: the editor puts one shot of group A2 with A1; the rest of A2 follows."""
    rng = np.random.default_rng(11)
    dim = 16
    base = density.normalise(rng.normal(size=(3, dim)))
    a1 = base[0] + 0.03 * rng.normal(size=(6, dim))
    a2 = base[0] + 0.9 * (base[1] - base[0]) + 0.03 * rng.normal(size=(6, dim))
    b = base[2] + 0.03 * rng.normal(size=(6, dim))
    x = density.normalise(np.concatenate([a1, a2, b]))
    keys = [("shot", i) for i in range(18)]
    ms = MemberSet(keys, x, "m")
    counter = iter(range(1, 100))
    params = Params(min_cluster_size=3, min_samples=2, space_level=True)
    plain = cluster_view(ms, {}, Constraints(), params, lambda: f"scene-{next(counter)}")
    assert plain.assign[keys[0]] != plain.assign[keys[6]]          # A1 and A2 apart without feedback
    previous: dict = {}
    for k, cid in plain.assign.items():
        previous.setdefault(cid, set()).add(k)
    a1_id = plain.assign[keys[0]]
    cons = Constraints(pins={keys[6]: a1_id}, must=[(keys[6], keys[0])])
    after = cluster_view(ms, previous, cons, params, lambda: f"scene-{next(counter)}")
    assert all(after.assign[k] == a1_id for k in keys[:12])       # A2's untouched shots followed
    assert all(after.assign[k] != a1_id for k in keys[12:])       # B did not
    assert cons.violations(after.assign) == []


def test_reach_learned_from_rescues_brings_similar_noise_in():
    """The editor pulls one straggler out of noise into its nearest scene: the other stragglers
    at a similar distance follow; a shot far from everything stays noise."""
    from rushes.clustering import reach

    rng = np.random.default_rng(5)
    dim = 16
    base = density.normalise(rng.normal(size=(2, dim)))
    core_a = base[0] + 0.02 * rng.normal(size=(8, dim))
    core_b = base[1] + 0.02 * rng.normal(size=(8, dim))
    offs = density.normalise(rng.normal(size=(3, dim)))
    stragglers = base[0] + 0.7 * offs                         # scene A shots taken a bit differently
    far = density.normalise(rng.normal(size=(1, dim)))
    x = density.normalise(np.concatenate([core_a, core_b, stragglers, far]))
    keys = [("shot", i) for i in range(len(x))]
    ms = MemberSet(keys, x, "m")
    counter = iter(range(1, 100))
    params = Params(min_cluster_size=3, min_samples=2)
    plain = cluster_view(ms, {}, Constraints(), params, lambda: f"scene-{next(counter)}")
    a_id = plain.assign[keys[0]]
    assert all(plain.assign[k] == NOISE for k in keys[16:19])   # density leaves the stragglers out
    previous: dict = {}
    for k, cid in plain.assign.items():
        previous.setdefault(cid, set()).add(k)
    cons = Constraints(pins={keys[16]: a_id})
    after = cluster_view(ms, previous, cons, params, lambda: f"scene-{next(counter)}")
    assert after.reach > 0
    assert all(after.assign[k] == a_id for k in keys[16:19])
    assert "reach" in after.reasons[keys[17]]
    assert after.assign[keys[19]] == NOISE
    # Evidence against (the editor sent such shots to noise) caps the reach below them ...
    labels = [plain.assign[k] for k in keys]
    too_far = min(reach.nearest_cluster(i, x, labels, set())[1] for i in (17, 18))
    r, agree, against = reach.learn(x, keys, labels,
                                    Constraints(pins={keys[16]: a_id, keys[17]: NOISE, keys[18]: NOISE}))
    assert 0 < r < too_far and agree == 1 and against == 0
    # ... and when it outweighs the rescues, there is no reach at all.
    r, agree, against = reach.learn(x, keys, labels, Constraints(pins={keys[17]: a_id, keys[16]: NOISE,
                                                                     keys[18]: NOISE}))
    assert r == 0.0


def test_metric_gate_holds_out_each_decision():
    """The metric is only trusted when, fitted without a decision, it predicts that decision better.
    Scene a was shot in one lighting, scene b in two; four shots of a in b's other lighting look
    like b to the plain space. Each correction teaches that lighting does not matter."""
    from rushes.clustering.validate import held_out_score

    rng = np.random.default_rng(21)

    def shots(sign, lighting, n):
        v = np.zeros((n, 8))
        v[:, 0] = 0.2 * sign
        v[:, 1] = 0.3 * lighting                          # a nuisance stronger than the scene signal
        v[:, 2] = 1.0
        v[:, 3:] = 0.02 * rng.normal(size=(n, 5))
        return v

    x = density.normalise(np.concatenate([shots(-1, -1, 10), shots(1, 1, 10), shots(1, -1, 10), shots(-1, 1, 4)]))
    keys = [("shot", i) for i in range(len(x))]
    labels = ["a"] * 10 + ["b"] * 20 + ["noise"] * 4
    grouped = {fid: [(keys[30 + fid], keys[fid], keys[10 + fid])] for fid in range(4)}
    pins = {keys[30 + fid]: "a" for fid in range(4)}
    total, plain, learned = held_out_score(x, keys, labels, grouped, pins)
    assert total == 4 and plain == 0 and learned > plain, (plain, learned)
