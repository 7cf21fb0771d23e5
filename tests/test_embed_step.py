"""The embed step on real footage: keyframe thumbnails -> vectors "scene", and re-embedding when
an image-text model appears (only this stage, old points replaced)."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from rushes.jobs.wiring import register_model_checks
from rushes_testkit import real_media
from test_models_tinyclip import PROJECTION_DIM, build_tiny_clip

register_model_checks()   # the rooms' model load checks, as the daemon and the CLI wire them

# bikes.mp4 (25 fps, 250 frames): its real cuts are at frames 30, 76, 137, 187 and 242 (ffmpeg's
# scene filter agrees); shots as [start, end) frames with two keyframes each, as the shots step
# would store them. Shot 1 pans from a pedestrian to a taxi, so its two keyframes differ.
SHOTS = [(0, 30, [5, 25]), (30, 76, [40, 70]), (76, 137, [85, 130]), (137, 187, [145, 180]),
         (187, 242, [195, 235])]
STEADY_SHOTS = (0, 2, 3, 4)


@pytest.fixture
def env(settings):
    from rushes.catalog import Catalog
    from rushes.vectors import open_store

    catalog = Catalog.open(settings.catalog_path)
    store = open_store(settings)
    yield catalog, store
    store.close()
    catalog.close()


def _add_media(settings, catalog, name: str, *, thumbs: bool = True, drop_thumb_of: int | None = None):
    """A media row with shots and keyframes as the shots step leaves them (320 px JPEG thumbnails)."""
    from rushes.embed.images import fetch_frames

    path = real_media(name)
    now = time.time()
    with catalog.transaction() as conn:
        mid = conn.execute(
            "INSERT INTO media(fingerprint, path, kind, status, fps_num, fps_den, created_at, updated_at) "
            "VALUES (?, ?, 'video', 'ready', 25, 1, ?, ?)", (f"test:{name}", str(path), now, now)).lastrowid
        frames = [f for _, _, kfs in SHOTS for f in kfs]
        pics = fetch_frames(path, frames) if thumbs else {}
        for i, (start, end, kfs) in enumerate(SHOTS):
            sid = conn.execute("INSERT INTO shots(media_id, idx, start_frame, end_frame) VALUES (?, ?, ?, ?)",
                               (mid, i, start, end)).lastrowid
            for f in kfs:
                thumb = None
                if f in pics and f != drop_thumb_of:
                    thumb = settings.thumbs_dir / str(mid) / f"{f}.jpg"
                    thumb.parent.mkdir(parents=True, exist_ok=True)
                    Image.fromarray(pics[f]).save(thumb, quality=90)
                conn.execute("INSERT INTO keyframes(shot_id, frame, role, thumb_path) VALUES (?, ?, 'middle', ?)",
                             (sid, f, str(thumb) if thumb else None))
    return catalog.query_one("SELECT * FROM media WHERE id=?", (mid,))


def _ctx(settings, catalog, store, media):
    from rushes.steps.context import StepContext

    return StepContext(catalog=catalog, vectors=store, settings=settings, media=media, project_id=1, job_id=1)


def test_embeds_every_keyframe_and_marks_the_stage(settings, env, monkeypatch):
    monkeypatch.setenv("RUSHES_SCENE_EMBEDDER", "classical")    # this test is about the descriptor's vectors
    from rushes.embed import step
    from rushes.steps import stages

    catalog, store = env
    media = _add_media(settings, catalog, "bikes.mp4", drop_thumb_of=130)
    ctx = _ctx(settings, catalog, store, media)
    assert step.current_version(ctx) == "classical-scene@1"
    step.run(ctx)

    kfs = catalog.query("SELECT k.id, k.shot_id, k.frame, k.thumb_path FROM keyframes k ORDER BY k.frame")
    assert store.dimension("scene") == 262
    points = store.scroll("scene", filter={"media_id": int(media["id"])}, with_vectors=True)
    assert sorted(p.id for p in points) == sorted(int(k["id"]) for k in kfs)
    for p, k in zip(sorted(points, key=lambda p: p.payload["frame"]), kfs):
        assert p.payload == {"media_id": int(media["id"]), "shot_id": int(k["shot_id"]), "frame": int(k["frame"]),
                             "keyframe_id": int(k["id"]), "model": "classical-scene", "model_version": "1"}
    assert stages.done_version(catalog.connect(), int(media["id"]), "embed") == "classical-scene@1"

    # the keyframe whose thumbnail was missing was fetched from the file by seeking: its vector is
    # the one its thumbnail would have given (JPEG round trip aside)
    from rushes.embed.classical import ClassicalDescriptor
    from rushes.embed.images import fetch_frames

    by_frame = {p.payload["frame"]: p for p in points}
    ref = ClassicalDescriptor().embed_images([fetch_frames(Path(media["path"]), [130])[130]])[0]
    assert float(ref @ by_frame[130].vector) > 0.98
    # in a steady shot, a keyframe's nearest neighbour (searched in the store) is its shot-mate
    for i in STEADY_SHOTS:
        a, b = SHOTS[i][2]
        hits = store.search("scene", by_frame[a].vector, limit=2, filter={"media_id": int(media["id"])})
        assert [h.payload["frame"] for h in hits] == [a, b], (i, [(h.payload["frame"], h.score) for h in hits])

    # running again replaces, never duplicates
    step.run(ctx)
    assert store.count("scene", {"media_id": int(media["id"])}) == len(kfs)


def test_new_model_reembeds_only_this_stage_and_replaces_points(settings, env, tmp_path):
    from rushes.embed import step
    from rushes.steps import stages
    from rushes.models import registry

    catalog, store = env
    first = _add_media(settings, catalog, "bikes.mp4")
    step.run(_ctx(settings, catalog, store, first))
    with catalog.transaction() as conn:
        stages.mark_done(conn, int(first["id"]), "analyse", "shots-test")
    assert step.stale_media(catalog, settings) == []

    registry.import_model("clip-vit-b32", build_tiny_clip(tmp_path / "clip"), settings)
    ctx = _ctx(settings, catalog, store, first)
    version = step.current_version(ctx)
    assert version.startswith("clip-vit-b32@clip-")
    assert step.stale_media(catalog, settings) == [int(first["id"])]

    step.run(ctx)
    points = store.scroll("scene", filter={"media_id": int(first["id"])}, with_vectors=True)
    assert len(points) == 10 and store.dimension("scene") == PROJECTION_DIM
    assert {(p.payload["model"], p.payload["model_version"]) for p in points} == {("clip-vit-b32", version.split("@", 1)[1])}
    assert stages.done_version(catalog.connect(), int(first["id"]), "embed") == version
    assert stages.done_version(catalog.connect(), int(first["id"]), "analyse") == "shots-test"  # untouched
    assert step.stale_media(catalog, settings) == []

    # text search now works against these vectors
    from rushes.embed import load_scene_embedder

    q = load_scene_embedder(settings).embed_texts(["bikes on a street"])[0]
    assert len(store.search("scene", q, limit=3)) == 3


def test_media_without_keyframes_is_marked_done(settings, env, monkeypatch):
    monkeypatch.setenv("RUSHES_SCENE_EMBEDDER", "classical")
    from rushes.embed import step
    from rushes.steps import stages

    catalog, store = env
    now = time.time()
    with catalog.transaction() as conn:
        mid = conn.execute("INSERT INTO media(fingerprint, path, kind, created_at, updated_at) "
                           "VALUES ('x', '/nowhere.mov', 'video', ?, ?)", (now, now)).lastrowid
    media = catalog.query_one("SELECT * FROM media WHERE id=?", (mid,))
    step.run(_ctx(settings, catalog, store, media))
    assert stages.done_version(catalog.connect(), mid, "embed") == "classical-scene@1"
    assert store.count("scene", {"media_id": mid}) == 0
