"""HighlightsHandlers: GetHighlights and the compound-clip RPCs (issue 13)."""
from __future__ import annotations

import json
import sqlite3
from fractions import Fraction
from typing import Any

import grpc

from rushes.errors import InvalidArgument, NotFound
from rushes.highlights import compound
from rushes.highlights.config import HighlightConfig
from rushes.highlights.report import HighlightClip
from rushes.highlights.scoring import media_highlights, project_highlights
from rushes.highlights.timeline import media_fps
from rushes.ingest.timecode import TimecodeError, offset_timecode
from rushes.render.plan import check_range
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb


def fps_text(media: sqlite3.Row) -> str:
    f = media_fps(media)
    return f"{f.numerator}/{f.denominator}"


def timecode_at(media: sqlite3.Row, frame: int) -> str:
    try:
        return offset_timecode(str(media["start_timecode"] or "00:00:00:00"), int(frame), media_fps(media))
    except (TimecodeError, ValueError):
        return ""


def clip_pb(clip: HighlightClip, media: sqlite3.Row, rank: int) -> pb.Highlight:
    fps = media_fps(media)
    c = clip.components
    return pb.Highlight(
        id=clip.id, media_id=str(clip.media_id), start_frame=clip.start_frame, end_frame=clip.end_frame,
        start_s=float(Fraction(clip.start_frame) / fps), end_s=float(Fraction(clip.end_frame) / fps),
        score=clip.score, reason=clip.reason, mode=clip.mode, rank=rank, fps=fps_text(media),
        start_timecode=timecode_at(media, clip.start_frame), media_path=str(media["path"]),
        anchor_frame=clip.anchor_frame,
        components=pb.HighlightComponents(excitement=c.excitement, boundary=c.boundary,
                                          anchor_placement=c.anchor_placement, dead_time=c.dead_time))


def range_pb(media: sqlite3.Row, seg: compound.CompoundSegment) -> pb.SourceRange:
    fps = media_fps(media)
    return pb.SourceRange(
        media_id=str(media["id"]), start_frame=seg.start_frame, end_frame=seg.end_frame,
        start_s=float(Fraction(seg.start_frame) / fps), end_s=float(Fraction(seg.end_frame) / fps),
        fps=fps_text(media), media_path=str(media["path"]), start_timecode=str(media["start_timecode"] or ""),
        label=seg.label, highlight_id=seg.highlight_id, has_audio=has_audio(media))


def has_audio(media: sqlite3.Row) -> bool:
    return media["kind"] == "audio" or int(media["audio_channels"] or 0) > 0


