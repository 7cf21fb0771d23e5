"""Transcript words -> sentences -> candidate windows that start and end on sentence bounds.

Whisper's words carry their punctuation ("Hello?", " there."), so a sentence ends at a word
ending in . ? ! or an ellipsis (not after a title such as "Mr."), and a turn ends at a silence of
`pause_s` between two words even without punctuation (speakers often leave it out). A sentence
longer than `max_s` is cut at its longest pause, again and again, so every sentence fits a clip.
Frames come from the stored words (the speech step put them on the media's own rate); seconds
are only read to compare durations.
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Iterator, Sequence

from rushes.catalog.texts import TextSpan, Word
from rushes.search.clips.types import Sentence, Window

_END = re.compile(r"[.?!\u2026\u3002\uff1f\uff01][\"'\u201d\u2019)\]]*$")
_TITLES = {"mr.", "mrs.", "ms.", "dr.", "st.", "jr.", "sr.", "prof.", "vs.", "etc.", "e.g.", "i.e."}


def words_of(spans: Sequence[TextSpan]) -> list[Word]:
    """Every word of the speech spans, in time order (spans are stored in start order)."""
    out = [w for s in spans for w in s.words if w.word.strip()]
    return sorted(out, key=lambda w: (w.start_s, w.start_frame))


def _ends_sentence(word: str) -> bool:
    w = word.strip()
    return bool(_END.search(w)) and w.lower() not in _TITLES


def _join(words: Sequence[Word]) -> str:
    """Whisper words carry their own leading space ("ill" "-disposed" is one word said); words from
    an engine that strips them get one."""
    if len(words) == 1 or any(w.word[:1].isspace() for w in words[1:]):
        return "".join(w.word for w in words).strip()
    return " ".join(w.word.strip() for w in words)


def _split_long(words: list[Word], max_s: float) -> list[list[Word]]:
    if len(words) < 2 or words[-1].end_s - words[0].start_s <= max_s:
        return [words]
    gaps = [(words[i + 1].start_s - words[i].end_s, -abs(i + 1 - len(words) / 2), i + 1) for i in range(len(words) - 1)]
    cut = max(gaps)[2]           # the longest pause; ties: the one nearest the middle
    return _split_long(words[:cut], max_s) + _split_long(words[cut:], max_s)


def sentences(words: Sequence[Word], *, pause_s: float = 1.0, max_s: float = 30.0) -> list[Sentence]:
    """The transcript's sentences (and turns) in order, numbered from 0."""
    groups: list[list[Word]] = []
    current: list[Word] = []
    for i, w in enumerate(words):
        current.append(w)
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is None or _ends_sentence(w.word) or nxt.start_s - w.end_s >= pause_s:
            groups.extend(_split_long(current, max_s))
            current = []
    out = []
    for g in groups:
        text = _join(g)
        out.append(Sentence(index=len(out), text=text, start_frame=g[0].start_frame,
                            end_frame=max(g[-1].end_frame, g[0].start_frame + 1),
                            question=text.rstrip("\"'\u201d\u2019)] ").endswith(("?", "\uff1f"))))
    return out


def windows(sents: Sequence[Sentence], rate: Fraction, *, min_s: float = 4.0, max_s: float = 30.0) -> Iterator[Window]:
    """Every run of consecutive sentences lasting min_s..max_s (from the first word's start to the
    last word's end). A transcript shorter than min_s in all is one window."""
    n = len(sents)
    if n == 0:
        return
    seconds = lambda frames: float(Fraction(frames) / rate)  # noqa: E731
    if seconds(sents[-1].end_frame - sents[0].start_frame) < min_s:
        yield _window(sents, 0, n - 1)
        return
    for i in range(n):
        for j in range(i, n):
            length = seconds(sents[j].end_frame - sents[i].start_frame)
            if length > max_s:
                break
            if length >= min_s:
                yield _window(sents, i, j)


def _window(sents: Sequence[Sentence], i: int, j: int) -> Window:
    return Window(first=i, last=j, start_frame=sents[i].start_frame, end_frame=sents[j].end_frame,
                  text=" ".join(s.text for s in sents[i:j + 1]))
