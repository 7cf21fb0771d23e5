"""Each channel turns the query into ranked candidate ranges, on its own scale.

speech / text: exact words and phrases in transcripts and on-screen text (a speech hit is
    narrowed to the matched words' own times); lines holding only some of the words follow.
meaning:       the query's sentence vector against the "text" collection (MiniLM).
visual:        a picture (--image, --like) or the words through the image-text model against
               the "scene" collection; a keyframe hit stands for its shot.
people / slate / cluster: the ranges a filter allows (face tracks of a named person, the whole
               media of a slate, a cluster's shots and tracks), used as hits when nothing else asks.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from rushes.catalog import texts
from rushes.errors import InvalidArgument, NotFound
from rushes.search.query import Query, words_of
from rushes.search.types import Candidate

TEXT_COLLECTION = "text"
SCENE_COLLECTION = "scene"
# Words too common to make a line match on their own (partial matches only).
STOPWORDS = frozenset(
    "a an the and or but of to in on at by for with from is are was were be been it its this that these those "
    "i you he she we they me him her us them my your his our their as so if then than not no do does did "
    "have has had will would can could there here what which who whom how when where why".split())


@dataclass(frozen=True)
class Range:
    """A frame range on one media (end exclusive), with what it came from."""

    media_id: int
    start_frame: int
    end_frame: int
    label: str = ""
    score: float = 1.0


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


# ------------------------------------------------------------------------------ exact words
def _norm(text: str) -> str:
    return " " + " ".join(words_of(text)) + " "


def _word_range(span: texts.TextSpan, terms: Sequence[str]) -> tuple[int, int] | None:
    """Frames of the words of `span` that spell the terms (speech with word times), or None."""
    if not span.words:
        return None
    tokens = [" ".join(words_of(w.word)) for w in span.words]
    starts, ends = [], []
    for term in terms:
        want = term.split()
        for i in range(len(tokens) - len(want) + 1):
            if tokens[i:i + len(want)] == want:
                starts.append(span.words[i].start_frame)
                ends.append(span.words[i + len(want) - 1].end_frame)
                break
    if not starts:
        return None
    return min(starts), max(max(ends), min(starts) + 1)


def exact_channels(conn: sqlite3.Connection, query: Query, media_ids: Sequence[int]) -> dict[str, list[Candidate]]:
    """{"speech": [...], "text": [...]}: lines with every term first (exact), then lines with
    some of the non-trivial terms, by how many they hold; ties by shorter line, then time."""
    terms = list(query.terms)
    if not terms:
        return {"speech": [], "text": []}
    keys = [max(t.split(), key=len) for t in terms]
    rows = texts.spans(conn, texts.SpanFilter(media_ids=list(media_ids), contains_any=keys), with_words=True)
    scored: dict[str, list[tuple[tuple, Candidate]]] = {"speech": [], "text": []}
    for span in rows:
        norm = _norm(span.text)
        found = [t for t in terms if f" {t} " in norm]
        if not found:
            continue
        exact = len(found) == len(terms)
        if not exact and not [t for t in found if t not in STOPWORDS]:
            continue
        rng = _word_range(span, found) if span.source == "speech" else None
        start, end = rng if rng else (span.start_frame, span.end_frame)
        channel = "speech" if span.source == "speech" else "text"
        score = len(found) / len(terms)
        cand = Candidate(channel=channel, media_id=span.media_id, start_frame=start, end_frame=end, score=score,
                         detail=span.text, exact=exact)
        key = (not exact, -len(found), len(norm), span.media_id, start)
        scored[channel].append((key, cand))
    return {ch: [c for _, c in sorted(items, key=lambda kc: kc[0])] for ch, items in scored.items()}


# ------------------------------------------------------------------------------ meaning
def meaning_channel(conn: sqlite3.Connection, vectors: Any, query_vector: np.ndarray, media_ids: Sequence[int],
                    *, limit: int, min_score: float) -> list[Candidate]:
    if not media_ids or not vectors.has_collection(TEXT_COLLECTION):
        return []
    hits = vectors.search(TEXT_COLLECTION, query_vector, limit=limit, filter={"media_id": [int(m) for m in media_ids]},
                          score_threshold=min_score)
    spans = texts.spans_by_id(conn, [int(h.id) for h in hits])
    out = []
    for h in hits:
        span = spans.get(int(h.id))
        if span is None:        # a point left over from a re-analysis in progress
            continue
        out.append(Candidate(channel="meaning", media_id=span.media_id, start_frame=span.start_frame,
                             end_frame=span.end_frame, score=float(h.score), detail=span.text))
    return out


# ------------------------------------------------------------------------------ visual
def _shots(conn: sqlite3.Connection, shot_ids: Sequence[int]) -> dict[int, sqlite3.Row]:
    if not shot_ids:
        return {}
    rows = conn.execute(f"SELECT * FROM shots WHERE id IN ({','.join('?' * len(shot_ids))})",
                        [int(s) for s in shot_ids]).fetchall()
    return {int(r["id"]): r for r in rows}


def visual_channel(conn: sqlite3.Connection, vectors: Any, vector: np.ndarray, media_ids: Sequence[int], *,
                   limit: int, exclude_shots: Sequence[int] = (), detail: str = "") -> list[Candidate]:
    """Shots whose keyframes are nearest the vector (a shot once, at its best keyframe)."""
    if not media_ids or not vectors.has_collection(SCENE_COLLECTION):
        return []
    hits = vectors.search(SCENE_COLLECTION, vector, limit=limit * 4 + len(exclude_shots) * 4,
                          filter={"media_id": [int(m) for m in media_ids]})
    best: dict[int, float] = {}
    for h in hits:
        sid = int(h.payload.get("shot_id", 0))
        if sid in exclude_shots or sid in best:
            continue
        best[sid] = float(h.score)
    shots = _shots(conn, list(best))
    out = []
    for sid, score in best.items():
        row = shots.get(sid)
        if row is None:
            continue
        out.append(Candidate(channel="visual", media_id=int(row["media_id"]), start_frame=int(row["start_frame"]),
                             end_frame=int(row["end_frame"]), score=score, detail=detail or f"shot {sid}"))
        if len(out) >= limit:
            break
    return out


def shot_vector(vectors: Any, shot_id: int) -> np.ndarray:
    """The mean of a shot's keyframe vectors ("more like this shot"); NotFound without any."""
    points = vectors.scroll(SCENE_COLLECTION, filter={"shot_id": int(shot_id)}, with_vectors=True) \
        if vectors.has_collection(SCENE_COLLECTION) else []
    if not points:
        raise NotFound(f"shot {shot_id} has no scene vectors: is it analysed? see `rushes shots MEDIA`")
    v = np.mean(np.stack([np.asarray(p.vector, dtype=np.float32) for p in points]), axis=0)
    return v / max(float(np.linalg.norm(v)), 1e-12)


