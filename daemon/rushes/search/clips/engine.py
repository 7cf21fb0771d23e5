"""One media's clips: read its transcript from the catalog, cut it into sentences and windows,
rank offline or ask the LLM endpoint. The caller (the server) hands in the text embedder."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from fractions import Fraction

from rushes.catalog import texts
from rushes.errors import FailedPrecondition, InvalidArgument, NotFound
from rushes.ingest.timecode import parse_rate
from rushes.search.clips import llm, rank, units
from rushes.search.clips.types import RANKERS, Clip, ClipConfig


@dataclass(frozen=True)
class ClipsResult:
    clips: list[Clip]
    ranker: str                  # offline | llm
    sentences: int               # how many sentences the transcript was cut into


def media_rate(media: sqlite3.Row) -> Fraction:
    """The media's own rate, as the speech step numbered its words' frames."""
    return parse_rate(f"{media['fps_num'] or 25}/{media['fps_den'] or 1}")


def check(cfg: ClipConfig, ranker: str, limit: int) -> None:
    if ranker not in RANKERS:
        raise InvalidArgument(f"unknown clip ranker {ranker!r}: use {' or '.join(RANKERS)}")
    if not 0 < cfg.min_s <= cfg.max_s:
        raise InvalidArgument(f"clips_min_s ({cfg.min_s:g}) must be above 0 and at most clips_max_s ({cfg.max_s:g})")
    if cfg.pause_s <= 0 or not 0 <= cfg.max_overlap <= 1 or cfg.count < 1 or limit < 0:
        raise InvalidArgument("clips_pause_s must be above 0, clips_max_overlap within 0..1, clips_count and the "
                              "limit at least 1")


def clips_for_media(conn: sqlite3.Connection, media: sqlite3.Row, cfg: ClipConfig, *, topic: str = "",
                    limit: int = 0, ranker: str = "", embed: rank.EmbedFn | None = None) -> ClipsResult:
    ranker = ranker or cfg.ranker
    check(cfg, ranker, limit)
    media_id = int(media["id"])
    if texts.transcript(conn, media_id) is None:
        raise NotFound(f"media {media_id} ({media['path']}) has no transcript yet: it has no audio, is still being "
                       "analysed (`rushes jobs`), or no Whisper model is installed (`rushes models list`)")
    spans = texts.spans(conn, texts.SpanFilter(media_ids=[media_id], sources=("speech",)), with_words=True)
    sents = units.sentences(units.words_of(spans), pause_s=cfg.pause_s, max_s=cfg.max_s)
    rate = media_rate(media)
    if not sents:
        return ClipsResult([], ranker, 0)
    if ranker == "llm":
        return ClipsResult(llm.pick(media_id, rate, sents, cfg, topic=topic, limit=limit), ranker, len(sents))
    if embed is None:
        raise FailedPrecondition("the offline clip ranker needs all-minilm-l6-v2: run `rushes models pull "
                                 "all-minilm-l6-v2` (or `rushes models import all-minilm-l6-v2 DIR`)")
    wins = list(units.windows(sents, rate, min_s=cfg.min_s, max_s=cfg.max_s))
    return ClipsResult(rank.rank(media_id, rate, sents, wins, embed, cfg, topic=topic, limit=limit), ranker, len(sents))
