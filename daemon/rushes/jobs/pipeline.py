"""The ingest job: probe, then the analysis steps, each stored before the next starts.

Steps after `probe` live in their own packages and are imported lazily, so a daemon whose
feature has not landed (or whose optional stack is missing) still ingests and reports what it
skipped. A step is skipped when its stage row already holds the current version: that is how a
resumed job avoids redoing work and how a new model re-does only what depends on it.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import logging
import sqlite3
import traceback
from typing import Any
from pathlib import Path
from types import ModuleType
from typing import Callable

from rushes.catalog import media_rows, projects
from rushes.diskspace import is_disk_full_error
from rushes.errors import RushesError
from rushes.steps import stages
from rushes.steps.context import JobCancelled, StepContext, StepFailed
from rushes.jobs.queue import JobQueue, JobSnapshot
from rushes.jobs.stores import Stores

log = logging.getLogger("rushes.pipeline")

# (step name, module with run(ctx), whether it needs a video stream)
INGEST_STEPS: tuple[tuple[str, str | None, bool], ...] = (
    ("probe", None, False),
    ("analyse", "rushes.shots.step", True),
    ("faces", "rushes.faces.step", True),
    ("embed", "rushes.embed.step", True),
    ("speech", "rushes.speech.step", False),
    ("ocr", "rushes.ocr.step", True),
    ("text_index", "rushes.search.step", False),
    ("highlights", "rushes.highlights.step", False),
    ("cluster", "rushes.clustering.step", False),
)
PROBE_VERSION = "probe-1"


def ingest_step_names() -> list[str]:
    return [name for name, _, _ in INGEST_STEPS]


def _load(module_name: str) -> ModuleType | None:
    """The step's module, or None when that feature is not part of this build."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            return None
        raise


def _failed_key(path: str) -> str:
    """Identity for a file we could not read: by path, so two broken files never merge."""
    return "unread:" + hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()


def _close_consumers(ctx: StepContext) -> None:
    """Stop frame consumers' worker threads (a face sampler runs dlib in one) when a job ends
    early: a native thread still running at interpreter exit aborts the daemon."""
    for consumer in ctx.scratch.get("frame_consumers", []) or []:
        close = getattr(consumer, "close", None)
        if close is not None:
            try:
                close()
            except Exception as exc:  # closing is best effort; the job's own outcome stands
                log.debug("closing consumer %r: %s", consumer, exc)


