"""`rushes shots PATH` with no daemon: analyses in-process, prints the documented JSON, stores nothing."""
from __future__ import annotations

import json
import subprocess
import sys

from rushes_testkit import free_address, real_media


def _cli(*args: str, env_home) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "RUSHES_HOME": str(env_home), "RUSHES_ADDRESS": free_address()}
    return subprocess.run([sys.executable, "-m", "rushes.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_path_without_daemon_prints_exact_json_and_stores_nothing(rushes_home):
    clip = real_media("bikes.mp4")
    proc = _cli("shots", str(clip), "--shots-model", "off", "--json", env_home=rushes_home)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == ["media_id", "fps", "frame_count", "shots", "transitions", "segments"]
    assert out["media_id"] is None                      # nothing stored: no catalog ids
    assert out["fps"] == "25/1" and out["frame_count"] == 250
    shots = out["shots"]
    assert [list(s) for s in shots][0] == ["id", "index", "start_frame", "end_frame", "start_s", "end_s",
                                           "keyframes", "motion"]
    assert [s["start_frame"] for s in shots] == [0, 30, 76, 137, 187, 242]
    assert [s["index"] for s in shots] == list(range(6)) and all(s["id"] is None for s in shots)
    assert shots[1]["start_s"] == 1.2 and shots[-1]["end_s"] == 10.0
    assert all(a["end_frame"] == b["start_frame"] for a, b in zip(shots, shots[1:])) and shots[-1]["end_frame"] == 250
    for t in out["transitions"]:
        assert t["type"] == "cut" and set(t) == {"type", "frame", "confidence"} and 0 < t["confidence"] <= 1
    assert not (rushes_home / "catalog.sqlite3").exists()
    assert not (rushes_home / "thumbnails").exists()


def test_readable_table_and_clear_errors(rushes_home, tmp_path):
    clip = real_media("city_night.mpg")
    proc = _cli("shots", str(clip), "--shots-model", "off", env_home=rushes_home)
    assert proc.returncode == 0, proc.stderr
    assert "2 shots" in proc.stdout and "keyframes" in proc.stdout and "cut" in proc.stdout
    missing = _cli("shots", str(tmp_path / "nope.mp4"), "--json", env_home=rushes_home)
    assert missing.returncode != 0 and "nope.mp4" in missing.stderr
    bad = tmp_path / "bad.mov"
    bad.write_bytes(b"\x00" * 1000)
    broken = _cli("shots", str(bad), "--json", env_home=rushes_home)
    assert broken.returncode != 0 and "bad.mov" in broken.stderr
