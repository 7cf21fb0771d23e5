"""The text watch (issue 16): on-screen text that appears mid-shot, between keyframes and past the
head of the file, is found on the one decode pass and read at the right time.

Footage: 20 s of pedestrians.avi (10 fps, one long street shot) with a caption burnt in by ffmpeg
drawtext from 11.3 s to 13.8 s (frames 113-137 inclusive: drawtext's `between` includes both
ends) -- past the 4 s head the ocr step samples for slates, and the test checks that no keyframe
falls inside it, so only the watch can have seen it. The watch looks every 1 s (10 frames):
the first look inside the caption is frame 120, so the line starts inside the caption's range and
ends at the first look after it (frame 140: at most one look, 1 s, after its true end).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rushes_testkit import DaemonProcess, burn_text, real_media

from rushes.catalog import texts
from rushes.ocr.step import join_touching
from rushes.ocr.watch import same_layout

CAPTION = "MEET ME AT THE HARBOUR"
START_S, END_S = 11.3, 13.8
FPS = 10


@pytest.fixture(scope="module")
def caption_film(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("watch")
    return burn_text(real_media("pedestrians.avi"), folder / "street.mp4", [CAPTION], start_s=START_S, end_s=END_S,
                     seconds=20, width=768, size=28, box=False)


def test_same_layout_and_joining_touching_spans():
    a = [(0.1, 0.8, 0.5, 0.9)]
    assert same_layout([], []) and not same_layout(a, []) and not same_layout([], a)
    assert same_layout(a, [(0.11, 0.8, 0.51, 0.9)])                 # the same caption, boxes jitter
    assert not same_layout(a, [(0.1, 0.1, 0.5, 0.2)])               # moved
    assert not same_layout(a, a + [(0.6, 0.8, 0.9, 0.9)])           # a second line came
    span = lambda s, e, t, c=0.9: texts.TextSpan(media_id=1, source="screen", start_frame=s, end_frame=e, text=t,
                                                 confidence=c)
    joined = join_touching([span(0, 10, "Hello", 0.8), span(10, 20, "hello ", 0.95), span(30, 40, "hello"),
                            span(35, 38, "Other")])
    assert [(s.start_frame, s.end_frame, s.text) for s in joined] == [(0, 20, "hello "), (30, 40, "hello"),
                                                                      (35, 38, "Other")]
    # a sighting inside a keyframe's whole-shot span stays on its own: it is the finer range
    kept = join_touching([span(0, 200, "Caption"), span(120, 140, "caption")])
    assert [(s.start_frame, s.end_frame) for s in kept] == [(0, 200), (120, 140)]


def test_caption_burnt_in_mid_shot_is_found_at_its_time(caption_film, rushes_home):
    with DaemonProcess(rushes_home) as d:
        d.cli("ingest", "--wait", str(caption_film))
        media = json.loads(d.cli("media", "show", str(caption_film), "--json").stdout)
        assert media["fps"] == "10/1"
        shots = json.loads(d.cli("shots", str(caption_film), "--json").stdout)["shots"]
        keyframes = [k["frame"] if isinstance(k, dict) else k for s in shots for k in s.get("keyframes", [])]
        first, last = round(START_S * FPS), round(END_S * FPS)
        assert keyframes and not [k for k in keyframes if first - 1 <= k <= last + 1], keyframes
        hits = json.loads(d.cli("search", "harbour", "--json").stdout)["hits"]
        assert hits, "the mid-shot caption was not found"
        hit = hits[0]
        assert hit["media_id"] == media["id"] and "text" in hit["channels"] and hit["exact"]
        assert CAPTION.lower() in hit["why"][0]["detail"].lower()
        assert START_S <= hit["start_s"] < END_S, hit
        assert hit["end_s"] <= END_S + 1.0 + 1e-6, hit        # at most one look (1 s) past the caption
        assert (hit["start_frame"], hit["end_frame"]) == (120, 140)   # looks at 110 (before), 120, 130, 140 (after)


def test_watched_reads_are_spaced_by_the_gap():
    """Scrolling credits start a sighting at every look; one read per `ocr_watch_gap_s` stands for
    the sightings of the same text area inside the gap (its range grows over them); a sighting
    past the gap, or of text elsewhere in the picture, is read."""
    from types import SimpleNamespace

    from rushes.ocr.step import samples
    from rushes.ocr.watch import Sighting

    class NoKeyframes:          # a sound-free media with no keyframes read yet: only the watch counts
        def query(self, sql, args=()):
            return []

    ctx = SimpleNamespace(media={"id": 1, "fps_num": 25, "fps_den": 1, "frame_count": 10_000},
                          catalog=NoKeyframes(), settings={"ocr_head_s": 0.0, "ocr_watch_gap_s": 4.0})
    looks = [Sighting(s, s + 25, (s,), ((0.0, 0.0, 1.0, 1.0),)) for s in range(1000, 1500, 25)]  # 20 s, one a second
    looks.append(Sighting(1010, 1040, (1010, 1020), ((0.1, 0.8, 0.9, 0.95),)))   # a caption elsewhere, inside the gap
    looks.append(Sighting(3000, 3100, (3000, 3050), ((0.0, 0.0, 1.0, 1.0),)))
    got = samples(ctx, sorted(looks, key=lambda s: s.start_frame))
    assert [s.frame for s in got] == [1000, 1020, 1100, 1200, 1300, 1400, 3050]
    assert (got[0].start_frame, got[0].end_frame) == (1000, 1100)     # stands for the looks after it
    assert (got[1].start_frame, got[1].end_frame) == (1010, 1040)     # new text in another place: read
    assert (got[-1].start_frame, got[-1].end_frame) == (3000, 3100)
