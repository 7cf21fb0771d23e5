"""The classical scene descriptor on real footage, and what it refuses to do (text search)."""
from __future__ import annotations

import time

import numpy as np
import pytest

from rushes_testkit import real_media


def _frames(name: str, seconds: list[float]) -> list[np.ndarray]:
    """Real frames at the given times, 320 px wide, fetched by seeking like the embed step does."""
    from rushes.embed.images import fetch_frames
    from rushes.ingest.rates import media_time_base

    path = real_media(name)
    fps = float(media_time_base(path).rate)
    wanted = [int(round(s * fps)) for s in seconds]
    got = fetch_frames(path, wanted)
    assert sorted(got) == sorted(set(wanted)), f"{name}: fetched {sorted(got)}, wanted {wanted}"
    return [got[w] for w in wanted]


@pytest.fixture(scope="module")
def pool() -> dict[str, list[np.ndarray]]:
    return {
        # one handheld shot: the bird moves, the camera shakes, focus breathes
        "cockatoo": _frames("cockatoo.mp4", [1, 3, 5, 7, 9, 11, 13]),
        # one shot of Big Buck Bunny
        "bbb_shot": _frames("bigbuckbunny_5s.mp4", [0.5, 2.5, 4.5]),
        "bikes": _frames("bikes.mp4", [0.5, 3, 5.5, 8]),
        "pedestrians": _frames("pedestrians.avi", [5, 40, 75]),
        "city": _frames("city_night.mpg", [0.5, 6]),
        "talking": _frames("talking_head.mp4", [1, 6]),
    }


def test_same_shot_frames_are_closer_than_other_clips(pool):
    from rushes.embed.classical import ClassicalDescriptor

    labels = [k for k, v in pool.items() for _ in v]
    vecs = ClassicalDescriptor().embed_images([im for v in pool.values() for im in v])
    sim = vecs @ vecs.T
    lab = np.array(labels)
    for clip in ("cockatoo", "bbb_shot", "pedestrians"):
        idx = np.where(lab == clip)[0]
        other = np.where(lab != clip)[0]
        within = sim[np.ix_(idx, idx)][~np.eye(len(idx), dtype=bool)]
        across = sim[np.ix_(idx, other)]
        assert within.mean() > across.mean() + 0.2, (clip, within.mean(), across.mean())
        # each frame's nearest neighbour is a frame of the same shot
        for a in idx:
            row = sim[a].copy()
            row[a] = -2
            assert lab[row.argmax()] == clip, (clip, a, labels[row.argmax()])
    # two keyframes of one bbb shot are closer than any frame of another clip
    a, b = np.where(lab == "bbb_shot")[0][[0, 2]]
    assert sim[a, b] > sim[a, lab != "bbb_shot"].max()
    # a fixed camera barely moves the descriptor
    p = np.where(lab == "pedestrians")[0]
    assert sim[p[0], p[1]] > 0.85


def test_vectors_are_fixed_size_unit_and_deterministic(pool):
    from rushes.embed.classical import DIM, ClassicalDescriptor
    from rushes.models.spec import BY_NAME

    d = ClassicalDescriptor()
    assert d.dim == DIM == BY_NAME["classical-scene"].dimensions
    odd = [pool["city"][0], np.zeros((7, 5, 3), np.uint8), np.full((1080, 1920, 3), 255, np.uint8),
           pool["bikes"][0][:, :, 0]]  # tiny, blank white, grey-scale: all accepted
    v = d.embed_images(odd)
    assert v.shape == (4, DIM) and v.dtype == np.float32
    assert np.all(np.isfinite(v)) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(d.embed_images(odd), v)
    assert d.embed_images([]).shape == (0, DIM)
    black, white = d.embed_images([np.zeros((90, 160, 3), np.uint8), np.full((90, 160, 3), 255, np.uint8)])
    assert float(black @ white) < 0.0  # opposite ends of the brightness layout


def test_fast_enough_on_one_core(pool):
    from rushes.embed.classical import ClassicalDescriptor

    thumbs = [im for v in pool.values() for im in v] * 5
    d = ClassicalDescriptor()
    t0 = time.perf_counter()
    d.embed_images(thumbs)
    per_image = (time.perf_counter() - t0) / len(thumbs)
    assert per_image < 0.02, f"{per_image * 1000:.1f} ms per 320 px keyframe"


@pytest.mark.parametrize("embedder", ["classical", "auto"])
def test_text_search_needs_an_image_text_model(settings, monkeypatch, embedder):
    from rushes.embed import TextSearchUnavailable, load_scene_embedder
    from rushes.errors import FailedPrecondition

    monkeypatch.setenv("RUSHES_SCENE_EMBEDDER", embedder)
    emb = load_scene_embedder(settings)
    if embedder == "classical":
        assert (emb.name, emb.version, emb.supports_text) == ("classical-scene", "1", False)
    assert not emb.supports_text   # MobileNetV2 (+ classical) has no text tower either
    with pytest.raises(TextSearchUnavailable) as err:
        emb.embed_texts(["a rabbit in a meadow"])
    assert isinstance(err.value, FailedPrecondition)  # travels as FAILED_PRECONDITION
    assert "rushes models import clip-vit-b32 DIR" in str(err.value)
    assert "rushes models pull clip-vit-b32" in str(err.value)
