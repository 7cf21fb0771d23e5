"""Pictures and people in search, through the Search handler on real footage (bikes.mp4 with its
real cuts): a frame finds its own shot (--image), a shot finds others but never itself (--like),
a named people cluster filters and combines (@"Anna Smith"), and words reach shots through the
tiny image-text model the tests build; without one, --visual says how to add one."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from test_embed_step import SHOTS, _add_media, _ctx
from test_models_tinyclip import build_tiny_clip


@pytest.fixture
def app(settings):
    from rushes.server.app import App

    a = App(settings, start_workers=False, start_watcher=False)
    yield a
    a.close()


def _bikes(app, settings):
    from rushes.catalog import projects
    from rushes.embed import step

    media = _add_media(settings, app.catalog, "bikes.mp4")
    with app.catalog.transaction() as conn:
        projects.link_media(conn, projects.ensure_project(conn, "default"), int(media["id"]))
    step.run(_ctx(settings, app.catalog, app.vectors, media))
    return media


def _search(app, **kw):
    from rushes.server.handlers.search import SearchHandlers
    from rushes.server.service import RushesServicer
    from rushes_proto.v1 import rushes_pb2 as pb

    return SearchHandlers.Search(RushesServicer(app), pb.SearchRequest(project="default", **kw), None)


def _jpeg(picture: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _shot_ids(app, media_id: int) -> list[int]:
    return [int(r["id"]) for r in app.catalog.query("SELECT id FROM shots WHERE media_id=? ORDER BY idx", (media_id,))]


def test_image_like_and_people(app, settings):
    from rushes.embed.images import fetch_frames
    from rushes.errors import NotFound

    media = _bikes(app, settings)
    mid = int(media["id"])
    shots = _shot_ids(app, mid)

    # A frame between the keyframes of shot 3 (137-187), full size as a person would send it.
    frame = fetch_frames(media["path"], [160], width=640)[160]
    resp = _search(app, images=[_jpeg(frame)])
    assert (resp.hits[0].start_frame, resp.hits[0].end_frame) == (137, 187) and list(resp.hits[0].channels) == ["visual"]
    assert resp.hits[0].start_s == pytest.approx(137 / 25) and resp.hits[0].fps == "25/1"

    like = _search(app, like_shots=[str(shots[2])])
    ranges = [(h.start_frame, h.end_frame) for h in like.hits]
    assert (76, 137) not in ranges and len(ranges) == len(SHOTS) - 1
    # Shots last 1.2, 1.84, 2.44, 2.0 and 2.2 s: at least 2.1 s leaves shot 4 (shot 2 is the one asked).
    longer = _search(app, like_shots=[str(shots[2])], min_duration_s=2.1)
    assert sorted((h.start_frame, h.end_frame) for h in longer.hits) == [(187, 242)]
    with app.catalog.transaction() as conn:
        pid = conn.execute("SELECT id FROM projects WHERE name='default'").fetchone()[0]
        conn.execute("INSERT INTO clusters(id, project_id, view, name) VALUES ('scene-1', ?, 'scene', '')", (pid,))
        conn.executemany("INSERT INTO cluster_members(project_id, cluster_id, member_kind, member_id) "
                         "VALUES (?, 'scene-1', 'shot', ?)", [(pid, shots[0]), (pid, shots[3])])
    inside = _search(app, images=[_jpeg(frame)], clusters=["scene-1"])
    assert [(h.start_frame, h.end_frame) for h in inside.hits] == [(137, 187), (0, 30)]

    # "Anna Smith": tracks in shot 1 (frames 35-70) and shot 3 (140-180), named in the people view.
    with app.catalog.transaction() as conn:
        conn.execute("INSERT INTO clusters(id, project_id, view, name) VALUES ('person-1', ?, 'people', 'Anna Smith')",
                     (pid,))
        for shot_idx, (a, b) in ((1, (35, 70)), (3, (140, 180))):
            tid = conn.execute(
                "INSERT INTO face_tracks(shot_id, media_id, first_frame, end_frame, best_frame, box_json, quality) "
                "VALUES (?, ?, ?, ?, ?, '[0,0,10,10]', 0.8)", (shots[shot_idx], mid, a, b, a)).lastrowid
            conn.execute("INSERT INTO cluster_members(project_id, cluster_id, member_kind, member_id) "
                         "VALUES (?, 'person-1', 'track', ?)", (pid, tid))
    people = _search(app, query='@"Anna Smith"')
    assert sorted((h.start_frame, h.end_frame) for h in people.hits) == [(35, 70), (140, 180)]
    assert all(list(h.channels) == ["people"] for h in people.hits)
    assert len(_search(app, query='@"anna smith"').hits) == 2          # names match whatever the case
    with pytest.raises(NotFound, match=r"no people cluster named 'Anna'.*@'Anna Smith'"):
        _search(app, query="@Anna")

    # Combined: a picture of shot 3, only where Anna is: of the five shots the picture ranks, the
    # two she is in stay (shot 3 first, with both channels).
    both = _search(app, query='@"Anna Smith"', images=[_jpeg(frame)])
    assert [(h.start_frame, h.end_frame) for h in both.hits] == [(137, 187), (30, 76)]
    assert list(both.hits[0].channels) == ["visual", "people"]
    assert _search(app, query='@"Anna Smith"', images=[_jpeg(frame)], has_faces=True).hits[0].start_frame == 137


def test_words_to_shots_need_an_image_text_model(app, settings, tmp_path):
    from rushes.embed.base import TextSearchUnavailable
    from rushes.embed.loader import load_scene_embedder
    from rushes.models import registry

    media = _bikes(app, settings)
    with pytest.raises(TextSearchUnavailable, match="rushes models pull clip-vit-b32"):
        _search(app, query="a dog on the street", visual=True)
    plain = _search(app, query="a dog on the street")       # words alone: no failure, a note says why
    assert any(n.startswith("visual: no image-text model") for n in plain.notes)

    registry.import_model("clip-vit-b32", build_tiny_clip(tmp_path / "clip"), settings)
    from rushes.embed import step

    step.run(_ctx(settings, app.catalog, app.vectors, media))      # scene vectors now from the tiny CLIP
    resp = _search(app, query="a dog on the street", visual=True)
    assert resp.hits and all(list(h.channels) == ["visual"] for h in resp.hits)
    # The first hit is the shot whose keyframe lies nearest the words' vector from the text tower.
    embedder = load_scene_embedder(settings, allow_fallback=False)
    q = embedder.embed_texts(["a dog on the street"])[0]
    best = app.vectors.search("scene", q, limit=1)[0]
    shot = app.catalog.query_one("SELECT start_frame, end_frame FROM shots WHERE id=?", (best.payload["shot_id"],))
    assert (resp.hits[0].start_frame, resp.hits[0].end_frame) == (shot["start_frame"], shot["end_frame"])
