"""A catalog made by the first schema upgrades to the latest without losing a row.

Editors keep their catalog across releases: what they told Rushes (feedback, names) must
survive every migration. The upgraded schema must also be exactly what a fresh install gets,
so no code path sees a column that only one of the two has.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rushes.catalog import Catalog, CatalogError
from rushes.catalog import db as catalog_db
from rushes.catalog.db import latest_version


def _seed_v1(cat: Catalog) -> dict[str, int]:
    """One row in every first-schema table that matters to an editor, as 0001 defines them."""
    with cat.transaction() as conn:
        project = conn.execute("INSERT INTO projects (name, created_at) VALUES ('doc', 1.0)").lastrowid
        media = conn.execute(
            "INSERT INTO media (fingerprint, path, kind, status, width, height, fps_num, fps_den, frame_count,"
            " start_timecode, created_at, updated_at)"
            " VALUES ('v1:abc', '/footage/A001.mov', 'video', 'ready', 1920, 1080, 24000, 1001, 240, '01:00:00:00', 1, 1)"
        ).lastrowid
        conn.execute("INSERT INTO project_media (project_id, media_id, added_at) VALUES (?, ?, 2)", (project, media))
        shot = conn.execute(
            "INSERT INTO shots (media_id, idx, start_frame, end_frame) VALUES (?, 0, 0, 120)", (media,)
        ).lastrowid
        keyframe = conn.execute(
            "INSERT INTO keyframes (shot_id, frame, role, thumb_path) VALUES (?, 60, 'middle', 't/60.jpg')", (shot,)
        ).lastrowid
        track = conn.execute(
            "INSERT INTO face_tracks (shot_id, first_frame, end_frame, best_frame, box_json, quality)"
            " VALUES (?, 10, 50, 30, '[1, 2, 3, 4]', 0.9)", (shot,)
        ).lastrowid
        conn.execute("INSERT INTO clusters (id, project_id, view, name) VALUES ('s1', ?, 'scene', 'Kitchen')", (project,))
        conn.execute(
            "INSERT INTO cluster_members (project_id, cluster_id, member_kind, member_id) VALUES (?, 's1', 'shot', ?)",
            (project, shot),
        )
        feedback = conn.execute(
            "INSERT INTO feedback (project_id, action, payload_json, created_at)"
            " VALUES (?, 'rename', '{\"cluster\": \"s1\", \"name\": \"Kitchen\"}', 3.0)", (project,)
        ).lastrowid
        job = conn.execute(
            "INSERT INTO jobs (kind, project_id, media_id, state, created_at) VALUES ('ingest', ?, ?, 'done', 4)",
            (project, media),
        ).lastrowid
        conn.execute("INSERT INTO watch_folders (project_id, path, created_at) VALUES (?, '/footage', 5)", (project,))
    return {"project": project, "media": media, "shot": shot, "keyframe": keyframe, "track": track,
            "feedback": feedback, "job": job}


def _schema(path: Path) -> dict[str, object]:
    """Tables with their columns, foreign keys and indexes, comparable across two files."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        out: dict[str, object] = {}
        for t in tables:
            cols = sorted(tuple(r[1:]) for r in conn.execute(f"PRAGMA table_info({t})"))  # name, type, notnull, default, pk
            fks = sorted(tuple(r[2:]) for r in conn.execute(f"PRAGMA foreign_key_list({t})"))
            idx = sorted((r[1], r[2]) for r in conn.execute(f"PRAGMA index_list({t})") if not r[1].startswith("sqlite_"))
            out[t] = (cols, fks, idx)
        return out
    finally:
        conn.close()


@pytest.fixture
def upgraded(tmp_path) -> tuple[Catalog, dict[str, int], Path]:
    path = tmp_path / "catalog.sqlite3"
    old = Catalog.open(path, upto=1)
    assert old.version() == 1
    assert old.query_one("SELECT name FROM sqlite_master WHERE name='analysis_stages'") is None  # really the old schema
    ids = _seed_v1(old)
    old.close()
    cat = Catalog.open(path)
    yield cat, ids, path
    cat.close()


def test_upgrade_reaches_the_latest_version(upgraded):
    cat, _, _ = upgraded
    assert latest_version() >= 2
    assert cat.version() == latest_version()
    again = Catalog.open(cat.path)  # opening again changes nothing
    assert again.version() == latest_version()
    again.close()


