"""What clustering reads: one vector per shot and one per face track, for one project.

Scene vectors are stored per keyframe; a shot is summarised by the normalised mean of its
keyframes (keyframes of one shot show one set-up, and the mean is robust to one odd frame).
Face vectors are stored per track already. Shots without any scene vector are still members:
they go to the noise bucket with the reason, so the editor sees every shot somewhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import PurePath

import numpy as np

from rushes.clustering.density import normalise
from rushes.clustering.structure import Place
from rushes.ingest.timecode import timecode_to_frames

Key = tuple[str, int]   # ("shot", 12) or ("track", 7)


@dataclass
class MemberSet:
    """Rows of `vectors` belong to `keys`; `missing` are members with no vector (and why)."""

    keys: list[Key]
    vectors: np.ndarray
    model: str = ""
    missing: dict[Key, str] = field(default_factory=dict)
    extra: dict[Key, dict] = field(default_factory=dict)   # per member: shot_id, quality, media_id
    places: list[Place] | None = None      # scene members: where each row's shot sits in the footage

    def index(self) -> dict[Key, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def __len__(self) -> int:
        return len(self.keys)


def project_media(catalog, project_id: int) -> list[int]:
    rows = catalog.query("SELECT media_id FROM project_media WHERE project_id=? ORDER BY media_id", (project_id,))
    return [int(r[0]) for r in rows]


def project_shots(catalog, project_id: int) -> list[int]:
    rows = catalog.query(
        "SELECT s.id FROM shots s JOIN project_media pm ON pm.media_id=s.media_id "
        "WHERE pm.project_id=? ORDER BY s.media_id, s.idx", (project_id,))
    return [int(r[0]) for r in rows]


def _tc_seconds(start_tc: str | None, fps_num: int | None, fps_den: int | None) -> float:
    """A media's start timecode in seconds of record-run time, or -1 when it has none."""
    if not start_tc or not fps_num or not fps_den:
        return -1.0
    try:
        frames = timecode_to_frames(start_tc, Fraction(int(fps_num), int(fps_den)))
    except (ValueError, ZeroDivisionError):
        return -1.0
    # 00:00:00:00 is what probe stores for a file without timecode: not evidence of a record
    # run (every such file would "overlap" every other). A run truly starting at midnight only
    # loses this one piece of evidence.
    return frames * int(fps_den) / int(fps_num) if frames > 0 else -1.0


def shot_places(catalog, project_id: int) -> dict[int, Place]:
    """Shot id -> its place in the footage: media, index in the media, file name, record run."""
    rows = catalog.query(
        "SELECT s.id, s.media_id, s.idx, m.path, m.start_timecode, m.fps_num, m.fps_den, m.duration_s "
        "FROM shots s JOIN media m ON m.id = s.media_id JOIN project_media pm ON pm.media_id = s.media_id "
        "WHERE pm.project_id = ?", (project_id,))
    out = {}
    for r in rows:
        start = _tc_seconds(r[4], r[5], r[6])
        end = start + float(r[7] or 0.0) if start >= 0 else -1.0
        out[int(r[0])] = Place(int(r[1]), int(r[2]), PurePath(str(r[3])).name, start, end)
    return out


def _scroll(store, name: str, media: list[int]) -> list:
    if store is None or not media or not store.has_collection(name):
        return []
    return store.scroll(name, filter={"media_id": media}, with_vectors=True)


def shot_vectors(catalog, store, project_id: int) -> MemberSet:
    """One normalised vector per shot of the project (mean of its keyframes' scene vectors)."""
    media = project_media(catalog, project_id)
    shots = project_shots(catalog, project_id)
    groups: dict[int, list[np.ndarray]] = {}
    models: dict[str, int] = {}
    for p in _scroll(store, "scene", media):
        sid = p.payload.get("shot_id")
        if sid is None or p.vector is None:
            continue
        groups.setdefault(int(sid), []).append(np.asarray(p.vector, dtype=np.float32))
        m = str(p.payload.get("model", ""))
        models[m] = models.get(m, 0) + 1
    keys, rows, missing = [], [], {}
    for sid in shots:
        vecs = groups.get(sid)
        if not vecs:
            missing[("shot", sid)] = "no scene vector yet (the embed step has not run on this shot)"
            continue
        keys.append(("shot", sid))
        rows.append(np.mean(normalise(np.stack(vecs)), axis=0))
    x = normalise(np.stack(rows)) if rows else np.zeros((0, 0), np.float32)
    model = max(models, key=models.get) if models else ""
    where = shot_places(catalog, project_id)
    places = [where.get(k[1], Place(-1 - i, -1)) for i, k in enumerate(keys)]
    return MemberSet(keys, x, model, missing, places=places)


def track_vectors(catalog, store, project_id: int) -> MemberSet:
    """One normalised descriptor per face track of the project, with its shot and quality."""
    media = project_media(catalog, project_id)
    rows = catalog.query(
        "SELECT t.id, t.shot_id, t.quality FROM face_tracks t JOIN shots s ON s.id=t.shot_id "
        "JOIN project_media pm ON pm.media_id=s.media_id WHERE pm.project_id=? ORDER BY t.id", (project_id,))
    info = {int(r[0]): {"shot_id": int(r[1]), "quality": float(r[2])} for r in rows}
    vecs: dict[int, np.ndarray] = {}
    models: dict[str, int] = {}
    for p in _scroll(store, "face", media):
        if p.vector is None:
            continue
        tid = int(p.payload.get("track_id", p.id))
        vecs[tid] = np.asarray(p.vector, dtype=np.float32)
        if tid not in info and p.payload.get("shot_id") is not None:
            info[tid] = {"shot_id": int(p.payload["shot_id"]), "quality": float(p.payload.get("quality", 1.0))}
        m = str(p.payload.get("model", ""))
        models[m] = models.get(m, 0) + 1
    keys, xs, missing, extra = [], [], {}, {}
    for tid in sorted(info):
        key = ("track", tid)
        extra[key] = info[tid]
        if tid not in vecs:
            missing[key] = "no face descriptor stored for this track"
            continue
        keys.append(key)
        xs.append(vecs[tid])
    x = normalise(np.stack(xs)) if xs else np.zeros((0, 0), np.float32)
    model = max(models, key=models.get) if models else ""
    return MemberSet(keys, x, model, missing, extra)
