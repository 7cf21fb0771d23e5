"""The query language of `rushes search`.

    they argue about money                 words: said, written, or meant (semantic)
    "we're late"                           an exact phrase (ranks first when found)
    @Anna  @"Anna Smith"                   a named people cluster (filter; combines with words)
    scene:12 take:3 roll:A004 camera:B     slate fields (filter)

Everything else is free text. Parsing is pure and total: any string parses, an unclosed quote
runs to the end, a bare `@` is a word.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SLATE_KEYS = ("scene", "take", "roll", "camera", "date")
_KEY_ALIASES = {"sc": "scene", "tk": "take", "reel": "roll", "cam": "camera"}
_WORD_RE = re.compile(r"[\w']+", re.UNICODE)


@dataclass(frozen=True)
class Query:
    text: str                                   # the query as typed
    words: tuple[str, ...] = ()                 # free words, lower case, punctuation stripped
    phrases: tuple[str, ...] = ()               # quoted phrases, lower case
    people: tuple[str, ...] = ()                # @names as typed (matched case-insensitively)
    slate: dict[str, str] = field(default_factory=dict)

    @property
    def free_text(self) -> str:
        """What the meaning and image-text channels embed: phrases and words, in typed order."""
        return " ".join([*self.phrases, *self.words]).strip()

    @property
    def terms(self) -> tuple[str, ...]:
        """Every exact term (phrases and words) a line must contain to match exactly."""
        return (*self.phrases, *self.words)

    @property
    def has_content(self) -> bool:
        return bool(self.words or self.phrases)


def _read_quoted(text: str, i: int) -> tuple[str, int]:
    """The text inside quotes starting at text[i] == '"'; index after the closing quote."""
    end = text.find('"', i + 1)
    if end < 0:
        return text[i + 1:], len(text)
    return text[i + 1:end], end + 1


def words_of(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept: "we're" is one word)."""
    return [w.lower() for w in _WORD_RE.findall(text)]


def parse_query(text: str) -> Query:
    words: list[str] = []
    phrases: list[str] = []
    people: list[str] = []
    slate: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "@" and i + 1 < n and text[i + 1] == '"':
            name, i = _read_quoted(text, i + 1)
            if name.strip():
                people.append(" ".join(name.split()))
            continue
        if c == '"':
            phrase, i = _read_quoted(text, i)
            toks = words_of(phrase)
            if len(toks) > 1:
                phrases.append(" ".join(toks))
            else:
                words.extend(toks)
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] != '"':
            j += 1
        token = text[i:j]
        i = j
        if token.startswith("@") and len(token) > 1:
            people.append(token[1:])
            continue
        if ":" in token:
            key, _, value = token.partition(":")
            key = _KEY_ALIASES.get(key.lower(), key.lower())
            if key in SLATE_KEYS and value:
                slate[key] = value
                continue
        words.extend(words_of(token))
    return Query(text=text, words=tuple(words), phrases=tuple(phrases), people=tuple(people), slate=slate)
