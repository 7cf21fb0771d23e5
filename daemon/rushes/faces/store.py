"""Faces in the catalog and the vector store.

One write transaction replaces every earlier face row of the media (a re-run never leaves stale
tracks behind), then one vector per track goes to collection "face" (point id = track id) before
the stage is marked done in that same transaction: if the vector write fails the catalog rolls
back and the stage stays undone, so the next run redoes both.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

import numpy as np

from rushes.faces.models import DESCRIPTOR_DIM
from rushes.faces.tracks import ShotSpan, Track
from rushes.vectors import Point

COLLECTION = "face"


@dataclass(frozen=True)
class StoredTrack:
    """A face track as the catalog holds it (what `rushes faces` and ListFaceTracks show)."""

    id: int
    media_id: int
    shot_id: int
    first_frame: int
    end_frame: int          # exclusive
    best_frame: int
    box: list[float]        # on the best frame, [x0, y0, x1, y1] displayed pixels
    quality: float
    face_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "shot_id": str(self.shot_id), "first_frame": self.first_frame,
            "end_frame": self.end_frame, "best_frame": self.best_frame, "box": self.box,
            "quality": round(self.quality, 4), "face_count": self.face_count,
        }


def read_shots(conn: sqlite3.Connection, media_id: int) -> list[ShotSpan]:
    rows = conn.execute(
        "SELECT id, start_frame, end_frame FROM shots WHERE media_id=? ORDER BY idx", (media_id,)
    ).fetchall()
    return [ShotSpan(int(r[0]), int(r[1]), int(r[2])) for r in rows]


def delete_media_faces(conn: sqlite3.Connection, media_id: int) -> int:
    """Remove the media's faces and tracks; returns the highest track id there was, so new tracks
    get ids never used before (a cluster member or a feedback line naming an old track id must
    not silently point at a different face)."""
    top = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM face_tracks").fetchone()[0])
    conn.execute("DELETE FROM faces WHERE media_id=?", (media_id,))
    conn.execute(
        "DELETE FROM face_tracks WHERE media_id=? OR shot_id IN (SELECT id FROM shots WHERE media_id=?)",
        (media_id, media_id),
    )
    return top


def insert_tracks(conn: sqlite3.Connection, media_id: int, tracks: list[Track], *, model: str,
                  model_version: str, above_id: int = 0) -> list[tuple[int, Track]]:
    """Insert tracks (ids above `above_id`) and their faces; returns (track id, track) pairs."""
    out = []
    next_id = max(above_id, int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM face_tracks").fetchone()[0])) + 1
    for track in tracks:
        best = track.best
        emb = track.embedding().astype(np.float32)
        cur = conn.execute(
            "INSERT INTO face_tracks(id, shot_id, media_id, first_frame, end_frame, best_frame, box_json, quality,"
            " embedding, face_count, model, model_version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (next_id, track.shot_id, media_id, track.first_frame, track.last_frame + 1, best.frame,
             json.dumps(list(best.face.box)), float(track.quality), emb.tobytes(), len(track.faces),
             model, model_version),
        )
        track_id = int(cur.lastrowid)
        next_id = track_id + 1
        conn.executemany(
            "INSERT INTO faces(track_id, media_id, shot_id, frame, box_json, quality, descriptor, landmarks_json,"
            " score, sharpness, frontal, size_score) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (track_id, media_id, track.shot_id, s.frame, json.dumps(list(s.face.box)), s.face.quality.score,
                 s.face.descriptor.astype(np.float32).tobytes(),
                 json.dumps(np.round(s.face.landmarks, 1).tolist()), s.face.score, s.face.quality.sharpness,
                 s.face.quality.frontal, s.face.quality.size)
                for s in track.faces
            ],
        )
        out.append((track_id, track))
    return out


def upsert_vectors(vectors: Any, media_id: int, stored: list[tuple[int, Track]], *, model: str,
                   model_version: str, detector: str = "hog") -> None:
    """Replace the media's points in "face": one per track, payload as docs/INTEGRATION.md says."""
    vectors.ensure_collection(COLLECTION, DESCRIPTOR_DIM)
    vectors.delete(COLLECTION, filter={"media_id": media_id})
    if not stored:
        return
    points = []
    for track_id, track in stored:
        best = track.best
        points.append(Point(track_id, track.embedding(), {
            "media_id": media_id, "shot_id": track.shot_id, "track_id": track_id, "frame": best.frame,
            "box": [float(v) for v in best.face.box], "quality": float(track.quality),
            "face_count": len(track.faces), "model": model, "model_version": model_version,
            "detector": detector,
        }))
    vectors.upsert(COLLECTION, points)


def list_tracks(conn: sqlite3.Connection, media_id: int) -> list[StoredTrack]:
    rows = conn.execute(
        "SELECT t.id, t.shot_id, t.first_frame, t.end_frame, t.best_frame, t.box_json, t.quality, t.face_count"
        " FROM face_tracks t JOIN shots s ON s.id = t.shot_id WHERE s.media_id=?"
        " ORDER BY t.first_frame, t.id",
        (media_id,),
    ).fetchall()
    return [
        StoredTrack(int(r[0]), media_id, int(r[1]), int(r[2]), int(r[3]), int(r[4]),
                    [float(v) for v in json.loads(r[5])], float(r[6]), int(r[7]))
        for r in rows
    ]
