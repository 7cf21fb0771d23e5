"""`rushes faces MEDIA --json` through the real daemon, after a real ingest job."""
from __future__ import annotations

import json

import pytest
from rushes_testkit import DaemonProcess, real_media


@pytest.mark.slow
def test_faces_command_lists_the_tracks_of_an_ingested_clip(ingested_project):
    pytest.importorskip("rushes.shots.step", reason="faces attach to shots: needs the shot step (issue 4)")
    path = ingested_project.paths["talking_head.mp4"]
    with ingested_project.daemon() as d:
        out = json.loads(d.cli("faces", str(path), "--json").stdout)
        by_id = json.loads(d.cli("faces", ingested_project.media["talking_head.mp4"], "--json").stdout)
    assert out == by_id
    tracks = out["tracks"]
    assert tracks, "no face track in talking_head.mp4"
    for t in tracks:
        assert list(t)[:7] == ["id", "shot_id", "first_frame", "end_frame", "best_frame", "box", "quality"]
        assert isinstance(t["id"], str) and isinstance(t["shot_id"], str)
        assert isinstance(t["first_frame"], int) and isinstance(t["quality"], float)
        assert t["first_frame"] <= t["best_frame"] < t["end_frame"]
        assert len(t["box"]) == 4 and t["box"][0] < t["box"][2] and t["box"][1] < t["box"][3]
    longest = max(tracks, key=lambda t: t["end_frame"] - t["first_frame"])
    assert longest["end_frame"] - longest["first_frame"] > 200      # the webcam face, most of 250 frames


def test_faces_command_says_when_faces_are_not_analysed(tmp_path):
    """A media whose faces stage has not run answers FAILED_PRECONDITION, not an empty list."""
    import time

    from rushes.catalog import Catalog, projects
    from rushes.settings import load_settings

    home = tmp_path / "home"
    path = real_media("carphone.mp4")
    with DaemonProcess(home) as d:
        cat = Catalog.open(load_settings({"RUSHES_HOME": str(home)}).catalog_path)
        with cat.transaction() as conn:
            media_id = conn.execute(
                "INSERT INTO media(fingerprint, path, kind, status, created_at, updated_at) VALUES (?,?,?,?,?,?)",
                ("test:carphone", str(path), "video", "analysing", time.time(), time.time())).lastrowid
            projects.link_media(conn, projects.ensure_project(conn, "default"), media_id)
        cat.close()
        proc = d.cli("faces", str(media_id), "--json", check=False)
    assert proc.returncode != 0
    assert "not analysed yet" in proc.stderr and "FAILED_PRECONDITION" in proc.stderr
