"""Watch folders for new footage; report a file only once it has stopped growing.

Why this shape: an editor copies a 60 GB card into a watched folder and the copy takes
minutes. Filesystem events arrive on the first byte, so an event alone must never start an
ingest: each candidate waits until its size and mtime have not changed for `stable_seconds`
(default 2 s), and only then is `on_ready(path)` called. inotify (watchdog's native Observer)
covers local disks; network shares do not deliver events, so a folder can be watched with
watchdog's PollingObserver instead, and every folder is also rescanned periodically, which
catches whatever both missed (a NAS that dropped off, files changed while the daemon was down).

Clutter follows the scan rules (rushes.ingest.scan): sidecars, hidden files and images are
never reported. The watcher only stats, lists and (for unknown extensions) sniffs 64 bytes:
it never writes into a watched folder.

All callbacks run on one dispatcher thread, in the order things happened, so a consumer sees
`on_ready(a)` before `on_moved(a, b)`; a callback that raises is logged and the watch goes on.
"""
from __future__ import annotations

import logging
import os
import queue
import stat as statmod
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from rushes.ingest.scan import classify, scan

log = logging.getLogger(__name__)

ReadyCallback = Callable[[Path], None]
DeletedCallback = Callable[[Path], None]
MovedCallback = Callable[[Path, Path], None]


@dataclass
class _Watch:
    folder: Path
    polling: bool
    handle: ObservedWatch | None = None


@dataclass
class _Pending:
    size: int
    mtime_ns: int
    since: float  # monotonic time of the last change seen


@dataclass(frozen=True)
class _Known:
    size: int
    mtime_ns: int
    dev: int
    ino: int


def _stat(path: Path) -> os.stat_result | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st if statmod.S_ISREG(st.st_mode) else None


