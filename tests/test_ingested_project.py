"""The shared session project (conftest `ingested_project`): what other tests may rely on."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest


@pytest.mark.realmedia
def test_seeded_copy_is_complete_and_belongs_to_this_test(ingested_project):
    home = ingested_project.home
    assert set(ingested_project.media) == {"scenes.mp4", "talking_head.mp4", "bikes.mp4"}
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        rows = conn.execute("SELECT id, status, frame_count FROM media ORDER BY id").fetchall()
        assert [(str(i), s) for i, s, _ in rows] == [(ingested_project.media[n], "ready")
                                                     for n in ("scenes.mp4", "talking_head.mp4", "bikes.mp4")]
        bikes = ingested_project.media["bikes.mp4"]
        starts = [r[0] for r in conn.execute("SELECT start_frame FROM shots WHERE media_id=? ORDER BY idx", (bikes,))]
        assert starts == [0, 30, 76, 137, 187, 242]
        thumbs = [Path(r[0]) for r in conn.execute("SELECT thumb_path FROM keyframes WHERE thumb_path IS NOT NULL")]
        tracks = conn.execute("SELECT COUNT(*) FROM face_tracks").fetchone()[0]
        clusters = conn.execute("SELECT COUNT(*) FROM clusters").fetchone()[0]
    conn.close()
    assert thumbs and all(p.is_file() and home in p.parents for p in thumbs)
    assert tracks >= 2 and clusters >= 2


@pytest.mark.realmedia
def test_a_test_may_change_its_copy_without_touching_the_next(ingested_project):
    """Run after the test above in file order: each test gets a fresh copy."""
    with sqlite3.connect(ingested_project.home / "catalog.sqlite3") as conn:
        conn.execute("DELETE FROM shots")
        assert conn.execute("SELECT COUNT(*) FROM shots").fetchone()[0] == 0
    conn.close()


@pytest.mark.realmedia
def test_copies_are_fresh_each_time(ingested_project):
    with sqlite3.connect(ingested_project.home / "catalog.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM shots").fetchone()[0] == 4 + 1 + 6   # scenes, talking_head, bikes
    conn.close()
