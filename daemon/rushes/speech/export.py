"""Transcripts as subtitles: SRT, WebVTT and JSON, from the stored speech spans.

Times come from the spans' frames on the media's own rate (what an editor's timeline uses),
not from the model's seconds, so a subtitle lands on the frame the search reported.
"""
from __future__ import annotations

import json
from fractions import Fraction
from typing import Sequence

from rushes.catalog import texts

FORMATS = ("srt", "vtt", "json")


def _clock(frame: int, rate: Fraction, sep: str) -> str:
    ms = int(round(Fraction(frame) / rate * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(spans: Sequence[texts.TextSpan], rate: Fraction) -> str:
    blocks = []
    for i, s in enumerate(spans, 1):
        blocks.append(f"{i}\n{_clock(s.start_frame, rate, ',')} --> {_clock(s.end_frame, rate, ',')}\n{s.text}\n")
    return "\n".join(blocks)


def to_vtt(spans: Sequence[texts.TextSpan], rate: Fraction) -> str:
    blocks = ["WEBVTT\n"]
    for s in spans:
        blocks.append(f"{_clock(s.start_frame, rate, '.')} --> {_clock(s.end_frame, rate, '.')}\n{s.text}\n")
    return "\n".join(blocks)


def to_json(spans: Sequence[texts.TextSpan], rate: Fraction, info: texts.TranscriptInfo | None) -> str:
    def sec(f: int) -> float:
        return round(float(Fraction(f) / rate), 4)

    doc = {
        "language": info.language if info else "", "model": info.model if info else "",
        "segments": [{
            "start_frame": s.start_frame, "end_frame": s.end_frame, "start_s": sec(s.start_frame),
            "end_s": sec(s.end_frame), "text": s.text,
            "words": [{"word": w.word, "start_frame": w.start_frame, "end_frame": w.end_frame,
                       "start_s": w.start_s, "end_s": w.end_s, "probability": w.probability} for w in s.words],
        } for s in spans],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(fmt: str, spans: Sequence[texts.TextSpan], rate: Fraction, info: texts.TranscriptInfo | None) -> str:
    if fmt == "srt":
        return to_srt(spans, rate)
    if fmt == "vtt":
        return to_vtt(spans, rate)
    if fmt == "json":
        return to_json(spans, rate, info)
    raise ValueError(f"unknown transcript format {fmt!r}: use {', '.join(FORMATS)}")
