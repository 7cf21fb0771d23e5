"""One query, one ranked list: channels proposed, grouped by overlap, fused by rank, filtered.

Candidates of different channels that overlap on the same media are one hit (the words said
inside a shot that also looks right); the hit's range is its tightest member's, so a spoken
phrase keeps its own times inside the shot. Order: hits where every word and phrase was found
as written come first; then the reciprocal-rank-fused score; then media and frame, so the
order never depends on timing.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from rushes.catalog import texts
from rushes.search import channels as ch
from rushes.search.fusion import reciprocal_rank_fusion
from rushes.search.types import Candidate, SearchHit, SearchRequest, SearchResult, Why

TextVectorFn = Callable[[str], np.ndarray]


@dataclass
class _Group:
    media_id: int
    start_frame: int
    end_frame: int
    members: list[Candidate] = field(default_factory=list)

    def add(self, c: Candidate) -> None:
        self.members.append(c)
        if c.end_frame - c.start_frame < self.end_frame - self.start_frame:
            self.start_frame, self.end_frame = c.start_frame, c.end_frame

    @property
    def exact(self) -> bool:
        return any(m.exact for m in self.members)


def project_media(conn: sqlite3.Connection, request: SearchRequest) -> dict[int, sqlite3.Row]:
    """Media the search may return: the project's, narrowed by --media and by slate fields."""
    rows = conn.execute(
        "SELECT m.* FROM media m JOIN project_media pm ON pm.media_id = m.id WHERE pm.project_id=? ORDER BY m.id",
        (request.project_id,)).fetchall()
    media = {int(r["id"]): r for r in rows}
    if request.media_ids is not None:
        media = {k: v for k, v in media.items() if k in set(request.media_ids)}
    if request.query.slate:
        ch.check_slate_keys(request.query.slate)
        slated = {s.media_id for s in texts.media_with_slate(conn, request.query.slate)}
        media = {k: v for k, v in media.items() if k in slated}
    return media


def _group(lists: Sequence[list[Candidate]]) -> tuple[list[_Group], list[list[int]]]:
    """Groups of overlapping candidates and, per list, the group index of each candidate."""
    groups: list[_Group] = []
    index: list[list[int]] = []
    order = sorted(((not c.exact, r, li, c) for li, lst in enumerate(lists) for r, c in enumerate(lst)),
                   key=lambda t: (t[0], t[1], t[2]))
    placed: dict[tuple[int, int], int] = {}
    for _, r, li, c in order:
        gi = next((i for i, g in enumerate(groups) if g.media_id == c.media_id
                   and ch.overlaps(g.start_frame, g.end_frame, c.start_frame, c.end_frame)), None)
        if gi is None:
            groups.append(_Group(c.media_id, c.start_frame, c.end_frame))
            gi = len(groups) - 1
        groups[gi].add(c)
        placed[(li, r)] = gi
    for li, lst in enumerate(lists):
        index.append([placed[(li, r)] for r in range(len(lst))])
    return groups, index


def _filter_ranges(conn: sqlite3.Connection, request: SearchRequest, media_ids: list[int]) -> list[list[ch.Range]]:
    """Each filter as the ranges it allows (a hit must overlap one range of every filter)."""
    out = [ch.people_ranges(conn, request.project_id, name) for name in request.query.people]
    for cid in request.cluster_ids:
        out.append(ch.cluster_ranges(conn, request.project_id, cid))
    if request.has_speech:
        out.append(ch.speech_ranges(conn, media_ids))
    if request.has_faces:
        out.append(ch.face_ranges(conn, media_ids))
    return out


def _allowed(g: _Group, ranges: list[ch.Range]) -> ch.Range | None:
    for r in ranges:
        if r.media_id == g.media_id and ch.overlaps(g.start_frame, g.end_frame, r.start_frame, r.end_frame):
            return r
    return None