class _Handler(FileSystemEventHandler):
    """Turns watchdog's events into calls on the watcher (runs on observer threads)."""

    def __init__(self, watcher: FolderWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self.watcher._on_event(event)
        except Exception:  # an observer thread must never die
            log.exception("folder watch: could not handle %s", event)


class FolderWatcher:
    """Watches folders; calls back when media is ready, deleted or moved. Thread-safe.

    on_ready(path): a new or changed media file whose size and mtime held still for
        `stable_seconds`. Existing files found when a folder is added are reported too (once
        stable) unless `report_existing=False`; ingest's fingerprint makes a repeat free.
    on_deleted(path): a reported file is gone (deleted, or moved out of every watched folder).
    on_moved(src, dst): a reported file was renamed or moved inside the watched folders.
    """

    def __init__(self, on_ready: ReadyCallback, on_deleted: DeletedCallback | None = None,
                 on_moved: MovedCallback | None = None, *, stable_seconds: float = 2.0,
                 rescan_interval: float = 300.0, poll_interval: float = 5.0, check_interval: float = 0.25,
                 report_existing: bool = True) -> None:
        self.on_ready = on_ready
        self.on_deleted = on_deleted
        self.on_moved = on_moved
        self.stable_seconds = float(stable_seconds)
        self.rescan_interval = float(rescan_interval)
        self.poll_interval = float(poll_interval)
        self.check_interval = float(check_interval)
        self.report_existing = report_existing
        self._lock = threading.RLock()       # state: watches, pending, known
        self._obs_lock = threading.RLock()   # observers: start/stop/schedule/unschedule
        self._watches: dict[Path, _Watch] = {}
        self._pending: dict[Path, _Pending] = {}
        self._known: dict[Path, _Known] = {}
        self._baseline_pending: set[Path] = set()  # found at add() and report_existing=False
        self._scanned: set[Path] = set()  # watched folders whose first scan is done
        self._missing: set[Path] = set()  # watched folders that are gone for now
        self._calls: queue.Queue[tuple[Callable[..., None], tuple[Path, ...]]] = queue.Queue()
        self._tasks: queue.Queue[Path] = queue.Queue()  # folders to (re)scan on the worker
        self._observer: BaseObserver | None = None
        self._poller: BaseObserver | None = None
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()
        self._handler = _Handler(self)
        self._last_rescan = time.monotonic()

    # ---------------------------------------------------------------- public API

    @property
    def folders(self) -> list[Path]:
        with self._lock:
            return sorted(self._watches)

    def add(self, folder: str | os.PathLike[str], polling: bool = False) -> None:
        """Watch `folder` recursively; `polling=True` for network storage without events."""
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise NotADirectoryError(f"{path}: not a folder, cannot watch it")
        with self._obs_lock:
            with self._lock:
                old = self._watches.get(path)
                if old is not None and old.polling == polling:
                    return
                watch = _Watch(path, polling)
                self._watches[path] = watch
                self._scanned.discard(path)
            if old is not None:
                self._unschedule(old)
            self._schedule(watch)
        self._tasks.put(path)  # the first scan runs on the worker: add() never blocks on a NAS

    def remove(self, folder: str | os.PathLike[str]) -> None:
        """Stop watching `folder`; its files are forgotten (no on_deleted: they still exist)."""
        path = Path(folder).expanduser().resolve()
        with self._obs_lock:
            with self._lock:
                watch = self._watches.pop(path, None)
                if watch is None:
                    return
                self._scanned.discard(path)
                self._missing.discard(path)
                for table in (self._pending, self._known):
                    for p in [p for p in table if not self._inside_any(p)]:
                        del table[p]
            self._unschedule(watch)

    def start(self) -> None:
        """Start observers and the worker; idempotent."""
        with self._obs_lock:
            if self._worker is not None:
                return
            self._observer = Observer()
            self._poller = PollingObserver(timeout=self.poll_interval)
            with self._lock:
                watches = list(self._watches.values())
            for watch in watches:
                self._schedule(watch)
            self._observer.start()
            self._poller.start()
            self._last_rescan = time.monotonic()
            stop = threading.Event()
            self._stop = stop
            self._worker = threading.Thread(target=self._run, args=(stop,), name="rushes-folder-watch", daemon=True)
            self._worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop everything and wait for the threads; callbacks not yet delivered are dropped."""
        with self._obs_lock:
            observers = [o for o in (self._observer, self._poller) if o is not None]
            worker = self._worker
            self._observer = self._poller = None
            self._worker = None
            self._stop.set()
            with self._lock:
                for watch in self._watches.values():
                    watch.handle = None
        # Joined without holding our locks: an observer thread may be waiting for them.
        for obs in observers:
            obs.stop()
        for obs in observers:
            obs.join(timeout)
        if worker is not None and worker is not threading.current_thread():  # stop() from a callback
            worker.join(timeout)

    def rescan_now(self) -> None:
        """Ask the worker to rescan every folder at once (e.g. after a NAS comes back)."""
        for folder in self.folders:
            self._tasks.put(folder)

    def __enter__(self) -> FolderWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- internals

    # Lock order: `_obs_lock` (observer schedule/unschedule) may be held while taking `_lock`
    # (state), never the reverse -- watchdog holds its own lock while our handler waits for
    # `_lock`, so calling into an observer with `_lock` held would deadlock.

    def _schedule(self, watch: _Watch) -> None:
        """Arm the observer for `watch` (caller holds `_obs_lock`, not `_lock`)."""
        observer = self._poller if watch.polling else self._observer
        if observer is None:
            return  # not started: start() schedules every watch
        watch.handle = observer.schedule(self._handler, str(watch.folder), recursive=True)

    def _unschedule(self, watch: _Watch) -> None:
        """Disarm `watch` (caller holds `_obs_lock`, not `_lock`)."""
        handle, watch.handle = watch.handle, None
        observer = self._poller if watch.polling else self._observer
        if handle is None or observer is None:
            return
        try:
            observer.unschedule(handle)
        except (KeyError, ValueError):
            pass

    def _root_of(self, path: Path) -> Path | None:
        for folder in self._watches:
            if path == folder or folder in path.parents:
                return folder
        return None

    def _inside_any(self, path: Path) -> bool:
        return self._root_of(path) is not None

    def _wanted(self, path: Path) -> bool:
        """Media inside a watched folder, not in a hidden folder, not clutter (scan's rules)."""
        root = self._root_of(path)
        if root is None or path == root:
            return False
        if self._hidden_under(root, path):
            return False
        return classify(path).action == "media"

    @staticmethod
    def _hidden_under(root: Path, path: Path) -> bool:
        return any(part.startswith(".") for part in path.relative_to(root).parts)

    def _emit(self, callback: Callable[..., None] | None, *args: Path) -> None:
        if callback is not None:
            self._calls.put((callback, args))

    def _touch_pending(self, path: Path) -> None:
        """A change was seen: (re)start the stability clock for `path`."""
        st = _stat(path)
        if st is None:
            return
        self._pending[path] = _Pending(st.st_size, st.st_mtime_ns, time.monotonic())

    def _forget(self, path: Path) -> None:
        """`path` is gone: report it if it had been reported ready, and every file under it."""
        self._pending.pop(path, None)
        self._baseline_pending.discard(path)
        if path in self._known:
            del self._known[path]
            self._emit(self.on_deleted, path)
            return
        for p in [p for p in self._known if path in p.parents]:
            del self._known[p]
            self._emit(self.on_deleted, p)
        for p in [p for p in self._pending if path in p.parents]:
            del self._pending[p]

    def _move(self, src: Path, dst: Path, is_dir: bool) -> None:
        if is_dir:
            for p in sorted(p for p in list(self._known) if src in p.parents):
                self._move(p, dst / p.relative_to(src), False)
            for p in [p for p in self._pending if src in p.parents]:
                del self._pending[p]
                self._touch_pending(dst / p.relative_to(src))
            return
        known = self._known.pop(src, None)
        was_pending = self._pending.pop(src, None) is not None
        if known is None:
            if dst in self._known:
                return  # a sub-event of a folder move already handled
            if self._wanted(dst):
                self._touch_pending(dst)  # e.g. a copier's temp name renamed to the real name
            return
        if self._wanted(dst):
            st = _stat(dst)
            self._known[dst] = _Known(known.size, known.mtime_ns, st.st_dev if st else known.dev,
                                      st.st_ino if st else known.ino)
            self._emit(self.on_moved, src, dst)
            if was_pending:
                self._touch_pending(dst)
        else:
            self._emit(self.on_deleted, src)

    def _on_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write", "attrib") and not event.is_directory:
            return
        src = Path(os.fsdecode(event.src_path))
        with self._lock:
            if kind == "moved":
                self._move(src, Path(os.fsdecode(event.dest_path)), event.is_directory)
            elif kind == "deleted":
                if src in self._watches:
                    self._missing.add(src)  # re-armed by the rescan that finds it back
                self._forget(src)
            elif event.is_directory:
                if kind == "created":
                    self._tasks.put(src)  # a folder moved in: its files produce no events
            elif kind in ("created", "modified", "closed", "attrib"):
                if self._wanted(src):
                    self._touch_pending(src)

    def _check_pending(self) -> None:
        now = time.monotonic()
        ready: list[Path] = []
        with self._lock:
            for path, pending in list(self._pending.items()):
                st = _stat(path)
                if st is None:
                    self._forget(path)
                    continue
                if (st.st_size, st.st_mtime_ns) != (pending.size, pending.mtime_ns):
                    self._pending[path] = _Pending(st.st_size, st.st_mtime_ns, now)
                    continue
                if now - pending.since < self.stable_seconds or st.st_size == 0:
                    continue
                del self._pending[path]
                previous = self._known.get(path)
                self._known[path] = _Known(st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino)
                if path in self._baseline_pending:
                    self._baseline_pending.discard(path)
                    continue  # existed before the watch began and report_existing is off
                if previous is None or (previous.size, previous.mtime_ns) != (st.st_size, st.st_mtime_ns):
                    ready.append(path)
        for path in ready:
            self._emit(self.on_ready, path)

    def _rescan(self, folder: Path) -> None:
        """Compare a folder with what is known: new/changed -> pending, vanished -> deleted/moved."""
        with self._lock:
            root = self._root_of(folder)
            if root is None:
                return
            first_time = root not in self._scanned
        found: dict[Path, os.stat_result] = {}
        if folder != root and self._hidden_under(root, folder):
            return  # .Trashes, .Spotlight-V100 ...: never footage
        if folder == root:
            self._track_root(root, root.is_dir())
        if folder.is_dir():
            for entry in scan([folder]):
                if entry.action != "media":
                    continue
                st = _stat(entry.path)
                if st is not None:
                    found[entry.path] = st
        elif folder != root:
            return
        with self._lock:
            if self._root_of(folder) is None:
                return
            vanished = [p for p in self._known if (p == folder or folder in p.parents) and p not in found]
            fresh = {p: st for p, st in found.items() if p not in self._known and p not in self._pending}
            by_identity = {(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns): p for p, st in fresh.items()}
            for p in vanished:
                k = self._known[p]
                dst = by_identity.pop((k.dev, k.ino, k.size, k.mtime_ns), None)
                if dst is not None:
                    del self._known[p]
                    self._known[dst] = k
                    fresh.pop(dst, None)
                    self._emit(self.on_moved, p, dst)
                else:
                    self._forget(p)
            for p, st in found.items():
                k = self._known.get(p)
                if k is not None and (k.size, k.mtime_ns) != (st.st_size, st.st_mtime_ns) and p not in self._pending:
                    self._pending[p] = _Pending(st.st_size, st.st_mtime_ns, time.monotonic())
            for p, st in fresh.items():
                self._pending[p] = _Pending(st.st_size, st.st_mtime_ns, time.monotonic())
                if first_time and not self.report_existing:
                    self._baseline_pending.add(p)
            if folder == root:
                self._scanned.add(root)

    def _track_root(self, root: Path, present: bool) -> None:
        """A watched folder vanished (NAS unmounted, card ejected) or came back.

        While it is gone its files are reported deleted (media goes offline). When it returns,
        the observer is re-armed -- watchdog stops watching a folder that disappeared -- and the
        rescan reports its files again; ingest's fingerprints recognise them.
        """
        with self._lock:
            if not present:
                if root not in self._missing:
                    log.warning("watched folder %s is not reachable; its media is offline until it returns", root)
                self._missing.add(root)
                return
            if root not in self._missing:
                return
            self._missing.discard(root)
        log.info("watched folder %s is back", root)
        with self._obs_lock:
            with self._lock:
                watch = self._watches.get(root)
            if watch is None:
                return
            self._unschedule(watch)
            try:
                self._schedule(watch)
            except OSError as exc:
                log.warning("cannot watch %s again yet: %s (the periodic rescan goes on)", root, exc)

    def _drain_calls(self) -> None:
        while True:
            try:
                callback, args = self._calls.get_nowait()
            except queue.Empty:
                return
            try:
                callback(*args)
            except Exception:
                log.exception("folder watch: callback %s%s failed", getattr(callback, "__name__", callback), args)

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                folder = self._tasks.get(timeout=self.check_interval)
            except queue.Empty:
                folder = None
            try:
                if folder is not None:
                    self._rescan(folder)
                if self.rescan_interval > 0 and time.monotonic() - self._last_rescan >= self.rescan_interval:
                    self._last_rescan = time.monotonic()
                    for f in self.folders:
                        self._rescan(f)
                self._check_pending()
            except Exception:
                log.exception("folder watch: worker step failed")
            self._drain_calls()
