"""Real footage with exact ground truth: a short film cut together from the real clips by the
bench's builder (hard cuts, dissolves, fades through black, flash/whip/lighting decoys), and
real files whose cuts are known."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from rushes_testkit import real_media

from rushes.shots import analyse_file

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location("bench_shots", ROOT / "bench" / "shots.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_shots"] = mod          # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    bench = _bench()
    for name, _, _ in bench.SOURCES:
        real_media(name)
    path = tmp_path_factory.mktemp("realfilm") / "film.mp4"
    return bench, bench.build_film(path, seed=5, seconds=24, size=(320, 180), decoy_rate=0.8)


def test_real_footage_film_matches_ground_truth(film):
    bench, truth = film
    assert len(truth.truths) >= 8 and truth.decoys
    res = analyse_file(truth.path, None, model="auto")       # the default: referee on unsure windows
    assert res.frame_count == truth.frames
    found = [(t.type, t.start, t.end) for t in res.transitions]
    score = bench.score(truth.truths, found)
    assert score["cut"]["f1"] >= 0.95, (score, found, truth.truths)
    assert score["gradual"]["f1"] >= 0.85, (score, found, truth.truths)
    # decoys never start a shot
    starts = {s.start for s in res.shots}
    for d in truth.decoys:
        assert not any(d.start - 1 <= s <= d.end + 1 for s in starts), (d, sorted(starts))


def test_known_cuts_in_real_files():
    res = analyse_file(real_media("bikes.mp4"), None, model="off")
    assert [t.start for t in res.transitions if t.type == "cut"] == [30, 76, 137, 187, 242]
    res = analyse_file(real_media("rocket_launch.webm"), None, model="off")
    assert [t.start for t in res.transitions if t.type == "cut"] == [74]
    res = analyse_file(real_media("city_night.mpg"), None, model="off")
    assert [t.start for t in res.transitions if t.type == "cut"] == [116]
    res = analyse_file(real_media("pedestrians.avi"), None, model="off")
    assert len(res.shots) == 1                      # 10 fps fixed camera: one shot, no cuts


@pytest.mark.slow
def test_referee_rejects_handheld_motion_on_real_footage():
    """cockatoo.mp4 is one handheld shot; its fast moves look like cuts/dissolves to the fast
    detectors, which send them to TransNetV2 in auto mode and the referee says no."""
    from rushes.decode.decode import decode_pass
    from rushes.shots.analyse import ShotAnalyser

    an = ShotAnalyser(None, "auto", 2)
    info = decode_pass(real_media("cockatoo.mp4"), [an])
    res = an.result(info)
    assert an.referee_frames > 0 and an.referee_frames < info.frame_count      # windows, not the film
    assert len(res.shots) == 1, res.transitions
