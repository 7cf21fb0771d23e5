"""Shot detection on synthesized clips with known boundaries (fast; the referee is off)."""
from __future__ import annotations

import pytest
from rushes_testkit import ffmpeg

from rushes.shots import analyse_file


def _film(path):
    """A(testsrc2) --dissolve 15f @35--> B(mandelbrot) --cut @85--> C(static bars) --fade thru black 20f @115--> D.

    A flash frame (one white frame) sits inside C as a decoy at frame 100.
    """
    src = "testsrc2=size=320x240:rate=25,trim=duration=2,setpts=PTS-STARTPTS"
    args = ["-f", "lavfi", "-i", src,
            "-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=25,scroll=horizontal=0.02,trim=duration=2,setpts=PTS-STARTPTS",
            "-f", "lavfi", "-i", "smptehdbars=size=320x240:rate=25,trim=duration=2,setpts=PTS-STARTPTS",
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25,hue=H=2,trim=duration=2,setpts=PTS-STARTPTS",
            "-filter_complex",
            "[0][1]xfade=transition=fade:duration=0.6:offset=1.4,format=yuv420p[ab];"
            "[2]format=yuv420p,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(n,15)'[c];"
            "[ab][c]concat=n=2:v=1,fps=25,settb=1/25[abc];[3]settb=1/25[d];"
            "[abc][d]xfade=transition=fadeblack:duration=0.8:offset=4.6,format=yuv420p[out]",
            "-map", "[out]", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "50", str(path)]
    ffmpeg(*args)
    return path


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    return _film(tmp_path_factory.mktemp("film") / "film.mp4")


def test_cut_dissolve_fade_and_no_flash(film):
    res = analyse_file(film, None, model="off")
    assert res.frame_count == 165 and res.fps_text == "25/1"
    kinds = [(t.type, t.start, t.end) for t in res.transitions]
    cuts = [t for t in res.transitions if t.type == "cut"]
    assert [c.start for c in cuts] == [85], kinds                         # the flash at 100 is no cut
    diss = [t for t in res.transitions if t.type == "dissolve"]
    assert len(diss) == 1 and abs(diss[0].start - 35) <= 3 and abs(diss[0].end - 50) <= 3, kinds
    fades = [t for t in res.transitions if t.type == "fade_through_black"]
    assert len(fades) == 1 and abs(fades[0].start - 115) <= 3 and abs(fades[0].end - 135) <= 3, kinds
    assert len(res.transitions) == 3, kinds
    for t in res.transitions:
        assert 0.0 < t.confidence <= 1.0


def test_shots_cover_every_frame_and_gradual_belongs_to_next_shot(film):
    res = analyse_file(film, None, model="off")
    starts = [s.start for s in res.shots]
    assert res.shots[0].start == 0 and res.shots[-1].end == res.frame_count
    assert all(a.end == b.start for a, b in zip(res.shots, res.shots[1:]))
    diss = next(t for t in res.transitions if t.type == "dissolve")
    fade = next(t for t in res.transitions if t.type == "fade_through_black")
    assert starts == [0, diss.start, 85, fade.start]


def test_keyframes_static_median_moving_three(film):
    res = analyse_file(film, None, model="off")
    by_start = {s.start: s for s in res.shots}
    bars = by_start[85]                       # static colour bars (with one flash frame)
    assert [r for _, r in bars.keyframes] == ["median"]
    assert bars.keyframes[0][0] != 100        # never the flash frame
    moving = res.shots[1]                     # the mandelbrot pans (scrolls) across the picture
    assert [r for _, r in moving.keyframes] == ["start", "peak", "end"]
    frames = [f for f, _ in moving.keyframes]
    assert frames == sorted(frames) and moving.start <= frames[0] and frames[-1] < moving.end
    for s in res.shots:
        assert all(s.start <= f < s.end for f, _ in s.keyframes)


def test_black_and_freeze_segments(tmp_path):
    clip = tmp_path / "bf.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:size=160x120:rate=25:duration=1",
           "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=1",
           "-filter_complex", "[1]tpad=stop_mode=clone:stop_duration=3[f];[0][f]concat=n=2:v=1,format=yuv420p[o]",
           "-map", "[o]", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip))
    res = analyse_file(clip, None, model="off")
    segs = [(s.kind, s.start, s.end) for s in res.segments]
    black = [s for s in segs if s[0] == "black"]
    freeze = [s for s in segs if s[0] == "freeze"]
    assert black == [("black", 0, 25)], segs
    assert len(freeze) == 1 and abs(freeze[0][1] - 49) <= 1 and freeze[0][2] == 125, segs
    # the start from black is a fade in / cut, never a shot boundary inside the freeze
    assert all(s.start <= 26 for s in res.shots[1:]), [(s.start, s.end) for s in res.shots]


def test_thresholds_come_from_settings(film, monkeypatch, settings):
    monkeypatch.setenv("RUSHES_SHOTS_CUT_MIN", "0.9")          # nothing is that different
    monkeypatch.setenv("RUSHES_SHOTS_STATIC_MOTION", "1.0")    # every shot counts as static
    res = analyse_file(film, settings, model="off")
    assert not [t for t in res.transitions if t.type == "cut"]
    assert all(len(s.keyframes) == 1 for s in res.shots)


def test_bad_model_name_is_refused(film):
    with pytest.raises(ValueError, match="off, auto, full"):
        analyse_file(film, None, model="sometimes")


@pytest.mark.slow
def test_full_model_mode_runs_transnetv2_on_every_frame(film):
    from rushes.decode.decode import decode_pass
    from rushes.shots.analyse import ShotAnalyser

    an = ShotAnalyser(None, "full", 2)
    info = decode_pass(film, [an])
    res = an.result(info)
    assert an.referee_frames >= info.frame_count                 # the model saw the whole film
    assert [t.start for t in res.transitions if t.type == "cut"] == [85]
    assert any(t.type == "dissolve" and t.start < 50 and t.end > 35 for t in res.transitions)
    assert res.shots[0].start == 0 and res.shots[-1].end == res.frame_count
