"""The subtitle clipper (`rushes clips`) on real speech through the real daemon: a topic drawn
from the reference finds its stretch at the times it was said (dialogue.wav's STM, the LibriVox
readings' own lengths), clips without a topic respect sentence bounds and never overlap, and the
LLM ranker against a real local HTTP server speaking the chat-completions protocol: a good
answer mapped back through word times, and an endpoint that is down, answers prose, or names
sentences that do not exist, each a clear error and never a crash."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rushes_testkit import DaemonProcess, ffmpeg, real_media, seed_models

from rushes.catalog.texts import Word
from rushes.search.clips import units

# reading.wav: speech_0870 (7.10 s) + 1 s + speech_0880 (2.99 s) + 1 s + speech_0890 (5.30 s).
READING = {"speech_0870.wav": (0.0, 7.10), "speech_0880.wav": (8.10, 11.09), "speech_0890.wav": (12.09, 17.39)}
# Whisper's word times against the STM / the recordings' own ends: 0.3 s seen, 0.5 s allowed.
TOL = 0.5


def _w(text: str, a: float, b: float) -> Word:
    return Word(text, round(a * 25), round(b * 25), a, b)


def test_sentences_end_at_punctuation_and_pauses_and_windows_keep_their_bounds():
    from fractions import Fraction

    words = [_w(" Where", 0.0, 0.3), _w(" are", 0.3, 0.5), _w(" you", 0.5, 0.7), _w(" from?", 0.7, 1.0),
             _w(" Mr.", 1.2, 1.4), _w(" Smith", 1.4, 1.8), _w(" said", 1.8, 2.0), _w(" Texas.", 2.0, 2.6),
             _w(" and", 4.0, 4.2), _w(" then", 4.2, 4.5), _w(" nothing", 4.5, 5.0)]
    sents = units.sentences(words, pause_s=1.0, max_s=30.0)
    assert [(s.text, s.question) for s in sents] == [("Where are you from?", True), ("Mr. Smith said Texas.", False),
                                                     ("and then nothing", False)]
    assert [(s.start_frame, s.end_frame) for s in sents] == [(0, 25), (30, 65), (100, 125)]
    wins = list(units.windows(sents, Fraction(25), min_s=2.0, max_s=3.0))
    assert [(w.first, w.last) for w in wins] == [(0, 1)]          # 0-2.6 s; 0-5.0 s is too long
    long = [_w(f" w{i}", i * 0.5, i * 0.5 + 0.4) for i in range(10)] + \
           [_w(f" v{i}", 7.0 + i * 0.5, 7.4 + i * 0.5) for i in range(10)]
    cut = units.sentences(long, pause_s=5.0, max_s=6.0)          # one 11.9 s sentence cut at its 2.1 s pause
    assert [(s.start_frame, s.end_frame) for s in cut] == [(long[0].start_frame, long[9].end_frame),
                                                           (long[10].start_frame, long[19].end_frame)]


def test_without_a_topic_a_question_and_its_answer_make_the_clip(settings):
    """The offline ranker with the real MiniLM: between filler, the question and its answer win."""
    from fractions import Fraction

    from rushes.search.clips import rank
    from rushes.search.clips.types import ClipConfig
    from rushes.search.loader import load_text_embedder

    embedder = load_text_embedder(settings)
    if embedder is None:
        pytest.skip("all-minilm-l6-v2 is not pulled (rushes models pull all-minilm-l6-v2)")
    said = [("So, um, yeah, okay.", 0.0, 2.0), ("Well, you know, it was like that.", 2.5, 5.0),
            ("Where did you grow up?", 6.0, 7.5),
            ("I grew up in Chicago, right by the lake, and moved to Texas when I was twenty.", 7.8, 12.0),
            ("Okay, yeah, right.", 13.0, 14.5), ("Um, so, anyway, well.", 15.0, 17.0)]
    words = []
    for text, a, b in said:
        parts = text.split()
        step = (b - a) / len(parts)
        words += [_w(" " + p, a + i * step, a + (i + 1) * step) for i, p in enumerate(parts)]
    sents = units.sentences(words, pause_s=0.4)
    assert [s.text for s in sents] == [t for t, _, _ in said] and sents[2].question
    rate = Fraction(25)
    cfg = ClipConfig()
    clips = rank.rank(7, rate, sents, list(units.windows(sents, rate, min_s=cfg.min_s, max_s=cfg.max_s)),
                      embedder.embed, cfg, limit=1)
    assert (clips[0].first_sentence, clips[0].last_sentence) == (2, 3), clips
    assert clips[0].reason.startswith("a question and its answer: \u201cWhere did you grow up?")
    assert (clips[0].start_frame, clips[0].end_frame) == (150, 300) and clips[0].id == "clip-7-150-300"


class _Chat(BaseHTTPRequestHandler):
    """POST /v1/chat/completions as an OpenAI-compatible server answers it; `server.mode` picks the answer."""

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv = self.server
        srv.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.path != "/v1/chat/completions":
            return self._send(404, {"error": {"message": "no such route"}})
        prompt = body["messages"][-1]["content"]
        lines = {int(m.group(1)): (float(m.group(2)), float(m.group(3)), m.group(4))
                 for m in re.finditer(r"^\[(\d+)\] \(([\d.]+)-([\d.]+) s\) (.*)$", prompt, re.M)}
        srv.lines = lines
        if srv.mode == "good":
            chosen = sorted(i for i, (_, _, text) in lines.items() if "Chicago" in text)
            clips = [{"first": chosen[0], "last": chosen[-1], "reason": "Where the two of them are from", "score": 0.9,
                      "start_s": 999.0, "end_s": 1000.0}]       # times the model made up: never used
            content = "```json\n" + json.dumps({"clips": clips}) + "\n```"
        elif srv.mode == "prose":
            content = "Sure! The best moment is when they talk about Chicago."
        elif srv.mode == "out_of_range":
            content = json.dumps({"clips": [{"first": 0, "last": len(lines) + 40, "reason": "everything"}]})
        else:
            return self._send(500, {"error": {"message": "model overloaded"}})
        self._send(200, {"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": content}}]})

    def _send(self, code: int, doc: dict) -> None:
        data = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def talk(tmp_path_factory, _pulled_models):
    """dialogue.wav and reading.wav ingested by a real daemon whose RUSHES_LLM_URL is a real local
    chat server."""
    folder = tmp_path_factory.mktemp("clips")
    reading = folder / "reading.wav"
    ffmpeg(*[a for n in READING for a in ("-i", str(real_media(n)))], "-filter_complex",
           "[0]apad=pad_dur=1[a0];[1]apad=pad_dur=1[a1];[a0][a1][2]concat=n=3:v=0:a=1[a]", "-map", "[a]",
           "-ar", "16000", str(reading))
    dialogue = real_media("dialogue.wav")
    chat = ThreadingHTTPServer(("127.0.0.1", 0), _Chat)
    chat.mode, chat.seen, chat.lines = "good", [], {}
    threading.Thread(target=chat.serve_forever, daemon=True).start()
    home = folder / "home"
    home.mkdir()
    seed_models(home, None, _pulled_models[0])
    env = {"XDG_CONFIG_HOME": str(home / "config"), "RUSHES_LLM_URL": f"http://127.0.0.1:{chat.server_port}/v1",
           "RUSHES_LLM_KEY": "sk-test-123", "RUSHES_LLM_MODEL": "small-local-model", "RUSHES_LLM_TIMEOUT_S": "20"}
    if _pulled_models[1] is not None:
        env["RUSHES_MODEL_CACHE"] = str(_pulled_models[1])
    with DaemonProcess(home, env=env) as d:
        jobs = json.loads(d.cli("ingest", "--wait", "--json", str(dialogue), str(reading)).stdout)["jobs"]
        assert [j["state"] for j in jobs] == ["done", "done"], jobs
        yield d, chat, {"dialogue": str(dialogue), "reading": str(reading)}
    chat.server_close()


def _clips(d: DaemonProcess, media: str, *args: str) -> dict:
    return json.loads(d.cli("clips", media, *args, "--json").stdout)


def _word_bounds(d: DaemonProcess, media: str) -> tuple[set[int], set[int]]:
    doc = json.loads(d.cli("transcript", media, "--format", "json").stdout)
    words = [w for s in doc["segments"] for w in s["words"]]
    return {w["start_frame"] for w in words}, {w["end_frame"] for w in words}


@pytest.mark.realmedia
def test_a_topic_finds_its_stretch_at_the_times_it_was_said(talk):
    d, _, media = talk
    # dialogue.wav's STM: Sheila 24.058-28.425 "... they all call me a Yankee down here, so what can I say?"
    yankee = _clips(d, media["dialogue"], "--topic", "they call me a Yankee down here")
    best = yankee["clips"][0]
    assert yankee["ranker"] == "offline" and "Yankee" in best["text"] and "Yankee" in best["reason"]
    assert abs(best["start_s"] - 24.058) <= TOL and 27.0 <= best["end_s"] <= 29.987 + TOL, best
    assert best["fps"] == "25/1" and best["start_frame"] == round(best["start_s"] * 25)
    assert best["id"] == f"clip-{best['media_id']}-{best['start_frame']}-{best['end_frame']}"
    assert best["start_timecode"] == f"00:00:{best['start_frame'] // 25:02d}:{best['start_frame'] % 25:02d}"
    # Sheila 14.444 "And I'm Sheila in Texas, originally from Chicago." .. Diane "... from Chicago also." 20.113
    chicago = _clips(d, media["dialogue"], "--topic", "originally from Chicago")["clips"][0]
    assert abs(chicago["start_s"] - 14.444) <= TOL and abs(chicago["end_s"] - 20.113) <= TOL, chicago
    # The LibriVox readings: speech_0890 says "rather cold hearted and rather selfish" (12.09-17.39).
    selfish = _clips(d, media["reading"], "--topic", "a heartless selfish man")["clips"][0]
    lo, hi = READING["speech_0890.wav"]
    assert abs(selfish["start_s"] - lo) <= TOL and abs(selfish["end_s"] - hi) <= TOL, selfish
    # Nothing said is about tomatoes: no clip rather than the least bad one.
    assert _clips(d, media["reading"], "--topic", "the price of tomatoes at the market")["clips"] == []


@pytest.mark.realmedia
def test_without_a_topic_clips_start_and_end_on_words_last_min_to_max_and_never_overlap(talk):
    d, _, media = talk
    doc = _clips(d, media["dialogue"], "--limit", "3")
    clips = doc["clips"]
    starts, ends = _word_bounds(d, media["dialogue"])
    assert len(clips) == 3 and doc["sentences"] >= 10
    assert [c["rank"] for c in clips] == [1, 2, 3] and [c["score"] for c in clips] == sorted(
        (c["score"] for c in clips), reverse=True)
    for c in clips:
        assert c["start_frame"] in starts and c["end_frame"] in ends, c
        assert 4.0 - 0.05 <= c["end_s"] - c["start_s"] <= 30.0 and c["reason"], c
    spans = sorted((c["start_frame"], c["end_frame"]) for c in clips)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans


@pytest.mark.realmedia
def test_the_llm_ranker_through_a_real_chat_server_and_its_failures(talk):
    d, chat, media = talk
    chat.mode = "good"
    doc = _clips(d, media["dialogue"], "--ranker", "llm", "--topic", "where they are from")
    req = chat.seen[-1]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer sk-test-123"
    assert req["body"]["model"] == "small-local-model" and "where they are from" in req["body"]["messages"][-1]["content"]
    assert len(chat.lines) == doc["sentences"]
    (clip,) = doc["clips"]
    assert doc["ranker"] == "llm" and clip["reason"] == "Where the two of them are from" and clip["score"] == 0.9
    first = min(i for i, line in chat.lines.items() if "Chicago" in line[2])
    last = max(i for i, line in chat.lines.items() if "Chicago" in line[2])
    assert (clip["first_sentence"], clip["last_sentence"]) == (first, last)
    # Times from the stored words (as the prompt showed them), never the model's 999 s.
    assert abs(clip["start_s"] - chat.lines[first][0]) <= 0.05 and abs(clip["end_s"] - chat.lines[last][1]) <= 0.05
    assert abs(clip["start_s"] - 14.444) <= TOL and abs(clip["end_s"] - 20.113) <= TOL

    url = f"http://127.0.0.1:{chat.server_port}/v1/chat/completions"
    for mode, says in (("prose", "the message is not JSON"),
                       ("out_of_range", f"but the transcript has sentences 0-{doc['sentences'] - 1}"),
                       ("overloaded", "answered HTTP 500")):
        chat.mode = mode
        proc = d.cli("clips", media["dialogue"], "--ranker", "llm", "--json", check=False)
        assert proc.returncode == 1 and proc.stdout == "", proc
        assert "FAILED_PRECONDITION" in proc.stderr and url in proc.stderr and says in proc.stderr, proc.stderr
        assert "sk-test-123" not in proc.stderr
    chat.shutdown()                                    # the endpoint goes down
    chat.server_close()
    proc = d.cli("clips", media["dialogue"], "--ranker", "llm", check=False)
    assert proc.returncode == 1 and "FAILED_PRECONDITION" in proc.stderr and "not reachable" in proc.stderr
    assert url in proc.stderr
    # The daemon is unharmed: the offline ranker still answers.
    assert _clips(d, media["dialogue"], "--topic", "originally from Chicago")["clips"]
