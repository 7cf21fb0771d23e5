"""The daemon's state in one object: settings, catalog, vectors, job queue, watcher.

Handlers reach everything through `self.app`; tests build an App on a temporary home and
drive the servicer directly or over a loopback port.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from rushes import __version__
from rushes.catalog import Catalog, media_rows, projects
from rushes.errors import InvalidArgument, NotFound
from rushes.jobs.pipeline import IngestRunner, abspath, catch_up, ingest_step_names, skip_reason_if_known
from rushes.jobs.queue import JobQueue
from rushes.settings import Settings

log = logging.getLogger("rushes.app")


class App:
    def __init__(self, settings: Settings, *, start_workers: bool = True, start_watcher: bool = True) -> None:
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog.open(settings.catalog_path)
        self._vectors: Any = None
        self._vectors_lock = threading.Lock()
        self.jobs = JobQueue(self.catalog, IngestRunner(self), workers=max(1, settings.threads // 2))
        self.watcher: Any = None
        if start_workers:
            self.jobs.start()
            try:
                catch_up(self)
            except Exception as exc:  # bringing old media up to date must never stop the daemon starting
                log.warning("could not queue the analysis added since media were ingested: %s", exc)
        if start_watcher:
            self._start_watcher()

    # ------------------------------------------------------------------ stores
    @property
    def vectors(self) -> Any:
        """Opened on first use, so a daemon without the vector stack still serves the catalog."""
        with self._vectors_lock:
            if self._vectors is None:
                from rushes.vectors import open_store

                self._vectors = open_store(self.settings)
            return self._vectors

    def vector_engine(self) -> tuple[str, str]:
        """(engine, location) as the open store reports them; from settings before it opens."""
        if self._vectors is not None:
            return str(self._vectors.engine), str(self._vectors.location)
        if self.settings.qdrant_url:
            return "qdrant-client", self.settings.qdrant_url
        return "qdrant-edge", str(self.settings.vectors_dir)

    # ------------------------------------------------------------------ lookups
    def project_id(self, name: str, *, create: bool = False) -> int:
        name = name or "default"
        if create:
            with self.catalog.transaction() as conn:
                return projects.ensure_project(conn, name)
        pid = projects.project_id(self.catalog.connect(), name)
        if pid is None:
            if name == "default":
                with self.catalog.transaction() as conn:
                    return projects.ensure_project(conn, name)
            raise NotFound(f"no project {name!r}: ingest into it first or run `rushes projects`")
        return pid

    def resolve_media(self, text: str, project: str | None = None) -> Any:
        return media_rows.resolve_media(self.catalog.connect(), text, project or None)

    # ------------------------------------------------------------------ ingest
    def ingest(self, project: str, paths: list[str], params: dict[str, Any] | None = None) -> tuple[list[int], list[tuple[str, str]]]:
        """One job per media file under `paths`; returns (job ids, [(path, skip reason)])."""
        from rushes.ingest.scan import scan

        if not paths:
            raise InvalidArgument("nothing to ingest: give one or more files or folders")
        roots = []
        for text in paths:
            p = abspath(text)
            if not p.exists():
                raise NotFound(f"{p}: no such file or folder")
            roots.append(p)
        pid = self.project_id(project, create=True)
        jobs: list[int] = []
        skipped: list[tuple[str, str]] = []
        for entry in scan(roots):
            path = Path(entry.path)
            if entry.action != "media":
                skipped.append((str(path), entry.reason))
                continue
            known = skip_reason_if_known(self, path)
            if known is not None:
                reason, media_id = known
                if media_id is not None and not self._in_project(pid, media_id):
                    # Already analysed, new to this project: link it and cluster it there.
                    with self.catalog.transaction() as conn:
                        projects.link_media(conn, pid, media_id)
                    jobs.append(self.jobs.submit("ingest", project_id=pid, path=str(path), media_id=media_id,
                                                 steps=["cluster"], params=params or {}))
                    continue
                skipped.append((str(path), reason))
                continue
            jobs.append(self.jobs.submit("ingest", project_id=pid, path=str(path), steps=ingest_step_names(),
                                         params=params or {}))
        return jobs, skipped

    def _in_project(self, pid: int, media_id: int) -> bool:
        return self.catalog.query_one("SELECT 1 FROM project_media WHERE project_id=? AND media_id=?",
                                      (pid, media_id)) is not None

    # ------------------------------------------------------------------ watch folders
    def _start_watcher(self) -> None:
        try:
            from rushes.ingest.watch import FolderWatcher
        except ImportError as exc:  # pragma: no cover - watchdog is part of the daemon extra
            log.warning("folder watching unavailable: %s", exc)
            return
        self.watcher = FolderWatcher(on_ready=self._on_ready, on_deleted=self._on_deleted, on_moved=self._on_moved,
                                     stable_seconds=float(self.settings.get("stable_seconds", 2.0)),
                                     rescan_interval=float(self.settings.get("rescan_interval_s", 300.0)),
                                     poll_interval=float(self.settings.get("poll_interval_s", 5.0)))
        for row in self.catalog.query("SELECT DISTINCT path, polling FROM watch_folders"):
            try:
                self.watcher.add(Path(row["path"]), polling=bool(row["polling"]))
            except OSError as exc:
                log.warning("cannot watch %s: %s", row["path"], exc)
        self.watcher.start()

    def _projects_watching(self, path: Path) -> list[str]:
        rows = self.catalog.query(
            "SELECT DISTINCT p.name, w.path FROM watch_folders w JOIN projects p ON p.id=w.project_id")
        return [r["name"] for r in rows if str(path).startswith(r["path"].rstrip("/") + "/") or str(path) == r["path"]]

    def _on_ready(self, path: Path) -> None:
        for project in self._projects_watching(Path(path)) or ["default"]:
            try:
                self.ingest(project, [str(path)])
            except Exception as exc:  # a watch event must never kill the watcher thread
                log.warning("watch: cannot ingest %s: %s", path, exc)

    def _on_deleted(self, path: Path) -> None:
        with self.catalog.transaction() as conn:
            conn.execute("UPDATE media SET status='offline', reason=? WHERE path=? AND status<>'failed'",
                         (f"{path}: file deleted or unreachable; analysis kept", str(path)))

    def _on_moved(self, src: Path, dst: Path) -> None:
        with self.catalog.transaction() as conn:
            conn.execute("UPDATE media SET path=?, reason=NULL, "
                         "status=CASE WHEN status='offline' THEN 'ready' ELSE status END WHERE path=?",
                         (str(dst), str(src)))
        # A move into a watched folder from outside is a new file there.
        if not self.catalog.query_one("SELECT 1 FROM media WHERE path=?", (str(dst),)):
            self._on_ready(dst)

    def add_watch(self, project: str, path: str, polling: bool) -> dict[str, Any]:
        p = abspath(path)
        if not p.is_dir():
            raise InvalidArgument(f"{p}: not a folder; `rushes watch add` takes a folder")
        pid = self.project_id(project, create=True)
        with self.catalog.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO watch_folders(project_id, path, polling, created_at) VALUES (?,?,?,strftime('%s','now'))",
                         (pid, str(p), int(polling)))
            conn.execute("UPDATE watch_folders SET polling=? WHERE project_id=? AND path=?", (int(polling), pid, str(p)))
            row = conn.execute("SELECT id FROM watch_folders WHERE project_id=? AND path=?", (pid, str(p))).fetchone()
        if self.watcher is not None:
            self.watcher.add(p, polling=polling)
        return {"id": int(row["id"]), "project": project, "path": str(p), "polling": polling}

    def remove_watch(self, project: str, path: str) -> bool:
        p = abspath(path)
        pid = self.project_id(project)
        with self.catalog.transaction() as conn:
            n = conn.execute("DELETE FROM watch_folders WHERE project_id=? AND path=?", (pid, str(p))).rowcount
            others = conn.execute("SELECT 1 FROM watch_folders WHERE path=?", (str(p),)).fetchone()
        if n and not others and self.watcher is not None:
            self.watcher.remove(p)
        return bool(n)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.jobs.stop()
        if self._vectors is not None:
            try:
                self._vectors.close()
            except Exception:  # pragma: no cover
                pass
        self.catalog.close()

    def version(self) -> str:
        return __version__
