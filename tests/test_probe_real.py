"""Real footage (../shared/media/fetch): every media file scans as media, probes and decodes;
the stills and the transcript scan as skipped; nothing is written next to the files."""
from __future__ import annotations

import hashlib
import os
from fractions import Fraction
from pathlib import Path

import av
import pytest
from rushes_testkit import media_dir, real_media

from rushes.ingest.fingerprint import fingerprint
from rushes.ingest.decodable import check_decodable
from rushes.ingest.probe import probe
from rushes.ingest.scan import scan

pytestmark = pytest.mark.realmedia

# file: (kind, fps, frame_count, audio_channels, audio_rate, (width, height))
KNOWN = {
    "bbb.mp4": ("video", Fraction(24), 14315, 2, 44100, (1280, 720)),
    "trailer_bbb.mp4": ("video", Fraction(24), 1323, 2, 44100, (1280, 720)),
    "bigbuckbunny_5s.mp4": ("video", Fraction(25), 132, 6, 48000, (1280, 720)),
    "bikes.mp4": ("video", Fraction(25), 250, 0, 0, (640, 272)),
    "carphone.mp4": ("video", Fraction(30000, 1001), 120, 0, 0, (176, 144)),
    "cockatoo.mp4": ("video", Fraction(20), 280, 1, 16000, (1280, 720)),
    "rocket_launch.webm": ("video", Fraction(24), 194, 2, 48000, (640, 360)),
    "city_night.mpg": ("video", Fraction(25), 190, 0, 0, (720, 405)),
    "pedestrians.avi": ("video", Fraction(10), 795, 0, 0, (768, 576)),
    "talking_head.mp4": ("video", Fraction(30), 249, 2, 48000, (1280, 720)),  # 250 stored, edit list hides 1
    "speech_0870.wav": ("audio", Fraction(25), 177, 1, 16000, (0, 0)),
    "speech_0880.wav": ("audio", Fraction(25), 74, 1, 16000, (0, 0)),
    "speech_0890.wav": ("audio", Fraction(25), 132, 1, 16000, (0, 0)),
}
SKIPPED = {"obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "astronaut.png", "speech_transcription.txt"}
# Small enough to decode whole and compare the probe's frame count with reality.
DECODE_ALL = ("carphone.mp4", "bikes.mp4", "city_night.mpg", "rocket_launch.webm", "talking_head.mp4")


def _folder_state(folder: Path) -> dict[str, tuple[int, str]]:
    state = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            state[str(p.relative_to(folder))] = (p.stat().st_mtime_ns if p.is_file() else 0, digest)
    return state


@pytest.fixture(scope="module")
def footage() -> Path:
    real_media("bbb.mp4")  # skips locally / fails under CI when the footage is missing
    return media_dir()


def test_every_real_file_scans_and_probes(footage):
    before = _folder_state(footage)
    entries = list(scan([footage]))
    by_name = {e.path.name: e for e in entries}
    for name in SKIPPED:
        if name in by_name:
            assert by_name[name].action == "skip", by_name[name]
    assert by_name["obama.jpg"].reason == "image (not media)"
    assert by_name["speech_transcription.txt"].reason == "not media"
    media = [e.path for e in entries if e.action == "media"]
    assert {p.name for p in media} >= set(KNOWN) & set(by_name)
    fingerprints = set()
    for path in media:
        result = probe(path)  # raises with the file's name if anything is wrong
        assert check_decodable(path, result) == [], path
        assert result.frame_count > 0 and result.duration_s > 0
        fingerprints.add(fingerprint(path))
        known = KNOWN.get(path.name)
        if known is None:
            continue
        kind, fps, frames, channels, rate, size = known
        assert result.kind == kind, path
        assert result.fps == fps, (path, result.fps)
        assert result.frame_count == frames, path
        assert (result.audio_channels, result.audio_rate) == (channels, rate), path
        assert (result.width, result.height) == size, path
        assert result.start_timecode == "00:00:00:00" and result.variable_frame_rate is False
    assert len(fingerprints) == len(media)  # every real file has its own identity
    assert _folder_state(footage) == before  # read-only: same listing, bytes and mtimes


@pytest.mark.parametrize("name", DECODE_ALL)
def test_frame_count_matches_a_full_decode(footage, name):
    path = real_media(name)
    with av.open(str(path)) as c:
        decoded = sum(1 for _ in c.decode(video=0))
    assert probe(path).frame_count == decoded


def test_probe_is_fast_on_the_ten_minute_film(footage):
    import time

    path = real_media("bbb.mp4")
    start = time.perf_counter()
    result = probe(path)
    elapsed = time.perf_counter() - start
    assert result.frame_count == 14315
    assert elapsed < 2.0, f"probe took {elapsed:.2f} s on a 50 MB file: it must not decode the whole film"
