"""`rushes models ...` without a daemon (local) and through a real daemon (ListModels, VerifyModels,
ImportModel), including re-embedding of ingested media when a scene model is imported."""
from __future__ import annotations

import json
import shutil
import time

import pytest
from rushes_testkit import DaemonProcess, real_media
from test_models_tinyclip import PROJECTION_DIM, build_tiny_clip


def test_local_list_verify_and_import_without_a_daemon(tmp_path):
    d = DaemonProcess(tmp_path / "home")  # never started: the command works on the models folder itself
    out = json.loads(d.cli("models", "list", "--json").stdout)
    by = {m["name"]: m for m in out["models"]}
    assert out["fallbacks"] == ["scene: classical descriptor (no image-text model)"]
    assert by["clip-vit-b32"]["present"] is False and by["classical-scene"]["fallback"] is True
    assert by["dlib-face-resnet"]["dimensions"] == 128 and by["dlib-face-resnet"]["present"] is True
    assert set(by["transnetv2"]) == {"name", "version", "task", "source", "licence", "dimensions", "present",
                                     "path", "detail", "fallback"}

    table = d.cli("models", "list", "--local").stdout
    assert "clip-vit-b32" in table and "fallback: scene: classical descriptor" in table

    src = build_tiny_clip(tmp_path / "usb" / "clip")
    got = json.loads(d.cli("models", "import", "clip-vit-b32", str(src), "--json").stdout)
    assert got["present"] is True and got["dimensions"] == PROJECTION_DIM
    assert got["path"] == str(tmp_path / "home" / "models" / "clip-vit-b32")

    out = json.loads(d.cli("models", "list", "--local", "--json").stdout)
    assert out["fallbacks"] == [] and {m["name"]: m for m in out["models"]}["clip-vit-b32"]["present"]

    bad = d.cli("models", "import", "--local", "clip-vit-b32", str(tmp_path / "nowhere"), check=False)
    assert bad.returncode == 1 and "not a folder" in bad.stderr


def test_pull_offline_says_how_to_import(tmp_path):
    d = DaemonProcess(tmp_path / "home", env={"RUSHES_HF_ENDPOINT": "http://127.0.0.1:9"})
    proc = d.cli("models", "pull", "clip-vit-b32", check=False)
    assert proc.returncode == 1
    assert "cannot pull clip-vit-b32" in proc.stderr and "rushes models import clip-vit-b32 DIR" in proc.stderr


def _wait_jobs(client, timeout: float = 120.0):
    from rushes_proto.v1 import rushes_pb2 as pb

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = client.call("ListJobs", pb.ListJobsRequest(project="default")).jobs
        if jobs and all(j.state in ("done", "failed", "cancelled") for j in jobs):
            return jobs
        time.sleep(0.3)
    raise AssertionError(f"jobs did not finish: {jobs}")


@pytest.mark.slow
def test_through_the_daemon_import_reembeds_ingested_media(tmp_path):
    clip = tmp_path / "media" / "bikes.mp4"
    clip.parent.mkdir()
    shutil.copy2(real_media("bikes.mp4"), clip)
    with DaemonProcess(tmp_path / "home") as d:
        client = d.client()
        health = json.loads(d.cli("status", "--json").stdout)
        assert "scene: classical descriptor (no image-text model)" in health["fallbacks"]
        listed = json.loads(d.cli("models", "list", "--json").stdout)
        assert {m["name"] for m in listed["models"]} >= {"clip-vit-b32", "classical-scene", "dlib-face-resnet"}

        d.cli("ingest", str(clip))
        first = _wait_jobs(client)
        assert [j.state for j in first] == ["done"], [(j.state, j.error) for j in first]

        got = json.loads(d.cli("models", "import", "clip-vit-b32", str(build_tiny_clip(tmp_path / "clip")),
                               "--json").stdout)
        assert got["present"] and "queued 1 re-embed job" in got["detail"]
        jobs = _wait_jobs(client)
        assert len(jobs) == 2 and all(j.state == "done" for j in jobs), [(j.state, j.error) for j in jobs]

        health = json.loads(d.cli("status", "--json").stdout)
        assert not any(f.startswith("scene:") for f in health["fallbacks"])
        verify = json.loads(d.cli("models", "verify", "--json").stdout)
        assert {m["name"]: m for m in verify["models"]}["clip-vit-b32"]["detail"].startswith("ok: clip loads")

    from rushes.catalog import Catalog
    from rushes.settings import load_settings
    from rushes.vectors import open_store

    cat = Catalog.open(tmp_path / "home" / "catalog.sqlite3")
    row = cat.query_one("SELECT media_id, version FROM analysis_stages WHERE stage='embed'")
    assert row is not None and row["version"].startswith("clip-vit-b32@clip-")
    keyframes = cat.query("SELECT k.id FROM keyframes k JOIN shots s ON s.id = k.shot_id WHERE s.media_id = ?",
                          (row["media_id"],))
    cat.close()
    store = open_store(load_settings(env={"RUSHES_HOME": str(tmp_path / "home")}))
    try:
        points = store.scroll("scene", filter={"media_id": int(row["media_id"])})
        assert sorted(p.id for p in points) == sorted(int(k["id"]) for k in keyframes) and points
        assert {p.payload["model"] for p in points} == {"clip-vit-b32"}
        assert store.dimension("scene") == PROJECTION_DIM
    finally:
        store.close()