# ------------------------------------------------------------------------------ filters as ranges
def people_ranges(conn: sqlite3.Connection, project_id: int, name: str) -> list[Range]:
    """Face-track ranges of the people cluster named `name` (case-insensitive)."""
    clusters = conn.execute(
        "SELECT id, name FROM clusters WHERE project_id=? AND view='people' AND lower(name)=lower(?)",
        (project_id, name.strip())).fetchall()
    if not clusters:
        named = [r["name"] for r in conn.execute(
            "SELECT name FROM clusters WHERE project_id=? AND view='people' AND name<>'' ORDER BY name", (project_id,))]
        hint = f" (named people: {', '.join('@' + (n if ' ' not in n else repr(n)) for n in named)})" if named else \
            " (no people cluster has a name yet)"
        raise NotFound(f"no people cluster named {name!r}{hint}: name one with "
                       f"`rushes feedback name --view people person-N \"{name}\"`")
    ids = [c["id"] for c in clusters]
    rows = conn.execute(
        f"SELECT t.id, t.media_id, t.first_frame, t.end_frame, t.quality FROM cluster_members m "
        f"JOIN face_tracks t ON t.id = m.member_id WHERE m.project_id=? AND m.member_kind='track' "
        f"AND m.cluster_id IN ({','.join('?' * len(ids))}) ORDER BY t.quality DESC, t.id",
        (project_id, *ids)).fetchall()
    return [Range(int(r["media_id"]), int(r["first_frame"]), int(r["end_frame"]), f"@{clusters[0]['name']}",
                  float(r["quality"])) for r in rows if r["media_id"] is not None]


def cluster_ranges(conn: sqlite3.Connection, project_id: int, cluster_id: str) -> list[Range]:
    row = conn.execute("SELECT id, view, name FROM clusters WHERE project_id=? AND id=?",
                       (project_id, cluster_id)).fetchone()
    if row is None:
        raise NotFound(f"no cluster {cluster_id!r} in this project: see `rushes clusters --view scene|people`")
    label = f"cluster {cluster_id}" + (f" ({row['name']})" if row["name"] else "")
    shots = conn.execute(
        "SELECT s.media_id, s.start_frame, s.end_frame FROM cluster_members m JOIN shots s ON s.id = m.member_id "
        "WHERE m.project_id=? AND m.cluster_id=? AND m.member_kind='shot'", (project_id, cluster_id)).fetchall()
    tracks = conn.execute(
        "SELECT t.media_id, t.first_frame AS start_frame, t.end_frame FROM cluster_members m "
        "JOIN face_tracks t ON t.id = m.member_id WHERE m.project_id=? AND m.cluster_id=? AND m.member_kind='track'",
        (project_id, cluster_id)).fetchall()
    return [Range(int(r["media_id"]), int(r["start_frame"]), int(r["end_frame"]), label)
            for r in [*shots, *tracks] if r["media_id"] is not None]


def face_ranges(conn: sqlite3.Connection, media_ids: Sequence[int]) -> list[Range]:
    if not media_ids:
        return []
    rows = conn.execute(f"SELECT media_id, first_frame, end_frame FROM face_tracks WHERE media_id IN "
                        f"({','.join('?' * len(media_ids))})", [int(m) for m in media_ids]).fetchall()
    return [Range(int(r["media_id"]), int(r["first_frame"]), int(r["end_frame"]), "faces") for r in rows]


def speech_ranges(conn: sqlite3.Connection, media_ids: Sequence[int]) -> list[Range]:
    return [Range(s.media_id, s.start_frame, s.end_frame, "speech")
            for s in texts.spans(conn, texts.SpanFilter(media_ids=list(media_ids), sources=("speech",)))]


def check_slate_keys(fields: dict[str, str]) -> None:
    bad = [k for k in fields if k not in ("scene", "take", "roll", "camera", "date")]
    if bad:
        raise InvalidArgument(f"unknown slate field {bad[0]!r}: use scene, take, roll, camera or date")
