"""Catalog rows and job snapshots -> proto messages (ids as strings, frames as ints)."""
from __future__ import annotations

import sqlite3

from rushes.catalog import media_rows, texts
from rushes.jobs.queue import JobSnapshot
from rushes.jobs.watching import WatchFolder
from rushes_proto.v1 import rushes_pb2 as pb


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


def media(row: sqlite3.Row, projects: list[str] | None = None, slate_read: texts.Slate | None = None) -> pb.Media:
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
        slate=slate(slate_read) if slate_read is not None else None,
    )


def watch_folder(w: WatchFolder) -> pb.WatchFolder:
    return pb.WatchFolder(id=str(w.id), project=w.project, path=w.path, polling=w.polling)
