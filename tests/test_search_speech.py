"""Speech through the real daemon: a film built from real read speech under real footage, and a
real two-person phone call (dialogue.wav, whose STM gives who said what when). Phrases are found
at the times they were said, lines are found by meaning, transcripts export as subtitles."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rushes_testkit import DaemonProcess, ffmpeg, real_media

# speech_0870 (7.10 s) + 1 s + speech_0880 (2.99 s) + 1 s + speech_0890 (5.30 s), under pedestrians.avi.
OFFSETS = {"speech_0870.wav": 0.0, "speech_0880.wav": 8.10, "speech_0890.wav": 12.09}


def _ref(name: str) -> str:
    num = name[len("speech_"):-len(".wav")]
    for line in real_media("speech_transcription.txt").read_text().splitlines():
        if line.rstrip().endswith(f"-{num})"):
            return re.sub(r"</?s>", "", line.rsplit("(", 1)[0]).strip()
    raise AssertionError(name)


def _words(text: str) -> list[str]:
    return [{"mr": "mister"}.get(w, w) for w in re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))]


def _wer(ref: list[str], hyp: list[str]) -> float:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)


@pytest.fixture(scope="module")
def speech_film(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("speech") / "interview.mp4"
    names = list(OFFSETS)
    ffmpeg("-i", str(real_media("pedestrians.avi")), *[a for n in names for a in ("-i", str(real_media(n)))],
           "-filter_complex", "[1]apad=pad_dur=1[a0];[2]apad=pad_dur=1[a1];[a0][a1][3]concat=n=3:v=0:a=1[a];"
           "[0:v]scale=320:-2,fps=25[v]", "-map", "[v]", "-map", "[a]", "-t", "17.39",
           "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "16000", str(out))
    return out


def _search(d: DaemonProcess, *args: str) -> list[dict]:
    return json.loads(d.cli("search", *args, "--json").stdout)["hits"]


def test_phrases_found_where_said_lines_found_by_meaning_and_subtitles(speech_film, rushes_home):
    dialogue = real_media("dialogue.wav")
    with DaemonProcess(rushes_home) as d:
        d.cli("ingest", "--wait", str(speech_film), str(dialogue))
        film = json.loads(d.cli("media", "show", str(speech_film), "--json").stdout)
        call = json.loads(d.cli("media", "show", str(dialogue), "--json").stdout)

        # "cold-hearted" starts 1.46 s into speech_0890 (tiny.en on the recording alone); the
        # film's copy went through AAC at 16 kHz: within 0.3 s.
        hits = _search(d, '"cold hearted"')
        assert hits[0]["media_id"] == film["id"] and hits[0]["exact"] and hits[0]["channels"][0] == "speech"
        assert abs(hits[0]["start_s"] - (OFFSETS["speech_0890.wav"] + 1.46)) <= 0.3, hits[0]
        assert hits[0]["end_s"] - hits[0]["start_s"] < 1.5          # the words, not the whole line
        assert hits[0]["start_frame"] == round(hits[0]["start_s"] * 25)

        # A line found by what it means, with none of its words.
        meant = _search(d, "a heartless egotistical person")
        assert meant and meant[0]["channels"] == ["meaning"] and "selfish" in meant[0]["why"][0]["detail"]
        assert OFFSETS["speech_0890.wav"] - 0.5 <= meant[0]["start_s"] < meant[0]["end_s"] <= 17.5

        # dialogue.wav's STM: Diane says "New Jersey" in 12.542-14.184 and 20.173-21.475.
        jersey = [h for h in _search(d, '"new jersey"') if h["media_id"] == call["id"]]
        spans = sorted((h["start_s"], h["end_s"]) for h in jersey)
        assert len(spans) >= 2, jersey
        assert 12.542 - 0.3 <= spans[0][0] and spans[0][1] <= 14.184 + 0.3, spans
        assert 20.173 - 0.3 <= spans[-1][0] and spans[-1][1] <= 21.475 + 0.3, spans
        assert _search(d, '"new jersey"', "--media", str(speech_film)) == []

        srt = d.cli("transcript", str(speech_film), "--format", "srt").stdout
        blocks = [b.splitlines() for b in srt.strip().split("\n\n")]
        assert blocks[0][0] == "1" and re.match(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$", blocks[0][1])
        said = " ".join(" ".join(b[2:]) for b in blocks)
        ref = " ".join(_ref(n) for n in OFFSETS)
        assert _wer(_words(ref), _words(said)) <= 0.15, said        # measured 0.045 (tiny.en: "old-sposed")
        vtt = d.cli("transcript", str(speech_film), "--format", "vtt").stdout
        assert vtt.startswith("WEBVTT")
        doc = json.loads(d.cli("transcript", str(dialogue), "--format", "json").stdout)
        assert doc["language"] == "en" and doc["model"].startswith("whisper-tiny-en")
        words = [w for s in doc["segments"] for w in s["words"]]
        assert words and all(w["end_frame"] > w["start_frame"] for w in words)
        assert words[0]["start_s"] >= 6.0            # nothing is said in the first 6.68 s (STM): VAD skipped it
