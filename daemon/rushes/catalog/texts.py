"""Typed records for what speech and on-screen text analysis store (migration 0009).

The speech and ocr rooms write through this module and the search room reads through it: the
rooms never import each other, they share these records. Frames are integers on the media's
own rate, every `end_frame` exclusive; boxes are [x0, y0, x1, y1] in displayed pixels.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Iterable, Sequence

SOURCES = ("speech", "screen")


@dataclass(frozen=True)
class Word:
    """One transcribed word with its own times."""

    word: str
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    probability: float = 0.0


@dataclass(frozen=True)
class TextSpan:
    """A searchable line: a transcript segment ('speech') or a line of on-screen text ('screen')."""

    media_id: int
    source: str
    start_frame: int
    end_frame: int
    text: str
    box: tuple[float, float, float, float] | None = None
    frame: int | None = None
    confidence: float = 0.0
    language: str = ""
    model: str = ""
    words: tuple[Word, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class Slate:
    """A clapperboard read on a media; empty strings for fields the slate did not show."""

    media_id: int
    frame: int
    scene: str = ""
    take: str = ""
    roll: str = ""
    camera: str = ""
    date: str = ""
    raw_text: str = ""
    confidence: float = 0.0

    def fields(self) -> dict[str, str]:
        return {"scene": self.scene, "take": self.take, "roll": self.roll, "camera": self.camera, "date": self.date}


@dataclass(frozen=True)
class TranscriptInfo:
    media_id: int
    language: str
    language_prob: float
    model: str
    speech_s: float


@dataclass
class SpanFilter:
    """Which spans to read: by media, source, and optionally only those containing words."""

    media_ids: Sequence[int] | None = None
    sources: Sequence[str] = SOURCES
    contains: Sequence[str] = field(default_factory=list)   # case-insensitive substrings, all required
    contains_any: Sequence[str] = field(default_factory=list)  # ... at least one of these


# ---------------------------------------------------------------------------- writes
def replace_spans(conn: sqlite3.Connection, media_id: int, source: str, spans: Iterable[TextSpan]) -> list[int]:
    """Replace every span of `source` on the media (inside the caller's transaction); new ids."""
    if source not in SOURCES:
        raise ValueError(f"unknown text source {source!r}")
    conn.execute("DELETE FROM text_spans WHERE media_id=? AND source=?", (media_id, source))
    ids = []
    for s in spans:
        cur = conn.execute(
            "INSERT INTO text_spans(media_id, source, start_frame, end_frame, text, box_json, frame, confidence, "
            "language, model) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (media_id, source, int(s.start_frame), int(s.end_frame), s.text,
             json.dumps([round(float(v), 1) for v in s.box]) if s.box else "", s.frame, float(s.confidence),
             s.language, s.model),
        )
        span_id = int(cur.lastrowid)
        ids.append(span_id)
        conn.executemany(
            "INSERT INTO transcript_words(span_id, media_id, idx, word, start_frame, end_frame, start_s, end_s, "
            "probability) VALUES (?,?,?,?,?,?,?,?,?)",
            [(span_id, media_id, i, w.word, int(w.start_frame), int(w.end_frame), float(w.start_s), float(w.end_s),
              float(w.probability)) for i, w in enumerate(s.words)],
        )
    return ids


def set_transcript(conn: sqlite3.Connection, info: TranscriptInfo) -> None:
    conn.execute(
        "INSERT INTO transcripts(media_id, language, language_prob, model, speech_s, created_at) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT(media_id) DO UPDATE SET language=excluded.language, language_prob=excluded.language_prob, "
        "model=excluded.model, speech_s=excluded.speech_s, created_at=excluded.created_at",
        (info.media_id, info.language, float(info.language_prob), info.model, float(info.speech_s), time.time()),
    )


def set_slate(conn: sqlite3.Connection, media_id: int, slate: Slate | None) -> None:
    """Store the media's slate, or forget it (None: no slate was read)."""
    conn.execute("DELETE FROM slates WHERE media_id=?", (media_id,))
    if slate is None:
        return
    conn.execute(
        "INSERT INTO slates(media_id, frame, scene, take, roll, camera, date, raw_text, confidence) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        (media_id, int(slate.frame), slate.scene, slate.take, slate.roll, slate.camera, slate.date, slate.raw_text,
         float(slate.confidence)),
    )


