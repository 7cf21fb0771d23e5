"""Helpers for the clustering and feedback tests: a project with shots, tracks and real vectors.

The catalog and the vector store are the real ones (temporary RUSHES_HOME); only the vectors
are synthetic blobs, so each test knows the true scene of every shot and person of every track.
"""
from __future__ import annotations

import numpy as np

from rushes.catalog import Catalog
from rushes.vectors import Point, open_store
from rushes.catalog.cluster_views import ClusterView


def open_all(settings):
    return Catalog.open(settings.catalog_path), open_store(settings)


def add_project(cat, name: str = "default") -> int:
    with cat.transaction() as c:
        cur = c.execute("INSERT INTO projects(name, created_at) VALUES (?, 0)", (name,))
        return int(cur.lastrowid)


def add_media(cat, project_id: int, tag: str) -> int:
    with cat.transaction() as c:
        cur = c.execute("INSERT INTO media(fingerprint, path, kind, created_at, updated_at) VALUES (?,?,?,0,0)",
                        (tag, f"/footage/{tag}.mov", "video"))
        mid = int(cur.lastrowid)
        c.execute("INSERT INTO project_media VALUES (?,?,0)", (project_id, mid))
    return mid


def blobs(k: int, dim: int, spread: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(k, dim))
    return c / np.linalg.norm(c, axis=1, keepdims=True), rng, spread


def add_shots(cat, store, media_id: int, scene_labels: list[int], centers: np.ndarray, rng, spread: float,
              *, keyframes: int = 2, dim: int | None = None, start_id: int | None = None) -> list[int]:
    """One shot per label; each shot gets `keyframes` scene vectors near its scene's centre."""
    dim = dim or centers.shape[1]
    store.ensure_collection("scene", dim)
    ids, points = [], []
    with cat.transaction() as c:
        base = c.execute("SELECT COALESCE(MAX(idx), -1) + 1 FROM shots WHERE media_id=?", (media_id,)).fetchone()[0]
        for i, lab in enumerate(scene_labels):
            cur = c.execute("INSERT INTO shots(media_id, idx, start_frame, end_frame) VALUES (?,?,?,?)",
                            (media_id, base + i, (base + i) * 24, (base + i + 1) * 24))
            sid = int(cur.lastrowid)
            ids.append(sid)
            shot_centre = centers[lab] + spread * rng.normal(size=dim)
            for k in range(keyframes):
                kid = c.execute("INSERT INTO keyframes(shot_id, frame, role) VALUES (?,?,?)",
                                (sid, (base + i) * 24 + k, "key")).lastrowid
                points.append(Point(int(kid), shot_centre + 0.3 * spread * rng.normal(size=dim),
                                    {"media_id": media_id, "shot_id": sid, "frame": (base + i) * 24 + k,
                                     "keyframe_id": int(kid), "model": "test-scene"}))
    store.upsert("scene", points)
    return ids


def add_tracks(cat, store, media_id: int, shot_ids: list[int], people: list[int], centers: np.ndarray, rng,
               spread: float) -> list[int]:
    """One face track per (shot, person) with a descriptor near that person's centre."""
    store.ensure_collection("face", centers.shape[1])
    ids, points = [], []
    with cat.transaction() as c:
        for sid, person in zip(shot_ids, people):
            cur = c.execute("INSERT INTO face_tracks(shot_id, media_id, first_frame, end_frame, best_frame, box_json, "
                            "quality) VALUES (?,?,0,10,5,'[0,0,10,10]',0.9)", (sid, media_id))
            tid = int(cur.lastrowid)
            ids.append(tid)
            points.append(Point(tid, centers[person] + spread * rng.normal(size=centers.shape[1]),
                                {"media_id": media_id, "shot_id": sid, "track_id": tid, "quality": 0.9,
                                 "frame": 5, "model": "test-face"}))
    store.upsert("face", points)
    return ids


def by_id(clusters: list[ClusterView]) -> dict[str, ClusterView]:
    return {c.id: c for c in clusters}


def cluster_of(clusters: list[dict], member: int, field: str = "shots") -> str | None:
    for c in clusters:
        if str(member) in c[field] and (field == "shots" or str(member) in c["tracks"]):
            return c["id"]
    return None


def add_three_scenes_two_people(cat, store, repeats: int) -> tuple[int, list[int], list[int]]:
    """A project with one media: 3 scenes x `repeats` shots, 2 people alternating across them.

    Returns (project id, shot ids, track ids); shared by the feedback and CLI tests.
    """
    pid = add_project(cat)
    mid = add_media(cat, pid, "a")
    centers, rng, spread = blobs(3, 48, 0.05, seed=4)
    shots = add_shots(cat, store, mid, [0, 1, 2] * repeats, centers, rng, spread)
    faces, frng, fspread = blobs(2, 128, 0.03, seed=8)
    tracks = add_tracks(cat, store, mid, shots, [i % 2 for i in range(len(shots))], faces, frng, fspread)
    return pid, shots, tracks
