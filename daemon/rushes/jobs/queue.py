"""The persistent job queue: jobs and their steps live in the catalog, so nothing is lost on a crash.

A daemon killed with SIGKILL mid-job leaves the job 'running'; at the next start `recover()`
puts it back to 'queued', and the pipeline skips every step whose output was already committed
(stage rows are written in the same transaction as the output), so no work is lost or done twice.
Worker threads take queued jobs oldest first; their number follows RUSHES_THREADS.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from rushes.catalog import Catalog
from rushes.diskspace import DiskGuard, is_disk_full_error
from rushes.errors import FailedPrecondition, NotFound
from rushes.models import resident
from rushes.native_memory import release_free_memory

log = logging.getLogger("rushes.jobs")

TERMINAL = ("done", "failed", "cancelled")


@dataclass(frozen=True)
class JobSnapshot:
    id: int
    kind: str
    project_id: int | None
    media_id: int | None
    path: str | None
    state: str
    progress: float
    message: str
    error: str | None
    params: dict[str, Any]
    created_at: float
    started_at: float | None
    finished_at: float | None
    steps: tuple[tuple[str, str, float, str | None], ...]   # (name, state, progress, error)
    version: int = 0


Runner = Callable[["JobQueue", JobSnapshot], None]


class JobQueue:
    def __init__(self, catalog: Catalog, runner: Runner, workers: int = 1, space: DiskGuard | None = None,
                 models_idle_release_s: float = 0.0) -> None:
        self.catalog = catalog
        #: Once no job has run for this long, loaded models nobody asked for in that time are let
        #: go (rushes.models.resident); 0 keeps them for as long as the daemon runs.
        self.models_idle_release_s = max(0.0, float(models_idle_release_s))
        self._running = 0               # jobs the workers are running now
        self._idle_since = time.monotonic()
        self.space = space          # queued jobs wait while RUSHES_HOME is below its reserve
        self._recovered = False
        self._recover_lock = threading.Lock()
        self.runner = runner
        self.workers = max(1, workers)
        self._cond = threading.Condition()
        self._cancel: set[int] = set()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._version = 0          # bumps on every change; followers wait on it

    # ---------------------------------------------------------------- lifecycle
    def recover(self) -> int:
        """Jobs left 'running' by a dead daemon go back to the queue; returns how many.

        On a full disk this write cannot happen: the daemon starts anyway (reads work) and the
        workers retry it once space returns, before they take any job.
        """
        try:
            with self.catalog.transaction() as conn:
                n = conn.execute("UPDATE jobs SET state='queued', message='resumed after restart' WHERE state='running'").rowcount
                conn.execute("UPDATE job_steps SET state='queued', progress=0 WHERE state='running'")
        except Exception as exc:
            if not is_disk_full_error(exc):
                raise
            log.warning("cannot resume interrupted jobs yet: %s; serving read-only until space returns",
                        self.space.message() if self.space else exc)
            return 0
        self._recovered = True
        if n:
            log.info("resuming %d interrupted job(s)", n)
        return n

    @property
    def waiting_for_space(self) -> bool:
        """True while queued work waits for RUSHES_HOME to have its reserve free again."""
        return self.space is not None and not self.space.ok()

    def start(self) -> None:
        self.recover()
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"rushes-job-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask running jobs to stop at their next progress report; they resume at the next start."""
        self._stop.set()
        self._notify()
        for t in self._threads:
            t.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # ---------------------------------------------------------------- submit / query
    def submit(self, kind: str, *, project_id: int | None, path: str | None = None, media_id: int | None = None,
               steps: list[str], params: dict[str, Any] | None = None) -> int:
        now = time.time()
        with self.catalog.transaction() as conn:
            job_id = conn.execute(
                "INSERT INTO jobs(kind, project_id, media_id, path, state, params_json, created_at) "
                "VALUES (?, ?, ?, ?, 'queued', ?, ?)",
                (kind, project_id, media_id, path, json.dumps(params or {}), now),
            ).lastrowid
            assert job_id is not None
            conn.executemany(
                "INSERT INTO job_steps(job_id, position, name) VALUES (?, ?, ?)",
                [(job_id, i, name) for i, name in enumerate(steps)],
            )
        self._notify()
        return job_id

    def get(self, job_id: int) -> JobSnapshot:
        conn = self.catalog.connect()
        row = conn.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            raise NotFound(f"no job {job_id}: run `rushes jobs` to list them")
        steps = conn.execute(
            "SELECT name, state, progress, error FROM job_steps WHERE job_id=? ORDER BY position", (job_id,)
        ).fetchall()
        return JobSnapshot(
            id=row["id"], kind=row["kind"], project_id=row["project_id"], media_id=row["media_id"], path=row["path"],
            state=row["state"], progress=row["progress"], message=row["message"], error=row["error"],
            params=json.loads(row["params_json"] or "{}"), created_at=row["created_at"], started_at=row["started_at"],
            finished_at=row["finished_at"], steps=tuple((s[0], s[1], s[2], s[3]) for s in steps), version=self._version,
        )

    def list(self, project_id: int | None = None, states: list[str] | None = None, limit: int = 0) -> list[JobSnapshot]:
        sql = "SELECT id FROM jobs WHERE 1=1"
        params: list[Any] = []
        if project_id is not None:
            sql += " AND project_id=?"
            params.append(project_id)
        if states:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            params.extend(states)
        sql += " ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self.get(r[0]) for r in self.catalog.query(sql, tuple(params))]

    def depth(self) -> tuple[int, int]:
        """(queued, running)."""
        rows: dict[str, int] = {r[0]: int(r[1]) for r in self.catalog.query(
            "SELECT state, COUNT(*) FROM jobs WHERE state IN ('queued','running') GROUP BY state")}
        return int(rows.get("queued", 0)), int(rows.get("running", 0))

    def cancel(self, job_id: int) -> JobSnapshot:
        snap = self.get(job_id)
        if snap.state in TERMINAL:
            raise FailedPrecondition(f"job {job_id} is already {snap.state}; nothing to cancel")
        with self.catalog.transaction() as conn:
            changed = conn.execute(
                "UPDATE jobs SET state='cancelled', finished_at=?, message='cancelled' WHERE id=? AND state='queued'",
                (time.time(), job_id),
            ).rowcount
            if changed:
                conn.execute("UPDATE job_steps SET state='cancelled' WHERE job_id=? AND state='queued'", (job_id,))
        with self._cond:
            if not changed:
                self._cancel.add(job_id)
        self._notify()
        return self.get(job_id)

    def is_cancelled(self, job_id: int) -> bool:
        return job_id in self._cancel or self._stop.is_set()

    def wait_change(self, seen: int, timeout: float = 1.0) -> int:
        """Block until something changed after version `seen` (or timeout); returns the new version."""
        with self._cond:
            if self._version == seen:
                self._cond.wait(timeout)
            return self._version

    # ---------------------------------------------------------------- updates from the runner
    def set_step(self, job_id: int, name: str, state: str, progress: float | None = None, error: str | None = None) -> None:
        now = time.time()
        with self.catalog.transaction() as conn:
            conn.execute(
                "UPDATE job_steps SET state=?, progress=COALESCE(?, progress), error=?, "
                "started_at=CASE WHEN ?='running' AND started_at IS NULL THEN ? ELSE started_at END, "
                "finished_at=CASE WHEN ? IN ('done','failed','cancelled') THEN ? ELSE finished_at END "
                "WHERE job_id=? AND name=?",
                (state, progress, error, state, now, state, now, job_id, name),
            )
            self._refresh_progress(conn, job_id)
        self._notify()

    def report(self, job_id: int, step: str, fraction: float, message: str = "") -> None:
        with self.catalog.transaction() as conn:
            conn.execute("UPDATE job_steps SET progress=? WHERE job_id=? AND name=?", (fraction, job_id, step))
            self._refresh_progress(conn, job_id, message=message)
        self._notify()

    def update(self, job_id: int, **fields: Any) -> None:
        if not fields:
            return
        cols = ", ".join(f"{k}=?" for k in fields)
        with self.catalog.transaction() as conn:
            conn.execute(f"UPDATE jobs SET {cols} WHERE id=?", (*fields.values(), job_id))
        self._notify()

    def _refresh_progress(self, conn: Any, job_id: int, message: str | None = None) -> None:
        rows = conn.execute("SELECT state, progress FROM job_steps WHERE job_id=?", (job_id,)).fetchall()
        if rows:
            total = sum(1.0 if s == "done" else float(p or 0) for s, p in rows) / len(rows)
            if message is None:
                conn.execute("UPDATE jobs SET progress=? WHERE id=?", (total, job_id))
            else:
                conn.execute("UPDATE jobs SET progress=?, message=? WHERE id=?", (total, message, job_id))

    def _notify(self) -> None:
        with self._cond:
            self._version += 1
            self._cond.notify_all()

    # ---------------------------------------------------------------- workers
    def _claim(self) -> int | None:
        with self.catalog.transaction() as conn:
            row = conn.execute("SELECT id FROM jobs WHERE state='queued' ORDER BY id LIMIT 1").fetchone()
            if row is None:
                return None
            conn.execute("UPDATE jobs SET state='running', started_at=COALESCE(started_at, ?) WHERE id=?",
                         (time.time(), row[0]))
            return int(row[0])

    def _work(self) -> None:
        while not self._stop.is_set():
            if self.waiting_for_space:
                self._stop.wait(2.0)  # queued jobs wait; reads go on; checked again in 2 s
                continue
            if not self._recovered:
                with self._recover_lock:
                    if not self._recovered:
                        self.recover()
                if not self._recovered:
                    self._stop.wait(2.0)
                    continue
            try:
                job_id = self._claim()
            except Exception as exc:  # the catalog refused the write (disk filled by another program)
                if not is_disk_full_error(exc):
                    raise
                log.warning("cannot take the next job: %s", exc)
                self._stop.wait(2.0)
                continue
            if job_id is None:
                self._release_idle_models()
                with self._cond:
                    self._cond.wait(0.5)
                continue
            with self._cond:
                self._running += 1
            self._notify()
            try:
                self.runner(self, self.get(job_id))
            except Exception as exc:  # the runner handles its own failures; this is the last net
                log.exception("job %s crashed", job_id)
                self.finish(job_id, "failed", error=f"internal error: {exc}")
            finally:
                with self._cond:
                    self._cancel.discard(job_id)
                    self._running -= 1
                    self._idle_since = time.monotonic()
                release_free_memory()  # a job's transient peaks go back to the system, not to the next job

    def _release_idle_models(self) -> None:
        """With no job running for models_idle_release_s, let go of the models nobody asked for
        in that time and hand their pages back (checked every half second by idle workers)."""
        if not self.models_idle_release_s:
            return
        with self._cond:
            if self._running or time.monotonic() - self._idle_since < self.models_idle_release_s:
                return
        if resident.release_idle(self.models_idle_release_s):
            release_free_memory()

    def finish(self, job_id: int, state: str, *, error: str | None = None, message: str = "") -> None:
        with self.catalog.transaction() as conn:
            conn.execute(
                "UPDATE jobs SET state=?, error=?, message=?, finished_at=?, "
                "progress=CASE WHEN ?='done' THEN 1.0 ELSE progress END WHERE id=?",
                (state, error, message or state, time.time(), state, job_id),
            )
            if state != "done":
                conn.execute("UPDATE job_steps SET state=? WHERE job_id=? AND state IN ('queued','running')",
                             ("cancelled" if state == "cancelled" else "failed" if state == "failed" else state, job_id))
        self._notify()