def test_every_row_survives_the_upgrade(upgraded):
    cat, ids, _ = upgraded
    media = cat.query_one("SELECT * FROM media WHERE id=?", (ids["media"],))
    assert (media["path"], media["fps_num"], media["fps_den"], media["start_timecode"]) == (
        "/footage/A001.mov", 24000, 1001, "01:00:00:00")
    assert media["rotation"] == 0 and media["probe_json"] == "{}"  # new columns got their defaults
    shot = cat.query_one("SELECT * FROM shots WHERE id=?", (ids["shot"],))
    assert (shot["media_id"], shot["start_frame"], shot["end_frame"], shot["motion"]) == (ids["media"], 0, 120, 0)
    assert cat.query_one("SELECT frame, role FROM keyframes WHERE id=?", (ids["keyframe"],))[:] == (60, "middle")
    assert cat.query_one("SELECT best_frame, quality FROM face_tracks WHERE id=?", (ids["track"],))[:] == (30, 0.9)
    fb = cat.query_one("SELECT action, payload_json FROM feedback WHERE id=?", (ids["feedback"],))
    assert fb[:] == ("rename", '{"cluster": "s1", "name": "Kitchen"}')
    assert cat.query_one("SELECT name FROM clusters WHERE id='s1'")["name"] == "Kitchen"
    assert cat.query_one("SELECT COUNT(*) FROM cluster_members")[0] == 1
    assert cat.query_one("SELECT name FROM projects WHERE id=?", (ids["project"],))["name"] == "doc"
    assert cat.query_one("SELECT state FROM jobs WHERE id=?", (ids["job"],))["state"] == "done"
    assert cat.query_one("SELECT path FROM watch_folders")["path"] == "/footage"


def test_upgraded_schema_equals_a_fresh_one(upgraded, tmp_path):
    _, _, path = upgraded
    fresh = Catalog.open(tmp_path / "fresh.sqlite3")
    fresh.close()
    got, want = _schema(path), _schema(tmp_path / "fresh.sqlite3")
    assert sorted(got) == sorted(want)
    for table in want:
        assert got[table] == want[table], f"table {table} differs between upgraded and fresh catalogs"
    for table in ("job_steps", "analysis_stages", "transitions", "segments", "faces"):
        assert table in got


