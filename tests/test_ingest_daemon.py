"""Ingest through the real daemon: a mixed batch, bad input, identity, read-only sources."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from rushes_testkit import DaemonProcess, real_media, synth_clip, tree_state


def _media_by_name(d: DaemonProcess) -> dict[str, dict]:
    listing = json.loads(d.cli("media", "list", "--json").stdout)["media"]
    return {Path(m["path"]).name: m for m in listing}


@pytest.fixture
def batch(tmp_path) -> Path:
    src = tmp_path / "card 01 — Drehtag"
    (src / "A001").mkdir(parents=True)
    synth_clip(src / "A001" / "clip one.mp4", seconds=1.0, size="160x120", audio=True)
    synth_clip(src / "A001" / "Überblick é.mov", seconds=1.0, size="160x120", rate="24000/1001",
               extra=("-timecode", "01:00:00:00"))
    shutil.copy(real_media("carphone.mp4"), src / "carphone.mp4")
    (src / "notes.mp4").write_text("this is not a video, it is a text file named .mp4\n")
    (src / "empty.mov").write_bytes(b"")
    good = (src / "A001" / "clip one.mp4").read_bytes()
    (src / "truncated.mp4").write_bytes(good[: len(good) // 3])
    (src / "._clip one.mp4").write_bytes(b"\x00\x05\x16\x07appledouble")
    (src / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (src / "A001" / "clip one.THM").write_bytes(b"\xff\xd8\xff")
    from rushes_testkit import ffmpeg

    ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "1", "-ac", "2", str(src / "sound roll.wav"))
    return src


def test_mixed_batch_good_bad_clutter_and_read_only(batch, tmp_path):
    before = tree_state(batch)
    with DaemonProcess(tmp_path / "home") as d:
        proc = d.cli("ingest", "--wait", "--json", str(batch), check=False)
        assert proc.returncode == 1, proc.stderr          # some files failed, the command says so
        result = json.loads(proc.stdout)
        skipped = {Path(s["path"]).name: s["reason"] for s in result["skipped"]}
        assert skipped.get("._clip one.mp4") == "sidecar" and skipped.get(".DS_Store") == "sidecar"
        assert skipped.get("clip one.THM") == "sidecar"
        states = {Path(j["path"]).name: j for j in result["jobs"]}
        for name in ("clip one.mp4", "Überblick é.mov", "carphone.mp4", "sound roll.wav"):
            assert states[name]["state"] == "done", (states[name]["error"], states[name]["steps"])
        for name in ("notes.mp4", "empty.mov", "truncated.mp4"):
            assert states[name]["state"] == "failed", states[name]
            assert name in states[name]["error"], states[name]["error"]
        media = _media_by_name(d)
        assert "empty" in media["empty.mov"]["reason"]
        assert media["notes.mp4"]["status"] == "failed" and media["notes.mp4"]["reason"]
        clip = media["Überblick é.mov"]
        assert clip["fps"] == "24000/1001" and clip["start_timecode"] == "01:00:00:00"
        assert clip["status"] == "ready" and clip["kind"] == "video" and clip["frame_count"] == 24
        assert media["sound roll.wav"]["kind"] == "audio" and media["sound roll.wav"]["audio_channels"] == 2
        assert media["carphone.mp4"]["width"] == 176 and media["carphone.mp4"]["height"] == 144
        for key in ("id", "path", "kind", "duration_s", "fps", "frame_count", "width", "height", "start_timecode",
                    "audio_channels", "status", "reason"):
            assert key in clip
        assert isinstance(clip["id"], str) and isinstance(clip["frame_count"], int)
        # The daemon survived the bad batch, and keeps the models its steps loaded for the next
        # file (let go after models_idle_release_s with no job: tests/test_models_resident.py).
        health = json.loads(d.cli("status", "--json").stdout)
        assert health["version"]
        assert "PP-OCR" in health.get("loaded_models", []), health.get("loaded_models")
    assert tree_state(batch) == before, "Rushes wrote into a source folder"


def test_same_content_twice_does_no_new_work_and_renames_keep_identity(tmp_path):
    src = tmp_path / "src"
    synth_clip(src / "a.mp4", seconds=1.0, size="160x120")
    with DaemonProcess(tmp_path / "home") as d:
        first = json.loads(d.cli("ingest", "--wait", "--json", str(src / "a.mp4")).stdout)
        assert first["jobs"][0]["state"] == "done"
        media_id = first["jobs"][0]["media_id"]
        again = json.loads(d.cli("ingest", "--wait", "--json", str(src / "a.mp4")).stdout)
        assert again["jobs"] == [] and "already ingested" in again["skipped"][0]["reason"]
        os.rename(src / "a.mp4", src / "renamed.mp4")
        moved = json.loads(d.cli("ingest", "--wait", "--json", str(src / "renamed.mp4")).stdout)
        assert moved["jobs"][0]["state"] == "done"
        assert moved["jobs"][0]["media_id"] == media_id
        media = json.loads(d.cli("media", "list", "--json").stdout)["media"]
        assert [m["id"] for m in media] == [media_id]
        assert media[0]["path"].endswith("renamed.mp4")
        # The second run found every analysis stage already done: nothing was redone.
        steps = {s["name"]: s for s in moved["jobs"][0]["steps"]}
        assert all(s["state"] == "done" for s in steps.values())


def test_main_job_run_once_ingests_and_reports_each_file(tmp_path):
    import subprocess
    import sys

    from rushes_testkit import free_address

    src = tmp_path / "footage"
    synth_clip(src / "take 1.mp4", seconds=1.0, size="160x120")
    shutil.copy(real_media("obama.jpg"), src / "still.jpg")
    (src / "script.txt").write_text("INT. KITCHEN - DAY\n")
    env = {**os.environ, "RUSHES_HOME": str(tmp_path / "home"), "RUSHES_ADDRESS": free_address()}
    proc = subprocess.run([sys.executable, "-m", "rushes.cli.main", "run", "--once", str(src)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.split()[:1] == ["ok"] and line.split()[1].endswith("take") for line in lines), proc.stdout
    assert any("still.jpg" in line and "image (not media)" in line for line in lines)
    assert any("script.txt" in line and "not media" in line for line in lines)
    assert lines[-1].startswith("summary: 1 job(s): 1 done, 2 skipped")
    assert "100.0%" in proc.stderr            # the progress bar ran


def test_media_can_belong_to_several_projects_without_new_analysis(tmp_path):
    src = tmp_path / "src"
    synth_clip(src / "shared.mp4", seconds=1.0, size="160x120")
    with DaemonProcess(tmp_path / "home") as d:
        first = json.loads(d.cli("ingest", "--wait", "--json", "--project", "a", str(src)).stdout)["jobs"][0]
        second = json.loads(d.cli("ingest", "--wait", "--json", "--project", "b", str(src)).stdout)["jobs"]
        assert len(second) == 1 and second[0]["state"] == "done"
        assert second[0]["media_id"] == first["media_id"]
        assert [s["name"] for s in second[0]["steps"]] == ["cluster"]     # no decode, no faces, no embed
        for project in ("a", "b"):
            media = json.loads(d.cli("media", "list", "--json", "--project", project).stdout)["media"]
            assert [m["id"] for m in media] == [first["media_id"]]
            assert sorted(media[0]["projects"]) == ["a", "b"]
        third = json.loads(d.cli("ingest", "--wait", "--json", "--project", "b", str(src)).stdout)
        assert third["jobs"] == [] and "already ingested" in third["skipped"][0]["reason"]
