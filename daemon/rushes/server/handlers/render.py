"""RenderHandlers: Render (source ranges or a compound clip -> H.264 + AAC files, as a job)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import grpc

from rushes.catalog import projects
from rushes.errors import InvalidArgument, NotFound
from rushes.highlights import compound
from rushes.highlights.timeline import media_fps
from rushes.jobs.render_job import output_to_params, step_names
from rushes.render.plan import RenderOutput, RenderSegment, check_range, even, output_folder, target
from rushes.server import convert
from rushes.server.handlers.highlights import has_audio
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb

MAX_SIDE = 3840


def _segment(media: sqlite3.Row, start: int, end: int) -> RenderSegment:
    check_range(int(media["id"]), str(media["path"]), start, end, int(media["frame_count"] or 0))
    return RenderSegment(int(media["id"]), str(media["path"]), start, end, media_fps(media), has_audio(media),
                         bool(media["variable_frame_rate"]), int(media["width"] or 0), int(media["height"] or 0),
                         has_video=media["kind"] == "video")


class RenderHandlers:
    app: App

    def _render_media(self, text: str, project: str) -> sqlite3.Row:
        try:
            return self.app.resolve_media(text, project or None)
        except NotFound as exc:
            raise InvalidArgument(str(exc)) from None

    def _source_folders(self) -> list[Path]:
        conn = self.app.catalog.connect()
        folders = {Path(str(r[0])).parent for r in conn.execute("SELECT path FROM media")}
        folders |= {Path(str(r[0])) for r in conn.execute("SELECT path FROM watch_folders")}
        return sorted(folders)

    def Render(self, request: pb.RenderRequest, context: grpc.ServicerContext) -> pb.RenderResponse:
        pid = self.app.project_id(request.project)
        if request.crf < 0 or request.crf > 51:
            raise InvalidArgument(f"crf must be 0..51 (0: the default), got {request.crf}")
        crf = request.crf or int(self.app.settings.get("render_crf", 20))
        jobs_of: list[tuple[str, list[RenderSegment]]] = []
        if request.compound_id:
            clip = compound.get(self.app.catalog.connect(), pid, request.compound_id)
            conn = self.app.catalog.connect()
            segs = [_segment(conn.execute("SELECT * FROM media WHERE id=?", (s.media_id,)).fetchone(),
                             s.start_frame, s.end_frame) for s in clip.segments]
            jobs_of.append((request.name or clip.name, segs))
        for r in request.clips:
            media = self._render_media(r.media_id, request.project)
            seg = _segment(media, int(r.start_frame), int(r.end_frame))
            stem = request.name if request.name and len(request.clips) == 1 and not request.compound_id else \
                f"{Path(str(media['path'])).stem}_{seg.start_frame}-{seg.end_frame}"
            jobs_of.append((stem, [seg]))
        if not jobs_of:
            raise InvalidArgument("nothing to render: give clips (MEDIA START END) or a compound clip id")
        folder = output_folder(request.output_dir, self._source_folders())
        taken: set[Path] = set()
        outputs = []
        for stem, segs in jobs_of:
            first = next((s for s in segs if s.has_video), segs[0])
            w, h = first.width or 1280, first.height or 720
            scale = min(1.0, MAX_SIDE / max(w, h))
            outputs.append(RenderOutput(target(folder, stem, request.overwrite, taken), tuple(segs), first.fps,
                                        even(int(w * scale)), even(int(h * scale)), crf))
        job_id = self.app.jobs.submit("render", project_id=pid, path=str(outputs[0].path), steps=step_names(outputs),
                                      params={"outputs": [output_to_params(o) for o in outputs]})
        snap = self.app.jobs.get(job_id)
        job = convert.job(snap, projects.project_name(self.app.catalog.connect(), snap.project_id))
        return pb.RenderResponse(job=job, outputs=[str(o.path) for o in outputs])
