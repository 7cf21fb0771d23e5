"""Pure parts of search: the query language, rank fusion, slate reading from OCR lines, row
merging, and subtitle rendering. Real-footage behaviour is in test_search_real.py."""
from __future__ import annotations

from fractions import Fraction

import pytest


def test_query_language_words_phrases_people_and_slate_fields():
    from rushes.search.query import parse_query

    q = parse_query('@Anna @"Anna  Smith" "We\'re late!" scene:12 TK:3 roll:A004 the bridge, at night')
    assert q.people == ("Anna", "Anna Smith")
    assert q.phrases == ("we're late",)
    assert q.words == ("the", "bridge", "at", "night")
    assert q.slate == {"scene": "12", "take": "3", "roll": "A004"}
    assert q.terms == ("we're late", "the", "bridge", "at", "night")
    assert q.free_text == "we're late the bridge at night"


@pytest.mark.parametrize("text, words, phrases, people", [
    ('"unclosed phrase here', (), ("unclosed phrase here",), ()),
    ("@", (), (), ()),
    ('"single"', ("single",), (), ()),
    ("time:12 harbour", ("time", "12", "harbour"), (), ()),     # not a slate key: plain words
    ('@"" hello', ("hello",), (), ()),
])
def test_query_language_is_total(text, words, phrases, people):
    from rushes.search.query import parse_query

    q = parse_query(text)
    assert (q.words, q.phrases, q.people) == (words, phrases, people)


def test_rank_fusion_matches_qdrant_client():
    """Same numbers as qdrant-client's reciprocal_rank_fusion (k=2, rank from 0) on the same lists."""
    from qdrant_client.hybrid.fusion import reciprocal_rank_fusion as qdrant_rrf
    from qdrant_client.http import models

    from rushes.search.fusion import reciprocal_rank_fusion

    lists = [["a", "b", "c"], ["c", "a"], ["d"]]
    ours = reciprocal_rank_fusion(lists)
    ids = {"a": 1, "b": 2, "c": 3, "d": 4}
    theirs = qdrant_rrf([[models.ScoredPoint(id=ids[x], version=0, score=0.0) for x in lst] for lst in lists], limit=10)
    assert {p.id: round(p.score, 9) for p in theirs} == {ids[k]: round(v, 9) for k, v in ours.items()}
    assert max(ours, key=ours.get) == "a"      # first and second beats a lone first (c: third and first)


def _line(text, x0, y0, x1, y1, conf=0.95):
    from rushes.ocr.engine import TextLine

    return TextLine(text, (x0, y0, x1, y1), conf)


def test_slate_one_line_per_field_and_words_boxed_apart():
    from rushes.ocr.engine import merge_rows
    from rushes.ocr.slate import read_slate

    # What PP-OCRv4 returned for the drawtext slate on cockatoo.mp4: words boxed one by one.
    raw = [_line("SCENE", 43, 40, 187, 71), _line("12", 179, 38, 256, 73), _line("TAKE", 298, 41, 417, 71),
           _line("3", 401, 40, 454, 71), _line("ROLL A004", 43, 104, 284, 136), _line("CAM", 329, 104, 431, 136),
           _line("B", 432, 104, 470, 136), _line("DATE", 43, 168, 162, 199), _line("2026-11-30", 170, 169, 427, 199)]
    rows = merge_rows(raw)
    assert [r.text for r in rows] == ["SCENE 12 TAKE 3", "ROLL A004 CAM B", "DATE 2026-11-30"]
    s = read_slate(rows)
    assert s is not None
    assert s.fields == {"scene": "12", "take": "3", "roll": "A004", "camera": "B", "date": "2026-11-30"}


def test_slate_labels_above_values():
    from rushes.ocr.slate import read_slate

    lines = [_line("ROLL", 20, 10, 120, 40), _line("SCENE", 200, 10, 330, 40), _line("TAKE", 420, 10, 520, 40),
             _line("B012", 25, 60, 115, 110), _line("47A", 210, 60, 320, 110), _line("4", 450, 60, 490, 110)]
    s = read_slate(lines)
    assert s is not None and (s.fields["roll"], s.fields["scene"], s.fields["take"]) == ("B012", "47A", "4")


def test_a_title_card_is_not_a_slate():
    from rushes.ocr.slate import read_slate

    assert read_slate([_line("TAKE ME HOME", 10, 10, 300, 50)]) is None
    assert read_slate([_line("A (slightly overweight) bunny", 266, 330, 1012, 392)]) is None


def test_subtitles_count_time_from_frames_on_the_media_rate():
    from rushes.catalog.texts import TextSpan
    from rushes.speech.export import to_srt, to_vtt

    rate = Fraction(30000, 1001)
    spans = [TextSpan(1, "speech", 0, 45, "Hello there."), TextSpan(1, "speech", 3600, 3690, "One more.")]
    srt = to_srt(spans, rate)
    assert srt.splitlines()[:3] == ["1", "00:00:00,000 --> 00:00:01,502", "Hello there."]
    assert "00:02:00,120 --> 00:02:03,123" in srt
    vtt = to_vtt(spans, rate)
    assert vtt.startswith("WEBVTT\n") and "00:00:00.000 --> 00:00:01.502\nHello there." in vtt
