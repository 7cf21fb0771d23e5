"""Catalog rows, job snapshots, watch folders and model infos -> proto messages (ids as strings, frames as ints)."""
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from rushes.catalog import media_rows, texts
from rushes.catalog.cluster_views import ClusterView, FeedbackOutcome
from rushes.catalog.shot_lists import SegmentEntry, ShotEntry, ShotList, TransitionEntry
from rushes_proto.v1 import rushes_pb2 as pb

if TYPE_CHECKING:  # annotations only: the CLI imports this module and stays quick to start
    from rushes.jobs.queue import JobSnapshot
    from rushes.jobs.watching import WatchFolder
    from rushes.models.spec import ModelInfo


def job(snap: JobSnapshot, project: str = "") -> pb.Job:
    return pb.Job(
        id=str(snap.id), kind=snap.kind, project=project, media_id=str(snap.media_id or ""), path=snap.path or "",
        state=snap.state, progress=float(snap.progress or 0), message=snap.message or "", error=snap.error or "",
        steps=[pb.JobStep(name=n, state=s, progress=float(p or 0), error=e or "") for n, s, p, e in snap.steps],
        created_at=snap.created_at or 0, started_at=snap.started_at or 0, finished_at=snap.finished_at or 0,
    )


def slate(s: texts.Slate) -> pb.Slate:
    return pb.Slate(frame=s.frame, scene=s.scene, take=s.take, roll=s.roll, camera=s.camera, date=s.date,
                    raw_text=s.raw_text, confidence=round(s.confidence, 4))


def media(row: sqlite3.Row, projects: list[str] | None = None, paths: list[str] | None = None,
          slate_read: texts.Slate | None = None) -> pb.Media:
    def s(key: str) -> str:
        v = row[key]
        return "" if v is None else str(v)

    def i(key: str) -> int:
        v = row[key]
        return 0 if v is None else int(v)

    return pb.Media(
        id=str(row["id"]), path=row["path"], kind=row["kind"], duration_s=float(row["duration_s"] or 0),
        fps=media_rows.fps_text(row), frame_count=i("frame_count"), width=i("width"), height=i("height"),
        start_timecode=s("start_timecode"), audio_channels=i("audio_channels"), status=row["status"],
        reason=s("reason"), fingerprint=row["fingerprint"], container=s("container"), video_codec=s("video_codec"),
        audio_codec=s("audio_codec"), rotation=i("rotation"), reel=s("reel"), audio_rate=i("audio_rate"),
        variable_frame_rate=bool(row["variable_frame_rate"]), projects=projects or [],
        paths=paths or [row["path"]],
        slate=slate(slate_read) if slate_read is not None else None,
    )


def watch_folder(w: WatchFolder) -> pb.WatchFolder:
    return pb.WatchFolder(id=str(w.id), project=w.project, path=w.path, polling=w.polling)


def model(info: ModelInfo) -> pb.Model:
    return pb.Model(
        name=info.name, version=info.version, task=info.task, source=info.source, licence=info.licence,
        dimensions=int(info.dimensions), present=bool(info.present), path=info.path, detail=info.detail,
        fallback=bool(info.fallback),
    )


def shots_response(sl: ShotList) -> pb.ShotsResponse:
    """A shot list as GetShots answers it (a shot's proto id is "" when the list is not stored)."""
    resp = pb.ShotsResponse(media_id=sl.media_id or "", fps=sl.fps, frame_count=sl.frame_count)
    for s in sl.shots:
        resp.shots.add(id=s.id or "", start_frame=s.start_frame, end_frame=s.end_frame, keyframes=list(s.keyframes),
                       motion=s.motion)
    for t in sl.transitions:
        if t.is_cut:
            resp.transitions.add(type="cut", frame=t.start, confidence=t.confidence)
        else:
            resp.transitions.add(type=t.type, start=t.start, end=t.end, confidence=t.confidence)
    for g in sl.segments:
        resp.segments.add(kind=g.kind, start_frame=g.start_frame, end_frame=g.end_frame)
    return resp


def shot_list(resp: pb.ShotsResponse) -> ShotList:
    """A GetShots reply back into the shot-list record (the inverse of shots_response)."""
    return ShotList(
        fps=resp.fps, frame_count=resp.frame_count, media_id=resp.media_id or None,
        shots=[ShotEntry(index=i, start_frame=s.start_frame, end_frame=s.end_frame, keyframes=tuple(s.keyframes),
                         motion=s.motion, id=s.id or None) for i, s in enumerate(resp.shots)],
        transitions=[TransitionEntry("cut", t.frame, t.frame + 1, t.confidence) if t.type == "cut" else
                     TransitionEntry(t.type, t.start, t.end, t.confidence) for t in resp.transitions],
        segments=[SegmentEntry(g.kind, g.start_frame, g.end_frame) for g in resp.segments],
    )


def cluster(c: ClusterView) -> pb.Cluster:
    return pb.Cluster(id=c.id, name=c.name, view=c.view, shots=list(c.shots), tracks=list(c.tracks),
                      confidence=dict(c.confidence), parent_id=c.parent_id, reasons=dict(c.reasons))


def cluster_view(c: pb.Cluster) -> ClusterView:
    """A Cluster message back into the record (the inverse of cluster)."""
    return ClusterView(id=c.id, name=c.name, view=c.view, shots=tuple(c.shots), tracks=tuple(c.tracks),
                       confidence=dict(c.confidence), parent_id=c.parent_id, reasons=dict(c.reasons))


def feedback_response(outcome: FeedbackOutcome) -> pb.FeedbackResponse:
    return pb.FeedbackResponse(feedback_id=outcome.feedback_id, changed=[cluster(c) for c in outcome.changed])


def feedback_outcome(resp: pb.FeedbackResponse) -> FeedbackOutcome:
    return FeedbackOutcome(resp.feedback_id, tuple(cluster_view(c) for c in resp.changed))
