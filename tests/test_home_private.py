"""RUSHES_HOME is private to the daemon's user: folder 0700, files 0600 (issue 11, defect 6).

Before: the catalog was 0644, folders 0755 and feedback.jsonl was opened 0o644, so any local
account could read which clips exist, their thumbnails and the editor's decisions.
"""
from __future__ import annotations

import json
import os
import stat

from rushes_testkit import DaemonProcess, synth_clip


def _open_to_others(home) -> list[str]:
    found = []
    for root, dirs, files in os.walk(home):
        for name in dirs + files:
            p = os.path.join(root, name)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode) or stat.S_ISSOCK(st.st_mode):
                continue
            if stat.S_IMODE(st.st_mode) & 0o077:
                found.append(f"{oct(stat.S_IMODE(st.st_mode))} {os.path.relpath(p, home)}")
    return found


def test_everything_the_daemon_writes_is_private(tmp_path):
    home = tmp_path / "home"
    clip = synth_clip(tmp_path / "src" / "a.mp4", seconds=1.0)
    os.chmod(tmp_path / "src", 0o755)
    with DaemonProcess(home) as d:
        out = json.loads(d.cli("ingest", "--wait", "--json", str(clip)).stdout)
        assert [j["state"] for j in out["jobs"]] == ["done"], out
        d.cli("feedback", "export", "--json", check=False)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert (home / "catalog.sqlite3").is_file() and any((home / "vectors").iterdir())
    assert _open_to_others(home) == []
    # The source folder was read, never touched.
    assert stat.S_IMODE((tmp_path / "src").stat().st_mode) == 0o755


def test_an_older_open_home_is_tightened_at_start(tmp_path):
    from rushes.server.app import App
    from rushes.settings import load_settings

    home = tmp_path / "old-home"
    (home / "thumbnails").mkdir(parents=True)
    (home / "feedback.jsonl").write_text("{}\n")
    os.chmod(home, 0o755)
    os.chmod(home / "thumbnails", 0o755)
    os.chmod(home / "feedback.jsonl", 0o644)
    app = App(load_settings({"RUSHES_HOME": str(home)}), start_workers=False, start_watcher=False)
    app.close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "thumbnails").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "feedback.jsonl").stat().st_mode) == 0o600


def test_feedback_log_is_created_0600(tmp_path):
    from rushes.feedback.log import append_pairs

    old = os.umask(0o022)
    try:
        append_pairs(tmp_path / "f" / "feedback.jsonl", [{"anchor": "shot:1"}])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f" / "feedback.jsonl").stat().st_mode) == 0o600
