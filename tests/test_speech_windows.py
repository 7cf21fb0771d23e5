"""Speech over a long media: the audio is spooled, not kept, and Whisper gets it a window at a time
(issue 11: the daemon's memory grew with the length of what it ingested).

Memory is asserted with tracemalloc (what Python and numpy allocate and keep), not with RSS or
time: the same numbers on any machine.
"""
from __future__ import annotations

import re
import subprocess
import tracemalloc

import numpy as np
import pytest

from rushes_testkit import in_ci, real_media

from rushes.decode.audio import DecodedAudio, audio_pass
from rushes.highlights.features import FeatureCollector
from rushes.decode.decode import DecodedFrame
from rushes.settings import load_settings
from rushes.speech.audio import RATE, SpeechAudio
from rushes.speech.engine import SpeechEngine
from rushes.speech.step import choose_model, transcribe_windows
from rushes.speech.windows import QUIET_S, SEARCH_S, quietest, windows


def _feed(ear: SpeechAudio, signal: np.ndarray, start: int, piece: int = 341) -> None:
    """`signal` as the decode pass hands it: one AAC frame (~341 samples at 16 kHz) at a time."""
    for i in range(0, len(signal), piece):
        ear.consume_audio(DecodedAudio(start=start + i, rate=RATE, channels=("FC",), samples=signal[None, i:i + piece]))
    ear.finish()


def test_the_ear_keeps_its_samples_on_disk_and_reads_them_back(tmp_path):
    rng = np.random.default_rng(11)
    signal = rng.uniform(-1, 1, 10 * 60 * RATE).astype(np.float32)      # ten minutes
    ear = SpeechAudio(tmp_path)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        _feed(ear, signal, start=800)                                    # sound starts 50 ms in
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # In memory (the old way) ten minutes cost 19 MB of float16 plus ~2 MB of array headers;
    # spooled, what stays is the file object and its write buffer.
    assert kept < 256 * 1024, kept
    assert len(ear) == 800 + len(signal)
    back = ear.read(0, len(ear))
    assert np.all(back[:800] == 0.0)
    assert np.array_equal(back[800:], signal.astype(np.float16).astype(np.float32))
    assert np.array_equal(ear.read(RATE * 60, RATE * 61), back[RATE * 60: RATE * 61])
    assert len(ear.read(len(ear) - 10, len(ear) + 1000)) == 10
    ear.close()

    early = SpeechAudio(tmp_path)                                        # sound starting before the picture
    _feed(early, signal[:RATE], start=-160)
    assert len(early) == RATE - 160
    assert np.array_equal(early.read(0, 100), signal[160:260].astype(np.float16).astype(np.float32))
    early.close()


def test_highlight_features_cost_a_few_bytes_a_frame():
    """Motion is kept per frame for the whole media: machine floats, not Python float objects."""
    collector = FeatureCollector(1, 24.0, vad_model=None)
    low = np.zeros((72, 128, 3), np.uint8)
    frames = 24 * 60 * 5                                                 # five minutes at 24 fps
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(frames):
            low[:, :, 0] = i % 251                                       # every frame changes
            collector.consume(DecodedFrame(i, i / 24.0, low, None))
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    thumbs = 2 * 60 * 5 * (144 + 128)                                    # a 16x9 grey thumbnail every 0.5 s
    assert kept < frames * 8 + thumbs + 64 * 1024, kept / frames          # was ~33 bytes a frame for motion
    assert len(collector.result().motion) == frames


@pytest.fixture(scope="module")
def dialogue_twice(tmp_path_factory):
    """dialogue.wav (real two-speaker telephone speech) twice: 60 s, so a 40 s window cuts it."""
    src = real_media("dialogue.wav")
    out = tmp_path_factory.mktemp("speech") / "dialogue60.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "1", "-i", str(src), "-t", "60", str(out)], check=True)
    ear = SpeechAudio(out.parent)
    audio_pass(out, [ear])
    yield ear
    ear.close()


def test_windows_end_where_it_is_quiet(dialogue_twice):
    ear = dialogue_twice
    cuts = list(windows(len(ear), ear.read, 40.0))
    assert cuts[0][0] == 0 and cuts[-1][1] == len(ear)
    assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:]))
    assert all(0 < stop - start <= 40 * RATE for start, stop in cuts)
    assert len(cuts) == 2
    audio = ear.read(0, len(ear)).astype(np.float64)
    cut, half = cuts[0][1], int(QUIET_S * RATE) // 2
    at_cut = np.square(audio[cut - half: cut + half]).mean()
    # every 0.3 s stretch of the 20 s searched, on the search's 50 ms grid: the cut is at the
    # quietest, and that is a pause (far below the speech around it)
    region = audio[40 * RATE - int(SEARCH_S * RATE): 40 * RATE]
    stretches = np.array([np.square(region[i:i + 2 * half]).mean() for i in range(0, len(region) - 2 * half + 1, 800)])
    assert at_cut <= stretches.min() * (1 + 1e-9) + 1e-15, (at_cut, stretches.min())
    assert at_cut < 0.05 * np.median(stretches), (at_cut, np.median(stretches))
    assert quietest(np.zeros(100, np.float32)) == 50


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def _wer(ref: list[str], hyp: list[str]) -> float:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[-1] / max(1, len(ref))


def test_a_windowed_transcript_is_the_whole_one(dialogue_twice):
    chosen = choose_model(load_settings())
    if chosen is None:
        if in_ci():
            pytest.fail("no Whisper model: `rushes models pull --defaults` runs before the tests")
        pytest.skip("no Whisper model pulled")
    engine = SpeechEngine(chosen[1], threads=2, english_only=chosen[0].endswith("-en"))
    ear = dialogue_twice
    whole = engine.transcribe(ear.read(0, len(ear)))
    parts = transcribe_windows(engine, ear, language=None, window_s=40.0)
    ref = _words(" ".join(s.text for s in whole.segments))
    hyp = _words(" ".join(s.text for s in parts.segments))
    # Measured with tiny.en (the default model): 8 of 145 words differ (0.055), short words on
    # both sides of the cut at 32.9 s, where Whisper's 30 s decoding windows now fall elsewhere.
    # 0.10 leaves ~6 words of margin; a window that dropped or repeated one sentence (8-10
    # words) would fail it.
    assert _wer(ref, hyp) <= 0.10, (chosen[0], ref, hyp)
    starts = [s.start_s for s in parts.segments]
    assert starts == sorted(starts) and parts.segments[-1].end_s > 55.0     # the second window is on the clock
    words = [w for s in parts.segments for w in s.words]
    assert all(a.start_s <= b.start_s for a, b in zip(words, words[1:]))
    assert parts.language == "en" and parts.duration_s == pytest.approx(60.0, abs=0.05)