class IngestRunner:
    """Runs one ingest job; called by a JobQueue worker thread."""

    def __init__(self, stores: Stores) -> None:
        self.stores = stores

    def __call__(self, queue: JobQueue, snap: JobSnapshot) -> None:
        if snap.kind != "ingest":
            queue.finish(snap.id, "failed", error=f"unknown job kind {snap.kind!r}")
            return
        step_states = {name: state for name, state, _, _ in snap.steps}
        ctx = StepContext(
            catalog=self.stores.catalog, vectors=self.stores.vectors, settings=self.stores.settings, media=None,  # type: ignore[arg-type]
            project_id=int(snap.project_id or 0), job_id=snap.id,
            is_cancelled=lambda: queue.is_cancelled(snap.id), params=dict(snap.params),
        )
        media_id = snap.media_id
        if "probe" not in step_states and media_id:
            # A media already analysed that joined another project: only the project-level steps run.
            ctx.media = self._media_row(media_id)
        current = "probe"
        try:
            for name, module_name, needs_video in INGEST_STEPS:
                if name not in step_states:
                    continue
                current = name
                if step_states[name] == "done":
                    if name == "probe" and media_id:
                        ctx.media = self._media_row(media_id)
                    continue
                self._check_space()
                queue.set_step(snap.id, name, "running", 0.0)
                ctx.report = self._reporter(queue, snap.id, name)
                if name == "probe":
                    media_id = self._probe(queue, snap, ctx)
                    if media_id is None:
                        return
                else:
                    self._run_step(ctx, name, module_name, needs_video, step_states)
                queue.set_step(snap.id, name, "done", 1.0)
            with self.stores.catalog.transaction() as conn:
                conn.execute("UPDATE media SET status='ready', reason=NULL WHERE id=? AND status<>'offline'",
                             (int(media_id),))  # type: ignore[arg-type]
            queue.finish(snap.id, "done", message=f"media {media_id} ready")
        except Exception as exc:
            if queue.stopping:
                # Daemon shutting down (a step may fail because its stores are closing under it):
                # leave the job to resume at the next start; nothing half-written was committed.
                log.info("job %s interrupted by shutdown during %s (%s)", snap.id, current, type(exc).__name__)
                queue.update(snap.id, state="queued", message="interrupted by shutdown; resumes at next start")
                queue.set_step(snap.id, current, "queued")
                return
            self._on_error(queue, snap, media_id, current, exc)
        finally:
            _close_consumers(ctx)

    def _on_error(self, queue: JobQueue, snap: JobSnapshot, media_id: int | None, current: str,
                  exc: Exception) -> None:
        """Cancelled jobs end cancelled, and so does their media (not failed: nothing is wrong with
        the file, and the next Ingest or watch event takes it up again where it stopped);
        anything else fails this file's job, never the daemon."""
        if isinstance(exc, JobCancelled):
            if media_id:  # first, so whoever sees the job end sees its media cancelled too
                with self.stores.catalog.transaction() as conn:
                    media_rows.set_media_status(conn, int(media_id), "cancelled",
                                                f"{snap.path}: cancelled during {current}")
            queue.finish(snap.id, "cancelled", message=f"cancelled during {current}")
        elif is_disk_full_error(exc):
            self._fail(queue, snap, media_id, current, self.stores.disk.message())
        elif isinstance(exc, (StepFailed, RushesError, OSError)):
            self._fail(queue, snap, media_id, current, str(exc))
        else:  # a bug in a step: keep the trace in the log, give the editor one line
            log.error("step %s crashed on %s: %s", current, snap.path, "".join(traceback.format_exception(exc)))
            self._fail(queue, snap, media_id, current, f"{snap.path}: {current} failed: {type(exc).__name__}: {exc}")

    def _reporter(self, queue: JobQueue, job_id: int, step: str) -> Callable[..., None]:
        """A step's progress callback that also checks free space, so a full disk fails the job
        between writes rather than inside one."""

        def report(fraction: float, message: str = "") -> None:
            self._check_space()
            queue.report(job_id, step, fraction, message)

        return report

    def _check_space(self) -> None:
        """Fail the running job, cleanly, before a write could meet a full disk (see rushes.diskspace)."""
        self.stores.disk.check()

    def _media_row(self, media_id: int) -> sqlite3.Row:
        row = self.stores.catalog.query_one("SELECT * FROM media WHERE id=?", (int(media_id),))
        if row is None:
            raise StepFailed(f"media {media_id} is no longer in the catalog")
        return row

    # ------------------------------------------------------------------ steps
    def _run_step(self, ctx: StepContext, name: str, module_name: str | None, needs_video: bool,
                  step_states: dict[str, str] | None = None) -> None:
        assert module_name is not None
        ctx.media = self._media_row(ctx.media["id"])
        if needs_video and ctx.media["kind"] != "video":
            ctx.report(1.0, "audio-only media: no picture to analyse")
            return
        module = _load(module_name)
        if module is None:
            ctx.report(1.0, f"{name}: not available in this build")
            return
        version_fn = getattr(module, "current_version", None)
        if version_fn is not None:
            version = version_fn(ctx)
            done = stages.done_version(self.stores.catalog.connect(), int(ctx.media["id"]), name)
            if version is not None and done == version:
                ctx.report(1.0, f"{name}: up to date ({version})")
                return
        if getattr(module, "RUNS_DECODE_PASS", False):
            # The one decode pass feeds every step still to run that asks for frames or audio.
            ctx.scratch["frame_consumers"] = self._pending_consumers(ctx, step_states, after=name)
        module.run(ctx)

    def _pending_consumers(self, ctx: StepContext, step_states: dict[str, str] | None, after: str) -> list:
        """Consumers of the decode pass from every step after `after` that this job still runs.

        A step module offers them with `make_consumers(ctx) -> list` (frame consumers, audio
        consumers, or objects that are both; see rushes.decode). A step already up to date is
        not asked; a step that runs without them (resumed job, or no step ran the pass) must
        rebuild its input itself.
        """
        names = [n for n, _, _ in INGEST_STEPS]
        consumers: list = []
        conn = self.stores.catalog.connect()
        for name, module_name, needs_video in INGEST_STEPS[names.index(after) + 1:]:
            if module_name is None or (step_states is not None and step_states.get(name) in (None, "done")):
                continue
            if needs_video and ctx.media["kind"] != "video":
                continue
            module = _load(module_name)
            make = getattr(module, "make_consumers", None) if module is not None else None
            if make is None:
                continue
            version_fn = getattr(module, "current_version", None)
            if version_fn is not None:
                version = version_fn(ctx)
                if version is not None and stages.done_version(conn, int(ctx.media["id"]), name) == version:
                    continue
            consumers.extend(c for c in (make(ctx) or []) if c is not None)
        return consumers

    def _probe(self, queue: JobQueue, snap: JobSnapshot, ctx: StepContext) -> int | None:
        from rushes.ingest.fingerprint import fingerprint
        from rushes.ingest.decodable import check_decodable
        from rushes.ingest.probe import ProbeError, probe

        path = Path(snap.path or "")
        spath = str(path)
        try:
            st = path.stat()
            ctx.progress(0.05, "fingerprint")
            fp = fingerprint(path)
            ctx.progress(0.2, "probe")
            result = probe(path)
            if result.kind == "video":
                ctx.progress(0.5, "checking the stream decodes")
                check_decodable(path, result)
        except (ProbeError, OSError) as exc:
            text = str(exc) if isinstance(exc, ProbeError) or not exc.strerror else exc.strerror
            reason = text if text.startswith(spath) else f"{spath}: {text}"  # the path once, not twice
            with self.stores.catalog.transaction() as conn:
                media_id = media_rows.upsert_media(conn, fingerprint=_failed_key(spath), path=spath, size=None, mtime=None,
                                                probe=None, status="failed", reason=reason)
                projects.link_media(conn, ctx.project_id, media_id)
                conn.execute("UPDATE jobs SET media_id=? WHERE id=?", (media_id, snap.id))
            queue.set_step(snap.id, "probe", "failed", error=reason)
            queue.finish(snap.id, "failed", error=reason)
            return None
        probe_dict = result.to_dict()

        with self.stores.catalog.transaction() as conn:
            existing = conn.execute("SELECT id, path, status FROM media WHERE fingerprint=?", (fp,)).fetchone()
            if existing is not None and existing["path"] != spath:
                log.info("media %s moved or renamed: %s -> %s", existing["id"], existing["path"], spath)
            if existing is None:
                self._adopt_grown(conn, spath, st.st_size, fp)
            media_id = media_rows.upsert_media(
                conn, fingerprint=fp, path=spath, size=st.st_size, mtime=st.st_mtime,
                probe={k: probe_dict.get(k) for k in media_rows.MEDIA_FIELDS},
                status="analysing", reason=None, probe_json=json.dumps(probe_dict, default=str),
            )
            # A file that failed before under this path and now reads: drop the placeholder.
            conn.execute("DELETE FROM media WHERE fingerprint=? AND id<>?", (_failed_key(spath), media_id))
            media_rows.add_path(conn, media_id, spath, st.st_size, st.st_mtime)
            projects.link_media(conn, ctx.project_id, media_id)
            conn.execute("UPDATE jobs SET media_id=? WHERE id=?", (media_id, snap.id))
            stages.mark_done(conn, media_id, "probe", PROBE_VERSION)
        ctx.media = self._media_row(media_id)
        return media_id

    @staticmethod
    def _adopt_grown(conn: Any, spath: str, size: int, fp: str) -> None:
        """A file that grew at the same path after it was ingested (a recording still being
        written, a copy that resumed) is the same media with more in it: it takes the new
        fingerprint and every stage is redone, instead of a second media for one file."""
        row = conn.execute(
            "SELECT m.id, mp.size, (SELECT COUNT(*) FROM media_paths o WHERE o.media_id=m.id) AS copies "
            "FROM media_paths mp JOIN media m ON m.id=mp.media_id WHERE mp.path=? AND m.fingerprint NOT LIKE 'unread:%' "
            "ORDER BY m.id DESC LIMIT 1", (spath,)).fetchone()
        if row is None or row["size"] is None or size <= int(row["size"]) or int(row["copies"]) > 1:
            return
        log.info("media %s grew at %s (%s -> %s bytes): analysing it again as the same media",
                 row["id"], spath, row["size"], size)
        conn.execute("UPDATE media SET fingerprint=? WHERE id=?", (fp, int(row["id"])))
        stages.clear(conn, int(row["id"]))

    def _fail(self, queue: JobQueue, snap: JobSnapshot, media_id: int | None, step: str, reason: str) -> None:
        if snap.path and snap.path not in reason:
            reason = f"{snap.path}: {reason}"
        try:
            queue.set_step(snap.id, step, "failed", error=reason)
            queue.finish(snap.id, "failed", error=reason)
            if media_id:
                with self.stores.catalog.transaction() as conn:
                    media_rows.set_media_status(conn, int(media_id), "failed", reason)
        except Exception as exc:
            if not is_disk_full_error(exc):
                raise
            # Not even the failure could be written: the job stays 'running' in the catalog and
            # is resumed at the next start (its committed steps are not redone).
            log.error("job %s: cannot record its failure (%s): %s", snap.id, reason, exc)