def test_foreign_keys_are_enforced(upgraded):
    cat, ids, _ = upgraded
    assert cat.query_one("PRAGMA foreign_keys")[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        with cat.transaction() as conn:
            conn.execute("INSERT INTO shots (media_id, idx, start_frame, end_frame) VALUES (999999, 0, 0, 1)")
    with pytest.raises(sqlite3.IntegrityError):
        with cat.transaction() as conn:
            conn.execute("INSERT INTO keyframes (shot_id, frame, role) VALUES (999999, 0, 'first')")
    # Cascades hold after the upgrade too: deleting a media removes its shots and keyframes.
    with cat.transaction() as conn:
        conn.execute("DELETE FROM media WHERE id=?", (ids["media"],))
    assert cat.query_one("SELECT COUNT(*) FROM shots")[0] == 0
    assert cat.query_one("SELECT COUNT(*) FROM keyframes")[0] == 0
    assert cat.query_one("SELECT COUNT(*) FROM feedback")[0] == 1  # the editor's word stays


def test_wal_mode_is_on_for_every_connection(upgraded):
    cat, _, path = upgraded
    assert cat.query_one("PRAGMA journal_mode")[0] == "wal"
    raw = sqlite3.connect(path)  # WAL is a property of the file, not only of our connections
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_failed_transaction_leaves_nothing_behind(upgraded):
    cat, ids, _ = upgraded
    before = cat.query_one("SELECT COUNT(*) FROM shots")[0]
    with pytest.raises(sqlite3.IntegrityError):
        with cat.transaction() as conn:
            conn.execute("INSERT INTO shots (media_id, idx, start_frame, end_frame) VALUES (?, 1, 120, 240)", (ids["media"],))
            conn.execute("INSERT INTO feedback (project_id, action, payload_json, created_at) VALUES (?, 'x', '{}', 9)",
                         (ids["project"],))
            conn.execute("INSERT INTO shots (media_id, idx, start_frame, end_frame) VALUES (?, 0, 0, 1)", (ids["media"],))  # duplicate idx
    with pytest.raises(RuntimeError, match="step failed"):
        with cat.transaction() as conn:
            conn.execute("INSERT INTO shots (media_id, idx, start_frame, end_frame) VALUES (?, 2, 240, 300)", (ids["media"],))
            raise RuntimeError("step failed")
    assert cat.query_one("SELECT COUNT(*) FROM shots")[0] == before
    assert cat.query_one("SELECT COUNT(*) FROM feedback WHERE action='x'")[0] == 0
    assert not cat.connect().in_transaction
    # Another connection (another thread/process) sees the same: nothing was committed.
    other = Catalog(cat.path)
    assert other.query_one("SELECT COUNT(*) FROM shots")[0] == before
    other.close()


def test_a_failed_commit_does_not_swallow_later_writes(upgraded):
    """COMMIT itself can fail (here a deferred foreign key): the next write must still commit."""
    cat, ids, _ = upgraded
    with pytest.raises(sqlite3.IntegrityError):
        with cat.transaction() as conn:
            conn.execute("PRAGMA defer_foreign_keys=ON")
            conn.execute("INSERT INTO shots (media_id, idx, start_frame, end_frame) VALUES (999999, 0, 0, 1)")
    assert not cat.connect().in_transaction
    with cat.transaction() as conn:
        conn.execute("INSERT INTO projects (name, created_at) VALUES ('after', 1)")
    other = Catalog(cat.path)
    assert other.query_one("SELECT COUNT(*) FROM projects WHERE name='after'")[0] == 1
    assert other.query_one("SELECT COUNT(*) FROM shots WHERE media_id=999999")[0] == 0
    other.close()


def test_a_failing_migration_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "catalog.sqlite3"
    cat = Catalog.open(path, upto=1)
    _seed_v1(cat)
    real = catalog_db._migrations()
    broken = (2, "0002_broken.sql", "CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n"
                                     "ALTER TABLE media ADD COLUMN extra INTEGER;\n"
                                     "INSERT INTO no_such_table VALUES (1);")
    monkeypatch.setattr(catalog_db, "_migrations", lambda: [real[0], broken])
    with pytest.raises(CatalogError, match=r"catalog\.sqlite3.*0002_broken\.sql"):
        cat.migrate()
    assert cat.version() == 1
    assert cat.query_one("SELECT name FROM sqlite_master WHERE name='half_done'") is None
    assert "extra" not in [r[1] for r in cat.query("PRAGMA table_info(media)")]
    assert cat.query_one("SELECT COUNT(*) FROM media")[0] == 1
    cat.close()


def test_cancelled_media_become_cancelled_and_keep_their_rows(tmp_path):
    """Migration 0010 rebuilds the media table for the `cancelled` status: a media that failed
    only because its last job was cancelled becomes cancelled, one that failed for a reason stays
    failed, and their children (shots, keyframes, jobs) survive the rebuild with their ids."""
    path = tmp_path / "catalog.sqlite3"
    old = Catalog.open(path, upto=9)
    ids = _seed_v1(old)
    with old.transaction() as conn:
        def media(fp: str, status: str, reason: str | None, job_state: str) -> int:
            mid = conn.execute(
                "INSERT INTO media (fingerprint, path, kind, status, reason, created_at, updated_at)"
                " VALUES (?, ?, 'video', ?, ?, 1, 1)", (fp, f"/footage/{fp}.mov", status, reason)).lastrowid
            conn.execute("INSERT INTO jobs (kind, project_id, media_id, state, created_at) VALUES ('ingest', ?, ?, ?, 4)",
                         (ids["project"], mid, job_state))
            conn.execute("INSERT INTO shots (media_id, idx, start_frame, end_frame) VALUES (?, 0, 0, 10)", (mid,))
            return mid

        stopped = media("b", "failed", "/footage/b.mov: cancelled during faces", "cancelled")
        broken = media("c", "failed", "/footage/c.mov: analyse failed: truncated", "failed")
        retried = media("d", "failed", "/footage/d.mov: cancelled during analyse", "failed")  # a later job failed
    before = {t: old.query_one(f"SELECT COUNT(*) FROM {t}")[0] for t in ("media", "shots", "keyframes", "jobs")}
    old.close()

    cat = Catalog.open(path)
    try:
        status = {r["id"]: r["status"] for r in cat.query("SELECT id, status FROM media")}
        assert status == {ids["media"]: "ready", stopped: "cancelled", broken: "failed", retried: "failed"}
        assert {t: cat.query_one(f"SELECT COUNT(*) FROM {t}")[0] for t in before} == before
        assert cat.query_one("SELECT media_id FROM shots WHERE id=?", (ids["shot"],))[0] == ids["media"]
        assert cat.query("PRAGMA foreign_key_check") == []
        assert cat.query_one("PRAGMA foreign_keys")[0] == 1       # back on after the rebuild
        with pytest.raises(sqlite3.IntegrityError):               # the CHECK is still there
            with cat.transaction() as conn:
                conn.execute("UPDATE media SET status='bogus' WHERE id=?", (broken,))
        with cat.transaction() as conn:                           # cascades still hold
            conn.execute("DELETE FROM media WHERE id=?", (stopped,))
        assert cat.query_one("SELECT COUNT(*) FROM shots WHERE media_id=?", (stopped,))[0] == 0
        assert cat.query_one("SELECT media_id FROM jobs WHERE media_id IS NULL") is not None  # ON DELETE SET NULL
    finally:
        cat.close()
