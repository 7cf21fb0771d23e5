"""The faces frame consumer: stride, fine/coarse schedule, worker errors, no stranded thread."""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pytest

from rushes_testkit import real_media

from rushes.faces.engine import EngineConfig, FaceEngine
from rushes.faces.sampler import FaceSampler, colour_histogram


@dataclass
class Frame:
    index: int
    time_s: float
    low: np.ndarray | None
    full: np.ndarray | None


@pytest.fixture(scope="module")
def talking_frames() -> list[np.ndarray]:
    import av

    with av.open(str(real_media("talking_head.mp4"))) as c:
        return [f.to_ndarray(format="rgb24") for i, f in zip(range(91), c.decode(video=0)) if i % 15 == 0]


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    return FaceEngine(EngineConfig())


def _workers() -> int:
    return sum(t.name == "rushes-faces" for t in threading.enumerate())


def test_samples_only_at_its_stride_and_schedules_fine_scans(engine, talking_frames):
    sampler = FaceSampler(engine, 30, fine_every=90)
    for k, img in enumerate(talking_frames):            # frames 0, 15, ..., 90
        sampler.consume(Frame(15 * k, k / 2, img[::8, ::8], img))
        sampler.consume(Frame(15 * k + 1, 0.0, None, None))   # other frames carry no full picture
    sampler.finish()
    result = sampler.result()
    assert result.frames == [0, 30, 60, 90]
    assert result.fine_frames == [0, 90]                # first sample, then forced after 90 frames
    assert result.frame_size == (1280, 720)
    assert {s.frame for s in result.samples} == {0, 30, 60, 90}   # the webcam face on every sample
    assert result.cpu_s > 0


def test_a_cut_triggers_a_fine_scan(engine, talking_frames):
    portrait = np.zeros_like(talking_frames[0])
    portrait[:, :, 2] = 200                             # a different picture: all blue
    assert np.abs(colour_histogram(portrait) - colour_histogram(talking_frames[0])).sum() > 0.4
    sampler = FaceSampler(engine, 15, fine_every=1000)
    for k, img in enumerate([talking_frames[0], talking_frames[1], portrait]):
        sampler.consume(Frame(15 * k, 0.0, None, img))
    sampler.finish()
    assert sampler.result().fine_frames == [0, 30]


def test_worker_errors_surface_on_the_decode_side(engine):
    sampler = FaceSampler(engine, 1)
    before = _workers()
    bad = np.zeros((120, 160, 3), dtype=np.float64)     # not uint8 RGB: the detector refuses it
    sampler.consume(Frame(0, 0.0, None, bad))
    with pytest.raises((TypeError, RuntimeError, ValueError)):
        sampler.finish()
    assert _workers() == before


def test_closing_a_sampler_that_never_finished_leaves_no_thread(engine, talking_frames):
    before = _workers()
    sampler = FaceSampler(engine, 15)
    sampler.consume(Frame(0, 0.0, None, talking_frames[0]))
    sampler.close()
    assert _workers() == before
