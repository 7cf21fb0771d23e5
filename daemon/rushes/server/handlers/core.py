"""Health, projects, ingest, jobs, watch folders and media: the foundation's RPCs."""
from __future__ import annotations

from typing import Any, Iterator

from rushes.catalog import projects, texts
from rushes.errors import InvalidArgument
from rushes.jobs.queue import TERMINAL
from rushes.server import convert
from rushes_proto.v1 import rushes_pb2 as pb

VALID_STATUSES = ("queued", "analysing", "ready", "failed", "offline")
VALID_STATES = ("queued", "running", "done", "failed", "cancelled")


def _job_id(text: str) -> int:
    if not text or not text.strip().isdigit():
        raise InvalidArgument(f"bad job id {text!r}: job ids are numbers (see `rushes jobs`)")
    return int(text)


class CoreHandlers:
    app: Any

    def Health(self, request: pb.HealthRequest, context: Any) -> pb.HealthResponse:
        app = self.app
        queued, running = app.jobs.depth()
        stores = [pb.StoreInfo(name="catalog", engine="sqlite", location=str(app.settings.catalog_path), ok=True,
                               detail=f"schema {app.catalog.version()}, WAL")]
        try:
            store = app.vectors
            engine, location = app.stores.vector_engine()
            counts = ", ".join(f"{c}: {store.count(c)}" for c in store.collections())
            stores.append(pb.StoreInfo(name="vectors", engine=engine, location=location, ok=True, detail=counts))
        except Exception as exc:
            engine, location = app.stores.vector_engine()
            stores.append(pb.StoreInfo(name="vectors", engine=engine, location=location, ok=False, detail=str(exc)))
        models, fallbacks = _models(app)
        return pb.HealthResponse(
            version=app.version(), data_folder=str(app.settings.home), stores=stores, models=models,
            queue_depth=queued, running_jobs=running, address=app.settings.address, threads=app.settings.threads,
            fallbacks=fallbacks, schema_version=app.catalog.version(),
        )

    # ---------------------------------------------------------------- projects
    def ListProjects(self, request: pb.ListProjectsRequest, context: Any) -> pb.ListProjectsResponse:
        rows = self.app.catalog.query(
            "SELECT p.id, p.name, COUNT(pm.media_id) AS n FROM projects p "
            "LEFT JOIN project_media pm ON pm.project_id=p.id GROUP BY p.id ORDER BY p.name")
        return pb.ListProjectsResponse(projects=[pb.Project(id=str(r["id"]), name=r["name"], media_count=r["n"]) for r in rows])

    def CreateProject(self, request: pb.CreateProjectRequest, context: Any) -> pb.Project:
        pid = self.app.project_id(request.name, create=True)
        return pb.Project(id=str(pid), name=request.name)

    # ---------------------------------------------------------------- ingest and jobs
    def Ingest(self, request: pb.IngestRequest, context: Any) -> pb.IngestResponse:
        params = {}
        if request.shots_model:
            if request.shots_model not in ("off", "auto", "full"):
                raise InvalidArgument(f"shots_model must be off, auto or full, got {request.shots_model!r}")
            params["shots_model"] = request.shots_model
        project = request.project or "default"
        outcome = self.app.ingest.submit(project, list(request.paths), params)
        return pb.IngestResponse(
            jobs=[convert.job(self.app.jobs.get(j), project) for j in outcome.jobs],
            skipped=[pb.SkippedFile(path=s.path, reason=s.reason) for s in outcome.skipped],
        )

    def _job_pb(self, snap: Any) -> pb.Job:
        return convert.job(snap, projects.project_name(self.app.catalog.connect(), snap.project_id))

    def ListJobs(self, request: pb.ListJobsRequest, context: Any) -> pb.ListJobsResponse:
        for s in request.states:
            if s not in VALID_STATES:
                raise InvalidArgument(f"unknown job state {s!r}: use one of {', '.join(VALID_STATES)}")
        pid = self.app.project_id(request.project) if request.project else None
        snaps = self.app.jobs.list(pid, list(request.states), request.limit)
        return pb.ListJobsResponse(jobs=[self._job_pb(s) for s in snaps])

    def GetJob(self, request: pb.GetJobRequest, context: Any) -> pb.Job:
        return self._job_pb(self.app.jobs.get(_job_id(request.id)))

    def FollowJob(self, request: pb.FollowJobRequest, context: Any) -> Iterator[pb.Job]:
        job_id = _job_id(request.id)
        jobs = self.app.jobs
        seen = -1
        last = None
        while context.is_active():
            snap = jobs.get(job_id)
            message = self._job_pb(snap)
            if message != last:
                yield message
                last = message
            if snap.state in TERMINAL:
                return
            seen = jobs.wait_change(seen if seen >= 0 else snap.version, timeout=1.0)

    def CancelJob(self, request: pb.CancelJobRequest, context: Any) -> pb.Job:
        return self._job_pb(self.app.jobs.cancel(_job_id(request.id)))

    # ---------------------------------------------------------------- watch folders
    def AddWatchFolder(self, request: pb.AddWatchFolderRequest, context: Any) -> pb.WatchFolder:
        return convert.watch_folder(self.app.watch.add(request.project or "default", request.path, request.polling))

    def RemoveWatchFolder(self, request: pb.RemoveWatchFolderRequest, context: Any) -> pb.RemoveWatchFolderResponse:
        return pb.RemoveWatchFolderResponse(removed=self.app.watch.remove(request.project or "default", request.path))

    def ListWatchFolders(self, request: pb.ListWatchFoldersRequest, context: Any) -> pb.ListWatchFoldersResponse:
        return pb.ListWatchFoldersResponse(folders=[convert.watch_folder(w) for w in self.app.watch.list(request.project)])

    # ---------------------------------------------------------------- media
    def ListMedia(self, request: pb.ListMediaRequest, context: Any) -> pb.ListMediaResponse:
        for s in request.statuses:
            if s not in VALID_STATUSES:
                raise InvalidArgument(f"unknown media status {s!r}: use one of {', '.join(VALID_STATUSES)}")
        sql = "SELECT m.* FROM media m"
        params: list[Any] = []
        where = []
        if request.project:
            pid = self.app.project_id(request.project)
            sql += " JOIN project_media pm ON pm.media_id=m.id"
            where.append("pm.project_id=?")
            params.append(pid)
        if request.statuses:
            where.append(f"m.status IN ({','.join('?' * len(request.statuses))})")
            params.extend(request.statuses)
        if where:
            sql += " WHERE " + " AND ".join(where)
        conn = self.app.catalog.connect()
        rows = conn.execute(sql + " ORDER BY m.id", params).fetchall()
        return pb.ListMediaResponse(media=[convert.media(r, projects.media_projects(conn, r["id"]),
                                                         texts.slate(conn, int(r["id"]))) for r in rows])

    def GetMedia(self, request: pb.GetMediaRequest, context: Any) -> pb.Media:
        row = self.app.resolve_media(request.media, request.project)
        conn = self.app.catalog.connect()
        return convert.media(row, projects.media_projects(conn, row["id"]), texts.slate(conn, int(row["id"])))


def _models(app: Any) -> tuple[list[pb.Model], list[str]]:
    """Models present and fallbacks in use, from the registry when it is part of this build."""
    try:
        from rushes.models import registry
    except ImportError:
        return [], ["models: registry not available in this build"]
    try:
        infos = registry.list_models(app.settings)
        fallbacks = list(registry.fallbacks(app.settings))
    except Exception as exc:  # health must answer even when a model folder is broken
        return [], [f"models: cannot list ({exc})"]
    out = []
    for m in infos:
        out.append(pb.Model(
            name=m.name, version=str(getattr(m, "version", "")), task=str(getattr(m, "task", "")),
            source=str(getattr(m, "source", "")), licence=str(getattr(m, "licence", "")),
            dimensions=int(getattr(m, "dimensions", 0) or 0), present=bool(getattr(m, "present", False)),
            path=str(getattr(m, "path", "") or ""), detail=str(getattr(m, "detail", "") or ""),
            fallback=bool(getattr(m, "fallback", False)),
        ))
    return out, fallbacks
