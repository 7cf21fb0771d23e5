"""Clips picked and described by an OpenAI-compatible chat endpoint (`RUSHES_LLM_URL`).

The model sees the transcript as numbered sentences with their times and must answer JSON
naming sentence ranges: {"clips": [{"first": 3, "last": 5, "reason": "...", "score": 0.8}]}.
Nothing it says about time is trusted: a clip's frames are its first and last sentence's, which
come from the stored word times. The answer is checked strictly (the chat-completions envelope,
then the JSON, every field's type, every range inside the transcript and no longer than
`max_s`); anything else is a FailedPrecondition that names the endpoint and what was wrong, so
the editor knows to fix the endpoint or use the offline ranker. The key goes in the
Authorization header only, never into a message or a log.

The standard library's urllib does the one POST: no extra dependency for a single request.
"""
from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from fractions import Fraction
from typing import Any, Sequence

from rushes.errors import FailedPrecondition
from rushes.search.clips.rank import Scored, overlap
from rushes.search.clips.types import Clip, ClipConfig, Sentence, Window, make_clip

MAX_ANSWER_BYTES = 2 * 1024 * 1024
MAX_REASON = 500

SYSTEM = ("You pick clips from an interview or conversation transcript for a video editor. Answer with JSON only, "
          "no prose: {\"clips\": [{\"first\": N, \"last\": M, \"reason\": \"why this moment, in one sentence\", "
          "\"score\": 0.0-1.0}]}, best first. N and M are sentence numbers from the transcript (inclusive, "
          "first <= last). Each clip must be a moment that stands on its own")


def prompt(sents: Sequence[Sentence], rate: Fraction, cfg: ClipConfig, topic: str, limit: int) -> str:
    def t(frame: int) -> str:
        return f"{float(Fraction(frame) / rate):.1f}"

    want = (f"the moments about: {topic}" if topic.strip()
            else "the moments that carry a topic or answer a question")
    lines = [f"Pick at most {limit} clips: {want}. Each clip lasts {cfg.min_s:g} to {cfg.max_s:g} seconds "
             "(the times are given for each sentence) and clips do not overlap.", "", "Transcript:"]
    lines += [f"[{s.index}] ({t(s.start_frame)}-{t(s.end_frame)} s) {s.text}" for s in sents]
    return "\n".join(lines)


def _endpoint(cfg: ClipConfig) -> str:
    if not cfg.llm_url:
        raise FailedPrecondition("picking clips with an LLM needs an endpoint: set RUSHES_LLM_URL to an "
                                 "OpenAI-compatible base URL (e.g. http://localhost:11434/v1) and RUSHES_LLM_KEY "
                                 "if it needs a key, or use the offline ranker")
    if not re.match(r"^https?://", cfg.llm_url):
        raise FailedPrecondition(f"RUSHES_LLM_URL {cfg.llm_url!r} is not an http(s) URL")
    return cfg.llm_url.rstrip("/") + "/chat/completions"