def search(conn: sqlite3.Connection, vectors: Any, request: SearchRequest, *,
           meaning_vector: TextVectorFn | None = None, settings: Any = None) -> SearchResult:
    """Run every channel the request asks for and return the fused, filtered hits."""
    get = (lambda k, d: settings.get(k, d)) if settings is not None else (lambda k, d: d)
    notes: list[str] = []
    media = project_media(conn, request)
    media_ids = sorted(media)
    pool = max(50, request.limit * 5)
    q = request.query
    lists: list[list[Candidate]] = []
    if q.has_content:
        exact = ch.exact_channels(conn, q, media_ids)
        lists += [exact["speech"], exact["text"]]
        if meaning_vector is not None:
            lists.append(ch.meaning_channel(conn, vectors, meaning_vector(q.free_text), media_ids, limit=pool,
                                            min_score=float(get("search_meaning_min", 0.3))))
        if request.scene_text_vector is not None:
            lists.append(ch.visual_channel(conn, vectors, request.scene_text_vector, media_ids, limit=pool,
                                           detail=f"looks like {q.free_text!r}"))
    for vec in request.image_vectors:
        lists.append(ch.visual_channel(conn, vectors, vec, media_ids, limit=pool, exclude_shots=request.like_shot_ids,
                                       detail="looks like the picture asked"))
    filters = _filter_ranges(conn, request, media_ids)
    content = q.has_content or bool(request.image_vectors)
    if not content:
        # Only filters: the ranges themselves are the hits (a person's face tracks, a slate's media).
        if q.people or request.cluster_ids:
            first = filters[0]
            channel = "people" if q.people else "cluster"
            lists.append([Candidate(channel, r.media_id, r.start_frame, r.end_frame, r.score, r.label)
                          for r in first if r.media_id in media])
        elif q.slate:
            lists.append([Candidate("slate", m, 0, max(1, int(media[m]["frame_count"] or 1)), 1.0,
                                    " ".join(f"{k}:{v}" for k, v in q.slate.items())) for m in media_ids])
        elif request.has_speech or request.has_faces:
            lists.append([Candidate("speech" if request.has_speech else "people", r.media_id, r.start_frame,
                                    r.end_frame, 1.0, r.label) for r in filters[0] if r.media_id in media])
    groups, index = _group(lists)
    fused = reciprocal_rank_fusion([[index[li][r] for r in range(len(lst))] for li, lst in enumerate(lists)])
    hits: list[SearchHit] = []
    for gi, g in enumerate(groups):
        if g.media_id not in media:
            continue
        extra: list[Why] = []
        ok = True
        for ranges in filters:
            hit = _allowed(g, ranges)
            if hit is None:
                ok = False
                break
            if hit.label.startswith("@"):
                extra.append(Why("people", hit.score, hit.label))
        if not ok:
            continue
        row = media[g.media_id]
        fps_num, fps_den = int(row["fps_num"] or 25), int(row["fps_den"] or 1)
        start_s, end_s = g.start_frame * fps_den / fps_num, g.end_frame * fps_den / fps_num
        if request.min_duration_s and end_s - start_s < request.min_duration_s - 1e-9:
            continue
        best: dict[str, Candidate] = {}
        for m in g.members:
            if m.channel not in best or (m.exact, m.score) > (best[m.channel].exact, best[m.channel].score):
                best[m.channel] = m
        why = tuple(Why(c.channel, round(c.score, 4), c.detail) for c in best.values()) + tuple(extra)
        if q.slate and content:
            why += (Why("slate", 1.0, " ".join(f"{k}:{v}" for k, v in q.slate.items())),)
        hits.append(SearchHit(media_id=g.media_id, start_frame=g.start_frame, end_frame=g.end_frame,
                              start_s=round(start_s, 4), end_s=round(end_s, 4), score=round(fused.get(gi, 0.0), 6),
                              why=why, exact=g.exact, path=str(row["path"])))
    hits.sort(key=lambda h: (not h.exact, -h.score, h.media_id, h.start_frame))
    return SearchResult(hits=hits[:max(1, request.limit)], notes=notes)
