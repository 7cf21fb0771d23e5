"""Offline ranking of candidate windows with the MiniLM sentence vectors already in the project.

Each sentence is embedded once; a window's vector is the word-weighted mean of its sentences'
vectors, made unit length (mean pooling is how MiniLM builds a sentence vector in the first
place, so this stays close to embedding the window's text, at a fraction of the cost: one
embedding per sentence instead of one per window, which matters for an hour of interview).

- With a topic: each sentence's cosine to the topic; a window scores the mean of its best
  sentence's and its word-weighted mean sentence's. A window that pads the relevant lines with
  unrelated ones scores lower, so the tightest stretch that still lasts `min_s` wins, and one
  where several sentences are on the topic beats one with a single line. Windows below
  `topic_min` are not about the topic and are left out (measured on dialogue.wav and the
  LibriVox readings: right stretches 0.29-0.81, unrelated ones 0.18 at most).
- Without one: a moment that stands on its own. Weighted sum (weights below, each part 0..1):
  a question followed by its answer (the window opens on a question and goes on past it), one
  subject (mean cosine between the window's sentences), what the media is about (cosine to the
  whole transcript) and information density (distinct content words per second, against the
  media's own best).

Then non-maximum suppression: best first, a window is kept when it overlaps every kept one by
at most `max_overlap` of the shorter. Ties break on time, so the order never depends on chance.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

import numpy as np

from rushes.search.clips.types import Clip, ClipConfig, Sentence, Window, make_clip

EmbedFn = Callable[[Sequence[str]], np.ndarray]

W_QUESTION = 0.35
W_COHERENCE = 0.25
W_CENTRAL = 0.2
W_DENSITY = 0.2

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
# Function words and fillers: what does not carry information in "information density".
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other
our ours ourselves out over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself yourselves i'm you're it's that's don't didn't isn't there's we're they're i've
i'll i'd oh um uh uhm mm hmm yeah yes okay ok well like know mean really right gonna wanna got get
""".split())


@dataclass(frozen=True)
class Scored:
    window: Window
    score: float
    reason: str


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def _content_words(text: str) -> list[str]:
    return [w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in STOPWORDS]


class _Vectors:
    """Sentence vectors and word counts, and window vectors built from them."""

    def __init__(self, sents: Sequence[Sentence], embed: EmbedFn) -> None:
        self.vecs = np.asarray(embed([s.text for s in sents]), dtype=np.float32)
        self.weights = np.array([max(1, len(_WORD.findall(s.text))) for s in sents], dtype=np.float32)

    def window(self, w: Window) -> np.ndarray:
        sl = slice(w.first, w.last + 1)
        return _unit((self.vecs[sl] * self.weights[sl, None]).sum(0))

    def whole(self) -> np.ndarray:
        return _unit((self.vecs * self.weights[:, None]).sum(0))


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "\u2026"
    return "\u201c" + text + "\u201d"


def score_topic(sents: Sequence[Sentence], wins: Sequence[Window], embed: EmbedFn, topic: str) -> list[Scored]:
    vec = _Vectors(sents, embed)
    t = _unit(np.asarray(embed([topic]), dtype=np.float32)[0])
    per_sentence = vec.vecs @ t
    out = []
    for w in wins:
        rel = per_sentence[w.first:w.last + 1]
        weights = vec.weights[w.first:w.last + 1]
        sim = 0.5 * float(rel.max()) + 0.5 * float((rel * weights).sum() / weights.sum())
        best = w.first + int(np.argmax(rel))
        out.append(Scored(w, max(0.0, sim), f"about {_quote(topic, 40)} (similarity {sim:.2f}): {_quote(sents[best].text)}"))
    return out


def score_standalone(sents: Sequence[Sentence], wins: Sequence[Window], embed: EmbedFn, rate: Fraction) -> list[Scored]:
    vec = _Vectors(sents, embed)
    whole = vec.whole()
    sims = vec.vecs @ vec.vecs.T
    content = [frozenset(_content_words(s.text)) for s in sents]
    raw_density = []
    for w in wins:
        secs = max(float(Fraction(w.end_frame - w.start_frame) / rate), 0.5)
        raw_density.append(len(frozenset().union(*content[w.first:w.last + 1])) / secs)
    top_density = float(np.percentile(raw_density, 90)) if raw_density else 1.0
    out = []
    for w, dens in zip(wins, raw_density):
        n = w.last - w.first + 1
        first = sents[w.first]
        if first.question and n > 1 and not sents[w.last].question:
            qa, qa_text = 1.0, f"a question and its answer: {_quote(first.text)}"
        elif any(sents[i].question and not sents[i + 1].question for i in range(w.first, w.last)):
            q = next(i for i in range(w.first, w.last) if sents[i].question and not sents[i + 1].question)
            qa, qa_text = 0.5, f"a question and its answer: {_quote(sents[q].text)}"
        else:
            qa, qa_text = 0.0, ""
        if n > 1:
            block = sims[w.first:w.last + 1, w.first:w.last + 1]
            coherence = float((block.sum() - np.trace(block)) / (n * (n - 1)))
        else:
            coherence = 0.5
        coherence = min(1.0, max(0.0, coherence))
        central = max(0.0, float(vec.window(w) @ whole))
        density = min(1.0, dens / top_density) if top_density > 0 else 0.0
        score = W_QUESTION * qa + W_COHERENCE * coherence + W_CENTRAL * central + W_DENSITY * density
        parts = sorted(((W_COHERENCE * coherence, "one subject"), (W_CENTRAL * central, "what the media is about"),
                       (W_DENSITY * density, "dense")), reverse=True)
        reason = qa_text or parts[0][1]
        reason += f" (question {qa:.1f}, subject {coherence:.2f}, topic {central:.2f}, density {density:.2f})"
        out.append(Scored(w, score, reason))
    return out


def suppress(scored: Sequence[Scored], limit: int, max_overlap: float = 0.0) -> list[Scored]:
    """Best first; a window overlapping a kept one by more than `max_overlap` of the shorter is dropped."""
    order = sorted(scored, key=lambda s: (-s.score, s.window.start_frame, s.window.end_frame))
    kept: list[Scored] = []
    for s in order:
        if len(kept) >= limit:
            break
        a = s.window
        if all(overlap(a, k.window) <= max_overlap + 1e-9 for k in kept):
            kept.append(s)
    return kept


def overlap(a: Window, b: Window) -> float:
    """How much of the shorter window the two share (0..1)."""
    inter = min(a.end_frame, b.end_frame) - max(a.start_frame, b.start_frame)
    if inter <= 0:
        return 0.0
    return inter / max(1, min(a.end_frame - a.start_frame, b.end_frame - b.start_frame))


def rank(media_id: int, rate: Fraction, sents: Sequence[Sentence], wins: Sequence[Window], embed: EmbedFn,
         cfg: ClipConfig, *, topic: str = "", limit: int = 0) -> list[Clip]:
    """The best clips of one media, best first."""
    if not wins:
        return []
    if topic.strip():
        scored = [s for s in score_topic(sents, wins, embed, topic) if s.score >= cfg.topic_min]
    else:
        scored = score_standalone(sents, wins, embed, rate)
    kept = suppress(scored, limit or cfg.count, cfg.max_overlap)
    return [make_clip(media_id, rate, s.window, s.score, s.reason) for s in kept]
