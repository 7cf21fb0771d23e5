"""Highlights on a film with exact ground truth, cut from real footage (bench/highlights_film.py):
two loud, fast stretches at [10, 15) s and [25, 30) s among quiet, slow street footage, cuts at
frames 250, 375, 625, 750. Runs the real steps in process: the one decode pass feeds the shots
analysis and the highlight features, then the highlights step scores and stores."""
from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import pytest
from rushes_testkit import media_dir, real_media

from rushes.catalog import Catalog, media_rows, projects
from rushes.highlights import step as hstep
from rushes.highlights.config import HighlightConfig
from rushes.highlights.scoring import media_highlights
from rushes.highlights.store import load_features, load_run
from rushes.ingest.probe import probe
from rushes.steps import stages
from rushes.steps.context import StepContext
from rushes.shots import step as sstep

ROOT = Path(__file__).resolve().parents[1]


def _film_module():
    spec = importlib.util.spec_from_file_location("bench_highlights_film", ROOT / "bench" / "highlights_film.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_highlights_film"] = mod
    spec.loader.exec_module(mod)
    return mod


def ingest_in_process(cat: Catalog, settings, path: Path) -> tuple[StepContext, int]:
    """Probe row + the analyse step (with every pending consumer) + the highlights step."""
    p = probe(path).to_dict()
    with cat.transaction() as conn:
        pid = projects.ensure_project(conn, "default")
        mid = media_rows.upsert_media(conn, fingerprint=f"fp:{path}", path=str(path), size=1, mtime=0.0,
                                      probe={k: p.get(k) for k in media_rows.MEDIA_FIELDS}, status="analysing")
        projects.link_media(conn, pid, mid)
    media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
    ctx = StepContext(catalog=cat, vectors=None, settings=settings, media=media, project_id=pid, job_id=1,
                      params={"shots_model": "off"})
    if media["kind"] == "video":
        ctx.scratch["frame_consumers"] = hstep.make_consumers(ctx)
        sstep.run(ctx)
    hstep.run(ctx)
    return ctx, mid


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    mod = _film_module()
    for video, _, _, audio in mod.PIECES:
        real_media(video)
        if audio:
            real_media(audio[0])
    return mod, mod.build(media_dir(), tmp_path_factory.mktemp("hlfilm") / "film.mp4")


def test_v2_finds_each_loud_fast_stretch_and_cuts_on_cuts(film, settings):
    mod, path = film
    cat = Catalog.open(settings.catalog_path)
    ctx, mid = ingest_in_process(cat, settings, path)
    media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
    run = load_run(cat.connect(), mid, "v2")
    assert run is not None and stages.done_version(cat.connect(), mid, "highlights") == hstep.current_version(ctx)
    clips = run.clips
    cuts = [r[0] for r in cat.query("SELECT start_frame FROM transitions WHERE media_id=?", (mid,))]
    report = []
    for rank, (a, b) in enumerate(mod.LOUD):
        lo, hi = int(a * mod.FPS), int(b * mod.FPS)
        # the best two clips are the two loud stretches, in either order, each covering it
        match = [c for c in clips[:2] if c.start_frame <= lo + 2 and c.end_frame >= hi - 2 and lo <= c.anchor_frame < hi]
        assert match, f"no top clip covers {a}-{b} s: {clips}"
        c = match[0]
        d_start = min(abs(c.start_frame - f) for f in mod.CUTS)
        d_end = min(abs(c.end_frame - f) for f in mod.CUTS)
        report.append((a, b, c.start_frame, c.end_frame, d_start, d_end))
        # on the true cuts: within one frame (the shot detector put the rocket's end cut on 374)
        assert d_start <= 1 and d_end <= 1, report
        assert c.end_frame - c.start_frame <= (hi - lo) + 2     # nothing of the quiet street around it
    print("ground truth vs clips (start s, end s, start, end, frames to nearest cut):", report)
    # the rest, if any, score far lower than both
    assert all(c.score < 0.5 for c in clips[2:])
    debug = json.loads(run.debug_json)
    assert {"settings", "features", "anchors", "boundaries", "windows", "decisions"} <= set(debug)
    assert sum(d["kept"] for d in debug["decisions"]) == len(clips)

    # v1: the scenes are the shots; the two loud shots rank first
    v1 = load_run(cat.connect(), mid, "v1").clips
    assert sorted((c.start_frame, c.end_frame) for c in v1[:2]) == sorted(
        (int(a * mod.FPS), min(cuts, key=lambda f: abs(f - int(b * mod.FPS)))) for a, b in mod.LOUD)

    # new settings re-score from stored features without decoding (a fraction of a second)
    t = time.perf_counter()
    again = media_highlights(cat, media, HighlightConfig.from_settings(settings), {"target_count": "1"})
    took = time.perf_counter() - t
    assert again.rescored and len(again.clips) == 1 and again.clips[0] == clips[0]
    assert took < 1.0
    stored = media_highlights(cat, media, HighlightConfig.from_settings(settings))
    assert not stored.rescored and stored.clips == clips
    assert load_features(cat.connect(), mid) is not None


def test_audio_only_sound_roll_gets_highlights_from_its_own_pass(settings):
    """A sound roll has no picture, so no step decodes it before highlights: the step measures
    the audio itself (loudness; speech when the model is here)."""
    cat = Catalog.open(settings.catalog_path)
    ctx, mid = ingest_in_process(cat, settings, real_media("dialogue.wav"))
    raw = load_features(cat.connect(), mid)
    assert raw is not None and raw.has_audio and not raw.has_video
    assert len(raw.power) == 300                    # 30 s in 100 ms blocks
    run = load_run(cat.connect(), mid, "v2")
    assert run is not None
    for c in run.clips:
        assert 0 <= c.start_frame < c.end_frame <= 750    # 25 fps timecode rate of a sound roll


def test_rocket_launch_loudest_moment_is_inside_a_highlight(settings):
    """On the real rocket_launch.webm the launch is its loudest moment: the time of FFmpeg's
    loudest momentary (400 ms) reading lies inside a v2 highlight."""
    import re
    import subprocess

    path = real_media("rocket_launch.webm")
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0", "-af", "ebur128",
                          "-f", "null", "-"], capture_output=True, text=True).stderr
    readings = [(float(t), float(m)) for t, m in re.findall(r"t:\s*([\d.]+)\s+TARGET.*?M:\s*(-?[\d.]+)", err)]
    loudest_t = max(readings, key=lambda r: r[1])[0] - 0.2      # ebur128 stamps the window's end
    cat = Catalog.open(settings.catalog_path)
    _, mid = ingest_in_process(cat, settings, path)
    media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
    fps = media["fps_num"] / media["fps_den"]
    clips = load_run(cat.connect(), mid, "v2").clips
    assert any(c.start_frame / fps <= loudest_t < c.end_frame / fps for c in clips), (loudest_t, clips)
