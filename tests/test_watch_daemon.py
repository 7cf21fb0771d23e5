"""Folder watching through the daemon: new files, deletes, moves, and restore after a restart."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from rushes_testkit import DaemonProcess, synth_clip, wait_until




def _media(d: DaemonProcess) -> dict[str, dict]:
    return {Path(m["path"]).name: m for m in json.loads(d.cli("media", "list", "--json").stdout)["media"]}


def test_watch_ingests_new_files_marks_deleted_offline_and_survives_restart(tmp_path):
    folder = tmp_path / "watched"
    folder.mkdir()
    staging = tmp_path / "staging"
    clip = synth_clip(staging / "new.mp4", seconds=1.0, size="160x120")
    home = tmp_path / "home"
    with DaemonProcess(home, env={"RUSHES_STABLE_SECONDS": "0.5"}) as d:
        d.cli("watch", "add", str(folder))
        listing = json.loads(d.cli("watch", "list", "--json").stdout)["folders"]
        assert [f["path"] for f in listing] == [str(folder)]
        shutil.copy(clip, folder / "new.mp4")
        wait_until(lambda: _media(d).get("new.mp4", {}).get("status") == "ready", what="new.mp4 ingested")
        media_id = _media(d)["new.mp4"]["id"]
        (folder / "new.mp4").rename(folder / "moved.mp4")
        wait_until(lambda: "moved.mp4" in _media(d), what="move seen")
        assert _media(d)["moved.mp4"]["id"] == media_id
        (folder / "moved.mp4").unlink()
        wait_until(lambda: _media(d)["moved.mp4"]["status"] == "offline", what="offline after delete")
    # Restart: the watch folder is restored from the catalog and still works.
    with DaemonProcess(home, env={"RUSHES_STABLE_SECONDS": "0.5"}) as d:
        listing = json.loads(d.cli("watch", "list", "--json").stdout)["folders"]
        assert [f["path"] for f in listing] == [str(folder)]
        synth_clip(staging / "later.mp4", seconds=1.0, size="160x120", source="smptebars")
        shutil.copy(staging / "later.mp4", folder / "later.mp4")
        wait_until(lambda: _media(d).get("later.mp4", {}).get("status") == "ready", what="later.mp4 ingested")
        # The deleted file's analysis is kept.
        assert _media(d)["moved.mp4"]["status"] == "offline"
