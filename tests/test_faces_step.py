"""The faces step end to end on real footage: decode pass -> samples -> tracks -> catalog + vectors."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from rushes_testkit import real_media

from rushes.catalog import Catalog
from rushes.steps.context import StepContext
from rushes.steps.stages import done_version


def _media(cat: Catalog, path: Path, *, fps: tuple[int, int], size: tuple[int, int], frames: int,
           shots: list[tuple[int, int]]) -> int:
    """A media row as probe would leave it, and its shots as the analyse step would."""
    now = time.time()
    with cat.transaction() as conn:
        media_id = int(conn.execute(
            "INSERT INTO media(fingerprint, path, kind, status, width, height, fps_num, fps_den, frame_count,"
            " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (f"test:{path.name}", str(path), "video", "analysing", size[0], size[1], fps[0], fps[1], frames, now, now),
        ).lastrowid)
        conn.executemany(
            "INSERT INTO shots(media_id, idx, start_frame, end_frame) VALUES (?,?,?,?)",
            [(media_id, i, a, b) for i, (a, b) in enumerate(shots)],
        )
    return media_id


@pytest.fixture
def env(settings):
    from rushes.vectors import open_store

    cat = Catalog.open(settings.catalog_path)
    store = open_store(settings)
    yield settings, cat, store
    store.close()
    cat.close()


def _ctx(settings, cat, store, media_id: int) -> StepContext:
    media = cat.query_one("SELECT * FROM media WHERE id=?", (media_id,))
    return StepContext(catalog=cat, vectors=store, settings=settings, media=media, project_id=1, job_id=1)


def _decode_with_consumer(ctx: StepContext) -> None:
    """What the pipeline does in step 2: the faces consumer rides on the one decode pass."""
    from rushes.faces import step
    from rushes.decode.decode import decode_pass

    consumer = step.make_consumer(ctx)
    ctx.scratch["frame_consumers"] = [consumer]
    decode_pass(ctx.media["path"], [consumer], threads=2)


@pytest.mark.slow
def test_talking_head_face_is_tracked_through_the_shot(env, monkeypatch):
    from rushes.faces import step

    settings, cat, store = env
    monkeypatch.setenv("RUSHES_FACES_SAMPLE_S", "0.5")
    path = real_media("talking_head.mp4")
    media_id = _media(cat, path, fps=(30, 1), size=(1280, 720), frames=250, shots=[(0, 250)])
    ctx = _ctx(settings, cat, store, media_id)
    _decode_with_consumer(ctx)
    step.run(ctx)

    tracks = cat.query("SELECT * FROM face_tracks WHERE media_id=? ORDER BY face_count DESC", (media_id,))
    assert tracks, "no face track in talking_head.mp4"
    main = tracks[0]
    # Sampled every 15 frames: the webcam face is seen from the first sample to (nearly) the end.
    assert main["first_frame"] <= 15 and main["end_frame"] >= 226, dict(main)
    assert main["face_count"] >= 14
    assert main["first_frame"] <= main["best_frame"] < main["end_frame"]
    x0, y0, x1, y1 = json.loads(main["box_json"])
    assert 0 <= x0 < x1 <= 1280 and 0 <= y0 < y1 <= 720 and 50 < y1 - y0 < 200   # the small webcam inset
    faces = cat.query("SELECT * FROM faces WHERE track_id=?", (main["id"],))
    assert len(faces) == main["face_count"] and all(len(f["descriptor"]) == 128 * 4 for f in faces)

    # One vector per track, id = track id, with the payload the other stages filter on.
    points = store.scroll("face", filter={"media_id": media_id}, with_vectors=True)
    assert sorted(p.id for p in points) == sorted(t["id"] for t in tracks)
    payload = next(p.payload for p in points if p.id == main["id"])
    assert payload["track_id"] == main["id"] and payload["shot_id"] == main["shot_id"]
    assert payload["frame"] == main["best_frame"] and payload["model"] == "dlib-face-resnet"
    assert {"box", "quality", "model_version", "media_id"} <= set(payload)
    assert done_version(cat.connect(), media_id, "faces") == step.current_version(ctx)

    # Resumed after a restart: empty scratch, the step samples the file itself and replaces rows.
    again = _ctx(settings, cat, store, media_id)
    step.run(again)
    tracks2 = cat.query("SELECT * FROM face_tracks WHERE media_id=?", (media_id,))
    assert len(tracks2) == len(tracks)
    assert min(t["id"] for t in tracks2) > max(t["id"] for t in tracks)   # replaced, ids never reused
    assert cat.query_one("SELECT COUNT(*) FROM faces WHERE media_id=?", (media_id,))[0] == sum(
        t["face_count"] for t in tracks2)
    assert store.count("face", filter={"media_id": media_id}) == len(tracks2)


@pytest.mark.slow
def test_bikes_faces_stay_inside_their_shots(env, monkeypatch):
    from rushes.faces import step

    settings, cat, store = env
    monkeypatch.setenv("RUSHES_FACES_SAMPLE_S", "0.2")
    path = real_media("bikes.mp4")
    # Cuts of this clip (ffmpeg scene score > 0.25 at 1.20, 3.04, 5.48, 7.48, 9.68 s, 25 fps).
    cuts = [0, 30, 76, 137, 187, 242, 250]
    media_id = _media(cat, path, fps=(25, 1), size=(640, 272), frames=250, shots=list(zip(cuts, cuts[1:])))
    ctx = _ctx(settings, cat, store, media_id)
    _decode_with_consumer(ctx)
    step.run(ctx)
    shots = {r["id"]: (r["start_frame"], r["end_frame"]) for r in cat.query("SELECT * FROM shots WHERE media_id=?", (media_id,))}
    tracks = cat.query("SELECT * FROM face_tracks WHERE media_id=?", (media_id,))
    for t in tracks:
        start, end = shots[t["shot_id"]]
        assert start <= t["first_frame"] and t["end_frame"] <= end
    # The man in a suit walking past the traffic (second shot) is found on more than one sample.
    second = [t for t in tracks if shots[t["shot_id"]] == (30, 76)]
    assert second and max(t["face_count"] for t in second) >= 2, [dict(t) for t in tracks]


def test_audio_only_media_marks_the_stage_done_without_faces(env):
    from rushes.faces import step

    settings, cat, store = env
    path = real_media("speech_0870.wav")
    now = time.time()
    with cat.transaction() as conn:
        media_id = int(conn.execute(
            "INSERT INTO media(fingerprint, path, kind, status, created_at, updated_at) VALUES (?,?,?,?,?,?)",
            ("test:wav", str(path), "audio", "analysing", now, now)).lastrowid)
    ctx = _ctx(settings, cat, store, media_id)
    assert step.make_consumer(ctx) is None
    step.run(ctx)
    assert done_version(cat.connect(), media_id, "faces") is not None