# ---------------------------------------------------------------------------- reads
def _span(row: sqlite3.Row, words: tuple[Word, ...] = ()) -> TextSpan:
    box = tuple(json.loads(row["box_json"])) if row["box_json"] else None
    return TextSpan(
        id=int(row["id"]), media_id=int(row["media_id"]), source=row["source"], start_frame=int(row["start_frame"]),
        end_frame=int(row["end_frame"]), text=row["text"], box=box,  # type: ignore[arg-type]
        frame=None if row["frame"] is None else int(row["frame"]), confidence=float(row["confidence"]),
        language=row["language"], model=row["model"], words=words,
    )


def spans(conn: sqlite3.Connection, flt: SpanFilter, *, with_words: bool = False) -> list[TextSpan]:
    """Spans matching the filter, in (media, start) order."""
    where = [f"source IN ({','.join('?' * len(flt.sources))})"]
    params: list[object] = list(flt.sources)
    if flt.media_ids is not None:
        if not flt.media_ids:
            return []
        where.append(f"media_id IN ({','.join('?' * len(flt.media_ids))})")
        params.extend(int(m) for m in flt.media_ids)
    for text in flt.contains:
        where.append("text LIKE ? ESCAPE '\\'")
        params.append(_like(text))
    if flt.contains_any:
        where.append("(" + " OR ".join(["text LIKE ? ESCAPE '\\'"] * len(flt.contains_any)) + ")")
        params.extend(_like(t) for t in flt.contains_any)
    rows = conn.execute(
        f"SELECT * FROM text_spans WHERE {' AND '.join(where)} ORDER BY media_id, start_frame, id", params
    ).fetchall()
    if not with_words:
        return [_span(r) for r in rows]
    return [_span(r, words_of(conn, int(r["id"]))) for r in rows]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def spans_by_id(conn: sqlite3.Connection, ids: Sequence[int], *, with_words: bool = False) -> dict[int, TextSpan]:
    if not ids:
        return {}
    rows = conn.execute(f"SELECT * FROM text_spans WHERE id IN ({','.join('?' * len(ids))})",
                        [int(i) for i in ids]).fetchall()
    return {int(r["id"]): _span(r, words_of(conn, int(r["id"])) if with_words else ()) for r in rows}


def words_of(conn: sqlite3.Connection, span_id: int) -> tuple[Word, ...]:
    rows = conn.execute("SELECT * FROM transcript_words WHERE span_id=? ORDER BY idx", (span_id,)).fetchall()
    return tuple(Word(r["word"], int(r["start_frame"]), int(r["end_frame"]), float(r["start_s"]), float(r["end_s"]),
                      float(r["probability"])) for r in rows)


def transcript(conn: sqlite3.Connection, media_id: int) -> TranscriptInfo | None:
    row = conn.execute("SELECT * FROM transcripts WHERE media_id=?", (media_id,)).fetchone()
    if row is None:
        return None
    return TranscriptInfo(int(row["media_id"]), row["language"], float(row["language_prob"]), row["model"],
                          float(row["speech_s"]))


def slate(conn: sqlite3.Connection, media_id: int) -> Slate | None:
    row = conn.execute("SELECT * FROM slates WHERE media_id=?", (media_id,)).fetchone()
    if row is None:
        return None
    return Slate(int(row["media_id"]), int(row["frame"]), row["scene"], row["take"], row["roll"], row["camera"],
                 row["date"], row["raw_text"], float(row["confidence"]))


def media_with_slate(conn: sqlite3.Connection, wanted: dict[str, str]) -> list[Slate]:
    """Slates whose fields equal the wanted ones (case-insensitive; leading zeros ignored in numbers)."""
    rows = conn.execute("SELECT media_id FROM slates ORDER BY media_id").fetchall()
    out = []
    for r in rows:
        s = slate(conn, int(r["media_id"]))
        if s is not None and all(_same_field(s.fields().get(k, ""), v) for k, v in wanted.items()):
            out.append(s)
    return out


def _same_field(have: str, want: str) -> bool:
    a, b = have.strip().lower(), want.strip().lower()
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b and a != ""