class HighlightsHandlers:
    app: App

    # ------------------------------------------------------------------ lookups
    def _media(self, text: str, project: str) -> sqlite3.Row:
        """The media for a highlight or export request: unknown media is INVALID_ARGUMENT (issue 13)."""
        try:
            return self.app.resolve_media(text, project or None)
        except NotFound as exc:
            raise InvalidArgument(str(exc)) from None

    def _config(self, mode: str) -> HighlightConfig:
        return HighlightConfig.from_settings(self.app.settings).with_mode(mode)

    # ------------------------------------------------------------------ highlights
    def GetHighlights(self, request: pb.GetHighlightsRequest, context: grpc.ServicerContext) -> pb.HighlightsResponse:
        base = self._config(request.mode)
        overrides = dict(request.settings)
        if overrides:
            HighlightConfig.from_settings(None, {**base.to_dict(), **overrides})   # fail early on bad keys
        if request.limit < 0:
            raise InvalidArgument(f"limit must be >= 0, got {request.limit}")
        resp = pb.HighlightsResponse()
        if request.media:
            media = self._media(request.media, request.project)
            mh = media_highlights(self.app.catalog, media, base, overrides)
            clips = mh.clips[:request.limit] if request.limit else mh.clips
            resp.clips.extend(clip_pb(c, media, i) for i, c in enumerate(clips, 1))
            resp.settings_json = _settings_json(mh.config)
            resp.rescored = mh.rescored
            if request.debug:
                resp.debug_json = mh.debug_json
            return resp
        pid = self.app.project_id(request.project)
        found = project_highlights(self.app.catalog, pid, base, overrides)
        cfg = HighlightConfig.from_settings(None, {**base.to_dict(), **overrides}) if overrides else base
        top = request.limit or cfg.project_top
        resp.clips.extend(clip_pb(c, m, i) for i, (c, m) in enumerate(found[:top], 1))
        resp.settings_json = _settings_json(cfg)
        resp.rescored = bool(overrides)
        return resp

    # ------------------------------------------------------------------ compound clips
    def _segments(self, ranges: Any, project: str) -> list[compound.CompoundSegment]:
        out = []
        for r in ranges:
            media = self._media(r.media_id, project)
            check_range(int(media["id"]), str(media["path"]), int(r.start_frame), int(r.end_frame),
                        int(media["frame_count"] or 0))
            out.append(compound.CompoundSegment(int(media["id"]), int(r.start_frame), int(r.end_frame), r.label,
                                                r.highlight_id))
        return out

    def _from_highlights(self, source: pb.HighlightsSource, project: str) -> list[compound.CompoundSegment]:
        base = self._config(source.mode)
        if source.media:
            media = self._media(source.media, project)
            clips = media_highlights(self.app.catalog, media, base).clips
            found = [(c, media) for c in clips]
        else:
            found = project_highlights(self.app.catalog, self.app.project_id(project), base)
        limit = source.limit or (base.target_count if source.media else base.project_top)
        found = found[:limit]
        if not found:
            raise InvalidArgument("no highlights to make a compound clip from: ingest media first, or check "
                                  "`rushes highlights MEDIA`")
        if source.chronological:
            found.sort(key=lambda cm: (cm[0].media_id, cm[0].start_frame))
        return [compound.CompoundSegment(c.media_id, c.start_frame, c.end_frame, c.reason, c.id) for c, _ in found]

    def _compound_pb(self, clip: compound.Compound, project: str) -> pb.CompoundClip:
        out = pb.CompoundClip(id=str(clip.id), project=project or "default", name=clip.name,
                              created_at=clip.created_at, updated_at=clip.updated_at)
        conn = self.app.catalog.connect()
        total = 0.0
        for seg in clip.segments:
            media = conn.execute("SELECT * FROM media WHERE id=?", (seg.media_id,)).fetchone()
            r = range_pb(media, seg)
            total += r.end_s - r.start_s
            out.segments.append(r)
        out.duration_s = total
        return out

    def CreateCompoundClip(self, request: pb.CreateCompoundClipRequest, context: grpc.ServicerContext) -> pb.CompoundClip:
        pid = self.app.project_id(request.project, create=True)
        if request.segments:
            segments = self._segments(request.segments, request.project)
        elif request.HasField("from_highlights"):
            segments = self._from_highlights(request.from_highlights, request.project)
        else:
            raise InvalidArgument("a compound clip needs segments, or from_highlights to build it from highlights")
        with self.app.catalog.transaction() as conn:
            clip_id = compound.create(conn, pid, request.name, segments)
        return self._compound_pb(compound.get(self.app.catalog.connect(), pid, clip_id), request.project)

    def ListCompoundClips(self, request: pb.ListCompoundClipsRequest, context: grpc.ServicerContext) -> pb.ListCompoundClipsResponse:
        pid = self.app.project_id(request.project)
        return pb.ListCompoundClipsResponse(
            clips=[self._compound_pb(c, request.project) for c in compound.list_all(self.app.catalog.connect(), pid)])

    def GetCompoundClip(self, request: pb.GetCompoundClipRequest, context: grpc.ServicerContext) -> pb.CompoundClip:
        pid = self.app.project_id(request.project)
        return self._compound_pb(compound.get(self.app.catalog.connect(), pid, request.id), request.project)

    def UpdateCompoundClip(self, request: pb.UpdateCompoundClipRequest, context: grpc.ServicerContext) -> pb.CompoundClip:
        pid = self.app.project_id(request.project)
        segments = self._segments(request.segments, request.project) if request.replace_segments else None
        with self.app.catalog.transaction() as conn:
            compound.update(conn, pid, request.id, request.name or None, segments)
        return self._compound_pb(compound.get(self.app.catalog.connect(), pid, request.id), request.project)

    def DeleteCompoundClip(self, request: pb.DeleteCompoundClipRequest, context: grpc.ServicerContext) -> pb.DeleteCompoundClipResponse:
        pid = self.app.project_id(request.project)
        with self.app.catalog.transaction() as conn:
            return pb.DeleteCompoundClipResponse(deleted=compound.delete(conn, pid, request.id))


def _settings_json(cfg: HighlightConfig) -> str:
    return json.dumps(cfg.to_dict(), sort_keys=True)
