"""The same footage gives the same result, alone or beside a CPU hog (issue 10).

The session's shared project (conftest `ingested_project`: three real clips ingested one after
another through the daemon) is ingested again into a fresh data folder while two busy processes
compete for the cores; every stored decision must come out identical: shots, transitions,
keyframes, face tracks and the clusters of every view, ids included (a fresh catalog given the
same inserts in the same order gives the same ids).
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rushes_testkit import INGEST_ENV, DaemonProcess, seed_models

QUERIES = {
    "media": "SELECT id, path, fps_num, fps_den, frame_count, variable_frame_rate FROM media ORDER BY id",
    "shots": "SELECT id, media_id, idx, start_frame, end_frame FROM shots ORDER BY id",
    "transitions": "SELECT media_id, type, start_frame, end_frame FROM transitions ORDER BY media_id, start_frame",
    "keyframes": "SELECT shot_id, frame, role FROM keyframes ORDER BY shot_id, frame",
    "face_tracks": "SELECT id, media_id, shot_id, first_frame, end_frame, best_frame, face_count, box_json "
                   "FROM face_tracks ORDER BY id",
    "faces": "SELECT track_id, frame, descriptor FROM faces ORDER BY track_id, frame",
    "clusters": "SELECT id, view, parent_id FROM clusters ORDER BY id",
    "members": "SELECT cluster_id, member_kind, member_id FROM cluster_members ORDER BY cluster_id, member_kind, member_id",
}


def _decisions(home: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        out = {name: [tuple(r) for r in conn.execute(sql)] for name, sql in QUERIES.items()}
    conn.close()
    return out


HOG = "import time\nend = time.monotonic() + 600\nwhile time.monotonic() < end:\n    pass\n"


@pytest.mark.slow
@pytest.mark.realmedia
def test_same_footage_same_result_beside_a_cpu_hog(ingested_project, tmp_path, _referee_export, _pulled_models):
    first = _decisions(ingested_project.home)
    assert first["shots"] and first["face_tracks"] and first["members"]
    hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(2)]
    try:
        home = tmp_path / "again"
        seed_models(home, _referee_export, _pulled_models[0])   # as the shared project had
        env = dict(INGEST_ENV)
        if _pulled_models[1] is not None:
            env["RUSHES_MODEL_CACHE"] = str(_pulled_models[1])
        with DaemonProcess(home, env=env) as d:
            for name, path in ingested_project.paths.items():      # the seed's order, one at a time
                job = json.loads(d.cli("ingest", "--wait", "--json", str(path)).stdout)["jobs"][0]
                assert job["state"] == "done", job
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    again = _decisions(home)
    for name in QUERIES:
        assert again[name] == first[name], name