def ask(cfg: ClipConfig, text: str) -> str:
    """POST the chat request; the message content the model answered (or FailedPrecondition)."""
    url = _endpoint(cfg)
    body = json.dumps({"model": cfg.llm_model, "temperature": 0,
                       "response_format": {"type": "json_object"},
                       "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]})
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if cfg.llm_key:
        headers["Authorization"] = f"Bearer {cfg.llm_key}"
    req = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=cfg.llm_timeout_s) as resp:
            raw = resp.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        raise FailedPrecondition(f"the LLM endpoint {url} answered HTTP {exc.code} {exc.reason}"
                                 + (f": {detail}" if detail else "")
                                 + (" (check RUSHES_LLM_KEY)" if exc.code in (401, 403) else "")) from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        why = getattr(exc, "reason", exc)
        raise FailedPrecondition(f"the LLM endpoint {url} is not reachable ({why}): start it, fix RUSHES_LLM_URL, "
                                 "or use the offline ranker") from None
    if len(raw) > MAX_ANSWER_BYTES:
        raise _nonsense(url, f"the answer is larger than {MAX_ANSWER_BYTES} bytes")
    try:
        envelope = json.loads(raw.decode("utf-8"))
        content = envelope["choices"][0]["message"]["content"]
    except (UnicodeDecodeError, ValueError) as exc:
        raise _nonsense(url, f"not JSON ({exc})") from None
    except (KeyError, IndexError, TypeError):
        raise _nonsense(url, "no choices[0].message.content (not the chat-completions format)") from None
    if not isinstance(content, str):
        raise _nonsense(url, "choices[0].message.content is not text")
    return content


def _nonsense(url: str, what: str) -> FailedPrecondition:
    return FailedPrecondition(f"the LLM endpoint {url} answered something Rushes cannot use: {what}; "
                              "try another model (RUSHES_LLM_MODEL) or the offline ranker")


def _strip_fence(text: str) -> str:
    m = re.match(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", text, re.S)
    return m.group(1) if m else text.strip()


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse(content: str, sents: Sequence[Sentence], rate: Fraction, cfg: ClipConfig, url: str) -> list[Scored]:
    """The model's clips as windows, in its order, checked against the transcript."""
    try:
        doc = json.loads(_strip_fence(content))
    except ValueError as exc:
        raise _nonsense(url, f"the message is not JSON ({exc.msg} at character {exc.pos})") from None
    items = doc.get("clips") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise _nonsense(url, 'the JSON has no "clips" list')
    out = []
    n = len(sents)
    for k, item in enumerate(items):
        where = f"clip {k + 1}"
        if not isinstance(item, dict):
            raise _nonsense(url, f"{where} is not an object")
        first, last = _whole(item.get("first")), _whole(item.get("last"))
        if first is None or last is None:
            raise _nonsense(url, f'{where} needs whole-number "first" and "last" sentence numbers')
        if not (0 <= first <= last < n):
            raise _nonsense(url, f"{where} names sentences {first}-{last}, but the transcript has sentences 0-{n - 1}")
        reason = item.get("reason", "")
        if not isinstance(reason, str) or not reason.strip():
            raise _nonsense(url, f'{where} has no "reason" text')
        score = item.get("score", None)
        if score is None:
            score = 1.0 - k / max(1, len(items))
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0.0 <= float(score) <= 1.0:
            raise _nonsense(url, f'{where} has a "score" that is not a number from 0 to 1')
        w = Window(first, last, sents[first].start_frame, sents[last].end_frame,
                   " ".join(s.text for s in sents[first:last + 1]))
        length = float(Fraction(w.end_frame - w.start_frame) / rate)
        if length > cfg.max_s + 1e-6:
            raise _nonsense(url, f"{where} (sentences {first}-{last}) lasts {length:.1f} s, longer than "
                                 f"clips_max_s {cfg.max_s:g} s")
        out.append(Scored(w, float(score), " ".join(reason.split())[:MAX_REASON]))
    return out


def pick(media_id: int, rate: Fraction, sents: Sequence[Sentence], cfg: ClipConfig, *, topic: str = "",
         limit: int = 0) -> list[Clip]:
    """Ask the endpoint, check the answer, return its clips (model order, overlaps dropped)."""
    limit = limit or cfg.count
    if not sents:
        return []
    content = ask(cfg, prompt(sents, rate, cfg, topic, limit))
    scored = parse(content, sents, rate, cfg, _endpoint(cfg))
    kept: list[Scored] = []
    for s in scored:                  # the model's order is its ranking; overlaps with a better one dropped
        if len(kept) >= limit:
            break
        if all(overlap(s.window, k.window) <= cfg.max_overlap + 1e-9 for k in kept):
            kept.append(s)
    return [make_clip(media_id, rate, s.window, s.score, s.reason) for s in kept]
