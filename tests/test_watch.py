"""Folder watch: a growing file is reported only once complete; deletes and moves are reported;
polling mode and the periodic rescan work without inotify; clutter is ignored; nothing is
written into the watched folder."""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from rushes.ingest.probe import probe
from rushes.ingest.watch import FolderWatcher

MiB = 1 << 20


class Recorder:
    """Collects callbacks (with the file size seen at call time) and lets a test wait for them."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.threads: set[int] = set()
        self.cond = threading.Condition()

    def _add(self, item: tuple) -> None:
        with self.cond:
            self.events.append(item)
            self.threads.add(threading.get_ident())
            self.cond.notify_all()

    def ready(self, path: Path) -> None:
        self._add(("ready", path, path.stat().st_size if path.exists() else -1))

    def deleted(self, path: Path) -> None:
        self._add(("deleted", path))

    def moved(self, src: Path, dst: Path) -> None:
        self._add(("moved", src, dst))

    def wait(self, predicate, timeout: float = 10.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: predicate(self.events), timeout)

    def of(self, kind: str) -> list[tuple]:
        with self.cond:
            return [e for e in self.events if e[0] == kind]


def _watcher(rec: Recorder, **kw) -> FolderWatcher:
    kw.setdefault("stable_seconds", 0.6)
    kw.setdefault("check_interval", 0.05)
    kw.setdefault("poll_interval", 0.2)
    return FolderWatcher(rec.ready, rec.deleted, rec.moved, **kw)


def _grow(path: Path, chunks: int, chunk: int, pause: float) -> bytes:
    """Write like a slow card copy: chunk after chunk, with pauses shorter than stable_seconds."""
    data = os.urandom(chunks * chunk)
    with path.open("wb") as fh:
        for i in range(chunks):
            fh.write(data[i * chunk:(i + 1) * chunk])
            fh.flush()
            os.fsync(fh.fileno())
            time.sleep(pause)
    return data


def _state(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_growing_file_reported_only_once_complete(tmp_path, polling):
    folder = tmp_path / "ingest here"
    folder.mkdir()
    rec = Recorder()
    with _watcher(rec, stable_seconds=1.0) as w:
        w.add(folder, polling=polling)
        time.sleep(0.3)
        target = folder / "A001C001.MOV"
        data = _grow(target, chunks=8, chunk=256 * 1024, pause=0.3)  # ~2.4 s of copying
        assert rec.of("ready") == [], "reported while the copy was still running"
        assert rec.wait(lambda ev: any(e[0] == "ready" for e in ev), timeout=10)
        time.sleep(1.5)  # nothing more may come for the same file
    ready = rec.of("ready")
    assert ready == [("ready", target.resolve(), len(data))]


def test_real_clip_copied_in_chunks_probes_when_reported(tmp_path):
    from rushes_testkit import real_media

    source = real_media("bikes.mp4")
    folder = tmp_path / "watch"
    folder.mkdir()
    reported: list[tuple[Path, int]] = []
    done = threading.Event()

    def on_ready(path: Path) -> None:
        reported.append((path, probe(path).frame_count))  # a half-written MP4 would not probe
        done.set()

    with FolderWatcher(on_ready, stable_seconds=0.8, check_interval=0.05) as w:
        w.add(folder)
        blob = source.read_bytes()
        with (folder / "bikes copy.mp4").open("wb") as fh:
            for i in range(0, len(blob), 100_000):
                fh.write(blob[i:i + 100_000])
                fh.flush()
                time.sleep(0.15)
        assert done.wait(10)
    assert reported == [((folder / "bikes copy.mp4").resolve(), 250)]


def test_existing_files_are_reported_when_a_folder_is_added(tmp_path):
    folder = tmp_path / "card"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.mov", "sub/b.mxf", "c.wav"):
        (folder / name).write_bytes(b"x" * 1000)
    rec = Recorder()
    with _watcher(rec) as w:
        w.add(folder)
        assert rec.wait(lambda ev: len(ev) >= 3)
        time.sleep(0.8)
    assert sorted(e[1].name for e in rec.of("ready")) == ["a.mov", "b.mxf", "c.wav"]

    rec2 = Recorder()
    with _watcher(rec2, report_existing=False) as w:
        w.add(folder)
        time.sleep(1.2)
        assert rec2.events == []
        (folder / "new.mov").write_bytes(b"y" * 10)
        assert rec2.wait(lambda ev: len(ev) >= 1)
        (folder / "a.mov").unlink()  # known from the baseline: its deletion is reported
        assert rec2.wait(lambda ev: len(ev) >= 2)
    assert [e[:2] for e in rec2.events] == [("ready", (folder / "new.mov").resolve()),
                                           ("deleted", (folder / "a.mov").resolve())]


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_delete_and_moves(tmp_path, polling):
    folder = (tmp_path / "footage").resolve()
    outside = (tmp_path / "elsewhere").resolve()
    (folder / "day 2").mkdir(parents=True)
    outside.mkdir()
    rec = Recorder()
    with _watcher(rec) as w:
        w.add(folder, polling=polling)
        for name in ("one.mov", "two.mov", "three.mov", "four.mov"):
            (folder / name).write_bytes(name.encode() * 100)
        assert rec.wait(lambda ev: len([e for e in ev if e[0] == "ready"]) == 4)

        (folder / "one.mov").unlink()
        assert rec.wait(lambda ev: ("deleted", folder / "one.mov") in ev)

        os.rename(folder / "two.mov", folder / "interview 2.mov")
        assert rec.wait(lambda ev: ("moved", folder / "two.mov", folder / "interview 2.mov") in ev)

        os.rename(folder / "three.mov", folder / "day 2" / "three.mov")
        assert rec.wait(lambda ev: ("moved", folder / "three.mov", folder / "day 2" / "three.mov") in ev)

        shutil.move(str(folder / "four.mov"), str(outside / "four.mov"))  # out of the watch: gone
        assert rec.wait(lambda ev: ("deleted", folder / "four.mov") in ev)

        shutil.move(str(outside / "four.mov"), str(folder / "back.mov"))  # in from outside: new
        assert rec.wait(lambda ev: any(e[0] == "ready" and e[1] == folder / "back.mov" for e in ev))
        time.sleep(0.8)
    kinds = [e[0] for e in rec.events]
    assert kinds.count("ready") == 5 and kinds.count("deleted") == 2 and kinds.count("moved") == 2
    assert len(rec.threads) == 1  # every callback from the one dispatcher thread


def test_folder_moved_in_and_renamed(tmp_path):
    folder = (tmp_path / "watch").resolve()
    folder.mkdir()
    staging = tmp_path / "staging" / "CARD_B"
    staging.mkdir(parents=True)
    (staging / "B001.mov").write_bytes(b"b" * 500)
    (staging / "B002.mov").write_bytes(b"c" * 500)
    rec = Recorder()
    with _watcher(rec) as w:
        w.add(folder)
        time.sleep(0.3)
        shutil.move(str(staging), str(folder / "CARD_B"))
        assert rec.wait(lambda ev: len([e for e in ev if e[0] == "ready"]) == 2)
        os.rename(folder / "CARD_B", folder / "Day 1 - Card B")
        assert rec.wait(lambda ev: len([e for e in ev if e[0] == "moved"]) == 2)
        time.sleep(0.5)
    assert sorted((e[1].name, e[2].parent.name) for e in rec.of("moved")) == [
        ("B001.mov", "Day 1 - Card B"), ("B002.mov", "Day 1 - Card B")]
    assert rec.of("deleted") == []


def test_periodic_rescan_catches_what_events_missed(tmp_path):
    """A network share that delivers no events: a poller too slow to matter, the rescan finds
    the new file, the rename (by inode) and the deletion."""
    folder = (tmp_path / "nas").resolve()
    folder.mkdir()
    rec = Recorder()
    with _watcher(rec, poll_interval=3600, rescan_interval=0.5) as w:
        w.add(folder, polling=True)
        time.sleep(0.3)
        (folder / "clip.mxf").write_bytes(b"m" * 2000)
        assert rec.wait(lambda ev: ("ready", folder / "clip.mxf", 2000) in ev)
        os.rename(folder / "clip.mxf", folder / "renamed.mxf")
        assert rec.wait(lambda ev: ("moved", folder / "clip.mxf", folder / "renamed.mxf") in ev)
        (folder / "renamed.mxf").unlink()
        assert rec.wait(lambda ev: ("deleted", folder / "renamed.mxf") in ev)


def test_clutter_is_ignored(tmp_path):
    folder = (tmp_path / "card").resolve()
    folder.mkdir()
    rec = Recorder()
    with _watcher(rec) as w:
        w.add(folder)
        time.sleep(0.2)
        for name in ("._C0001.MP4", "GX01.THM", "GX01.LRV", ".DS_Store", "Thumbs.db", "still.jpg", "notes.txt",
                     ".partial.mov"):
            (folder / name).write_bytes(b"z" * 100)
        (folder / ".Trashes").mkdir()
        (folder / ".Trashes" / "old.mov").write_bytes(b"z" * 100)
        (folder / "C0001.MP4").write_bytes(b"v" * 100)
        assert rec.wait(lambda ev: len(ev) >= 1)
        time.sleep(1.0)
        os.rename(folder / ".partial.mov", folder / "finished.mov")  # a copier's temp name made final
        assert rec.wait(lambda ev: len(ev) >= 2)
        time.sleep(0.5)
    assert [(e[0], e[1].name) for e in rec.events] == [("ready", "C0001.MP4"), ("ready", "finished.mov")]


def test_remove_and_callback_errors(tmp_path):
    a, b = (tmp_path / "a").resolve(), (tmp_path / "b").resolve()
    a.mkdir()
    b.mkdir()
    rec = Recorder()
    calls = []

    def flaky(path: Path) -> None:
        calls.append(path)
        if len(calls) == 1:
            raise RuntimeError("consumer bug")
        rec.ready(path)

    w = FolderWatcher(flaky, rec.deleted, rec.moved, stable_seconds=0.3, check_interval=0.05)
    w.add(a)
    w.start()
    try:
        assert w.folders == [a]
        (a / "1.mov").write_bytes(b"1")
        (a / "2.mov").write_bytes(b"2")
        assert rec.wait(lambda ev: len(ev) >= 1)  # the first callback raised; the watch goes on
        w.add(b)
        w.remove(a)
        assert w.folders == [b]
        (a / "3.mov").write_bytes(b"3")
        (b / "4.mov").write_bytes(b"4")
        assert rec.wait(lambda ev: any(e[1].name == "4.mov" for e in ev))
        time.sleep(0.6)
    finally:
        w.stop()
    assert len(calls) == 3 and "3.mov" not in [p.name for p in calls]
    w.stop()  # idempotent


def test_add_rejects_a_missing_folder(tmp_path):
    w = FolderWatcher(lambda p: None)
    with pytest.raises(NotADirectoryError, match="not a folder"):
        w.add(tmp_path / "nope")


def test_watching_never_writes_into_the_folder(tmp_path):
    folder = (tmp_path / "src").resolve()
    (folder / "sub").mkdir(parents=True)
    (folder / "a.mov").write_bytes(os.urandom(4096))
    (folder / "sub" / "b.wav").write_bytes(os.urandom(4096))
    (folder / "C0001M01.XML").write_text("<xml/>")
    before = _state(folder)
    mtimes = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    rec = Recorder()
    for polling in (False, True):
        with _watcher(rec, rescan_interval=0.3) as w:
            w.add(folder, polling=polling)
            time.sleep(1.5)
    assert _state(folder) == before
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == mtimes
    assert len(rec.of("ready")) == 4  # two media files, reported by each of the two watchers


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_folder_that_vanishes_and_returns(tmp_path, polling):
    """A NAS share unmounted then remounted: media goes offline, then is found again, and the
    watch is re-armed so new files are seen by events too."""
    folder = (tmp_path / "share").resolve()
    folder.mkdir()
    (folder / "a.mov").write_bytes(b"a" * 100)
    rec = Recorder()
    with _watcher(rec, rescan_interval=0) as w:  # no periodic rescan: only events and rescan_now()
        w.add(folder, polling=polling)
        assert rec.wait(lambda ev: ("ready", folder / "a.mov", 100) in ev)
        shutil.rmtree(folder)
        assert rec.wait(lambda ev: ("deleted", folder / "a.mov") in ev)
        folder.mkdir()
        (folder / "a.mov").write_bytes(b"a" * 100)
        w.rescan_now()  # what the periodic rescan does when the share is back
        assert rec.wait(lambda ev: len([e for e in ev if e[:2] == ("ready", folder / "a.mov")]) == 2)
        (folder / "b.mov").write_bytes(b"b" * 10)  # seen by the re-armed observer alone
        assert rec.wait(lambda ev: ("ready", folder / "b.mov", 10) in ev)
        assert w.folders == [folder]


def test_thread_safe_under_concurrent_add_remove(tmp_path):
    """Folders added and removed from several threads while files land: no errors, and every
    file in the folder that stays watched is reported exactly once."""
    stay = (tmp_path / "stay").resolve()
    stay.mkdir()
    churn = [(tmp_path / f"churn{i}").resolve() for i in range(4)]
    for c in churn:
        c.mkdir()
        (c / "x.mov").write_bytes(b"x")
    rec = Recorder()
    errors: list[BaseException] = []
    with _watcher(rec, stable_seconds=0.4, rescan_interval=0.2) as w:
        w.add(stay)

        def churner(folder: Path) -> None:
            try:
                for _ in range(30):
                    w.add(folder, polling=bool(_ % 2))
                    w.remove(folder)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=churner, args=(c,)) for c in churn]
        for t in threads:
            t.start()
        for i in range(10):
            (stay / f"clip{i}.mov").write_bytes(os.urandom(100))
        for t in threads:
            t.join()
        assert rec.wait(lambda ev: len({e[1] for e in ev if e[0] == "ready" and e[1].parent == stay}) == 10)
        time.sleep(1.0)
        assert w.folders == [stay]
    assert errors == []
    ready = [e[1] for e in rec.of("ready") if e[1].parent == stay]
    assert sorted(ready) == sorted(stay / f"clip{i}.mov" for i in range(10))  # once each


def test_stop_from_a_callback(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.mov").write_bytes(b"a")
    done = threading.Event()
    holder: dict[str, FolderWatcher] = {}

    def on_ready(path: Path) -> None:
        holder["w"].stop()
        done.set()

    holder["w"] = FolderWatcher(on_ready, stable_seconds=0.2, check_interval=0.05)
    holder["w"].add(folder)
    holder["w"].start()
    assert done.wait(5)
    holder["w"].stop()


def test_copy_that_stalls_is_reported_again_when_it_completes(tmp_path):
    """A copy that pauses longer than stable_seconds is reported early (nothing can tell it
    from a finished file); when it grows again it is reported again with its full size, so
    ingest retries the file it failed as truncated."""
    folder = (tmp_path / "slow nas").resolve()
    folder.mkdir()
    rec = Recorder()
    with _watcher(rec, stable_seconds=0.4) as w:
        w.add(folder)
        time.sleep(0.2)
        path = folder / "A001.mov"
        with path.open("wb") as fh:
            fh.write(b"a" * 1000)
            fh.flush()
            assert rec.wait(lambda ev: ("ready", path, 1000) in ev)  # the stall
            fh.write(b"b" * 1000)
        assert rec.wait(lambda ev: ("ready", path, 2000) in ev)
        time.sleep(0.8)
    assert rec.of("ready") == [("ready", path, 1000), ("ready", path, 2000)]
