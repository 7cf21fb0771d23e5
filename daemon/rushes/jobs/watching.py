"""Watch folders: persisted per project, restored at start, their ready files ingested.

The folder watcher (ingest/watch.py) reports files once they stop growing, deletions and
moves; this service turns those into ingest requests and media status changes, and keeps
the watch_folders table in step with what is watched.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rushes.catalog import media_rows
from rushes.errors import InvalidArgument, clip
from rushes.ingest.roots import check_root
from rushes.ingest.decodable import copy_complete
from rushes.ingest.watch import FolderWatcher
from rushes.jobs.ingest import IngestService, abspath, project_id
from rushes.jobs.stores import Stores

log = logging.getLogger("rushes.watch")


@dataclass(frozen=True)
class WatchFolder:
    id: int
    project: str
    path: str
    polling: bool


class WatchService:
    """The watched folders of every project, and what happens when footage lands in one."""

    def __init__(self, stores: Stores, ingest: IngestService) -> None:
        self.stores = stores
        self.ingest = ingest
        self.watcher: FolderWatcher | None = None
        self._lock = threading.Lock()
        self._incomplete: dict[Path, float] = {}            # path -> when first seen cut short
        self._timers: dict[Path, threading.Timer] = {}      # the give-up re-check per waiting path

    def start(self) -> None:
        """Start watching every folder recorded in the catalog (a missing one is logged, not fatal)."""
        settings = self.stores.settings
        self.watcher = FolderWatcher(on_ready=self._on_ready, on_deleted=self._on_deleted, on_moved=self._on_moved,
                                     stable_seconds=float(settings.get("stable_seconds", 2.0)),
                                     rescan_interval=float(settings.get("rescan_interval_s", 300.0)),
                                     poll_interval=float(settings.get("poll_interval_s", 5.0)))
        for row in self.stores.catalog.query("SELECT DISTINCT path, polling FROM watch_folders"):
            try:
                self.watcher.add(check_root(Path(row["path"]), settings.allowed_roots), polling=bool(row["polling"]))
            except InvalidArgument as exc:  # saved by an older version, or the allow-list changed
                log.warning("not watching %s: %s", row["path"], exc)
            except OSError as exc:
                log.warning("cannot watch %s: %s", row["path"], exc)
        self.watcher.start()

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        with self._lock:
            timers, self._timers = list(self._timers.values()), {}
        for timer in timers:
            timer.cancel()

    def _complete(self, path: Path) -> bool:
        """A stable file that is still cut short waits (no job, so no failed job in the history).

        It is reported again when its copy resumes (size and mtime change); if it never does, it
        is ingested after `incomplete_wait_s` anyway and fails there with the reason.
        """
        try:
            problem = copy_complete(path)
        except Exception as exc:  # the check must never keep a file from its ingest job, which reports it
            log.warning("watch: cannot tell whether %s is complete (%s); ingesting it", path, exc)
            problem = None
        now = time.monotonic()
        with self._lock:
            first = self._incomplete.get(path)
            if problem is None:
                self._incomplete.pop(path, None)
                timer = self._timers.pop(path, None)
                if timer is not None:
                    timer.cancel()
                return True
            wait = float(self.stores.settings.get("incomplete_wait_s", 600.0))
            if first is not None and now - first >= wait:
                self._incomplete.pop(path, None)
                self._timers.pop(path, None)
                return True
            if first is None:
                self._incomplete[path] = now
                first = now
            if path not in self._timers:
                timer = threading.Timer(max(0.0, wait - (now - first)) + 0.1, self._on_ready, [path])
                timer.daemon = True
                self._timers[path] = timer
                timer.start()
        log.info("watch: %s looks like a copy still in progress (%s); waiting for it", path, problem.reason)
        return False

    # ------------------------------------------------------------------ the editor's requests
    def add(self, project: str, path: str, polling: bool) -> WatchFolder:
        p = abspath(path)
        if not p.is_dir():
            raise InvalidArgument(f"{clip(str(p))}: not a folder; `rushes watch add` takes a folder")
        check_root(p, self.stores.settings.allowed_roots)
        pid = project_id(self.stores, project, create=True)
        with self.stores.catalog.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO watch_folders(project_id, path, polling, created_at) "
                         "VALUES (?,?,?,strftime('%s','now'))", (pid, str(p), int(polling)))
            conn.execute("UPDATE watch_folders SET polling=? WHERE project_id=? AND path=?", (int(polling), pid, str(p)))
            row = conn.execute("SELECT id FROM watch_folders WHERE project_id=? AND path=?", (pid, str(p))).fetchone()
        if self.watcher is not None:
            self.watcher.add(p, polling=polling)
        return WatchFolder(id=int(row["id"]), project=project, path=str(p), polling=polling)

    def remove(self, project: str, path: str) -> bool:
        p = abspath(path)
        pid = project_id(self.stores, project)
        with self.stores.catalog.transaction() as conn:
            n = conn.execute("DELETE FROM watch_folders WHERE project_id=? AND path=?", (pid, str(p))).rowcount
            others = conn.execute("SELECT 1 FROM watch_folders WHERE path=?", (str(p),)).fetchone()
        if n and not others and self.watcher is not None:
            self.watcher.remove(p)
        return bool(n)

    def folders(self, project: str = "") -> list[WatchFolder]:
        sql = "SELECT w.id, w.path, w.polling, p.name FROM watch_folders w JOIN projects p ON p.id=w.project_id"
        params: tuple[str, ...] = ()
        if project:
            sql += " WHERE p.name=?"
            params = (project,)
        return [WatchFolder(id=int(r["id"]), project=r["name"], path=r["path"], polling=bool(r["polling"]))
                for r in self.stores.catalog.query(sql + " ORDER BY w.path", params)]

    # ------------------------------------------------------------------ the watcher's events
    def _projects_watching(self, path: Path) -> list[str]:
        rows = self.stores.catalog.query(
            "SELECT DISTINCT p.name, w.path FROM watch_folders w JOIN projects p ON p.id=w.project_id")
        return [r["name"] for r in rows if str(path).startswith(r["path"].rstrip("/") + "/") or str(path) == r["path"]]

    def _on_ready(self, path: Path) -> None:
        if not self._complete(Path(path)):
            return
        for project in self._projects_watching(Path(path)) or ["default"]:
            try:
                self.ingest.submit(project, [str(path)])
            except Exception as exc:  # a watch event must never kill the watcher thread
                log.warning("watch: cannot ingest %s: %s", path, exc)

    def _on_deleted(self, path: Path) -> None:
        with self.stores.catalog.transaction() as conn:
            media_rows.copy_gone(conn, str(path))  # offline only when no other copy remains

    def _on_moved(self, src: Path, dst: Path) -> None:
        with self.stores.catalog.transaction() as conn:
            media_rows.copy_moved(conn, str(src), str(dst))
        # A move into a watched folder from outside is a new file there.
        if not self.stores.catalog.query_one("SELECT 1 FROM media_paths WHERE path=?", (str(dst),)):
            self._on_ready(dst)
