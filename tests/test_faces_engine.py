"""Faces on real portraits: identity from descriptors, quality ranking, the detection-scale rule."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from rushes_testkit import real_media

from rushes.faces.engine import EngineConfig, FaceEngine, detection_scale
from rushes.faces.models import MODEL_FILES, model_path

PORTRAITS = ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "astronaut.png"]


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    return FaceEngine(EngineConfig())


def _rgb(name: str) -> np.ndarray:
    return np.asarray(Image.open(real_media(name)).convert("RGB"))


def _main_face(engine: FaceEngine, image: np.ndarray):
    faces = engine.analyse(image)
    assert faces, "no face found"
    return max(faces, key=lambda f: f.height)


def test_model_files_found_without_importing_the_package(settings):
    import sys

    for name in MODEL_FILES:
        path = model_path(name, settings)
        assert path.is_file() and path.stat().st_size > 1000, path
    assert "face_recognition_models" not in sys.modules


def test_obama_photos_are_closer_to_each_other_than_to_anyone_else(engine):
    desc = {n: _main_face(engine, _rgb(n)).descriptor for n in PORTRAITS}
    for d in desc.values():
        assert d.shape == (128,) and d.dtype == np.float32
    obamas = ["obama.jpg", "obama2.jpg", "obama3.jpg"]
    same = [np.linalg.norm(desc[a] - desc[b]) for i, a in enumerate(obamas) for b in obamas[i + 1:]]
    other = [np.linalg.norm(desc[a] - desc[b]) for a in obamas for b in ("biden.jpg", "astronaut.png")]
    assert max(same) < min(other), (same, other)
    # dlib's own same-person threshold is 0.6: the pairs fall on the right side of it.
    assert max(same) < 0.6 < min(other)


def test_boxes_are_in_the_source_image_pixels(engine):
    image = _rgb("obama.jpg")
    x0, y0, x1, y1 = _main_face(engine, image).box
    h, w = image.shape[:2]
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
    # The face is in the upper middle of this portrait, and a big one.
    assert w * 0.2 < (x0 + x1) / 2 < w * 0.8 and (y0 + y1) / 2 < h * 0.6
    assert y1 - y0 > 150
    # Same picture at half size: the box scales with it (detection scale is mapped back).
    half = np.asarray(Image.fromarray(image).resize((w // 2, h // 2), Image.BILINEAR))
    hx0, hy0, hx1, hy1 = _main_face(engine, half).box
    assert abs((hx1 - hx0) * 2 - (x1 - x0)) < 0.2 * (x1 - x0)
    assert abs((hx0 + hx1) - (x0 + x1) / 2) < 0.05 * w


def test_quality_ranks_sharp_frontal_above_blurred_and_small(engine):
    image = _rgb("obama.jpg")
    sharp = _main_face(engine, image).quality
    blurred = _main_face(engine, np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(4)))).quality
    h, w = image.shape[:2]
    small = _main_face(engine, np.asarray(Image.fromarray(image).resize((w // 5, h // 5), Image.BILINEAR))).quality
    assert sharp.score > 0.7
    assert sharp.score > blurred.score + 0.3 and blurred.sharpness < sharp.sharpness
    assert sharp.score > small.score + 0.3 and small.size < sharp.size
    # This official portrait looks straight at the camera.
    assert sharp.frontal > 0.8


def test_detection_scale_upsamples_small_frames_and_shrinks_big_ones():
    cfg = EngineConfig()
    assert detection_scale(640, 272, cfg) > 2.0                      # street footage: small faces
    assert 0.9 < detection_scale(1280, 720, cfg) < 1.2               # 720p: about full size
    assert detection_scale(3840, 2160, cfg) < 0.45                   # 4K: detect on a small copy
    assert detection_scale(640, 272, EngineConfig(max_pixels=300_000)) ** 2 * 640 * 272 <= 300_001


def test_settings_choose_the_detector(settings, monkeypatch):
    monkeypatch.setenv("RUSHES_FACES_DETECTOR", "cnn")
    assert EngineConfig.from_settings(settings).detector == "cnn"
    monkeypatch.setenv("RUSHES_FACES_DETECTOR", "magic")
    with pytest.raises(ValueError, match="faces_detector"):
        EngineConfig.from_settings(settings)


@pytest.mark.slow
def test_cnn_detector_finds_the_same_face():
    engine = FaceEngine(EngineConfig(detector="cnn", min_face=0.25))
    image = _rgb("obama.jpg")
    face = _main_face(engine, image)
    hog = _main_face(FaceEngine(EngineConfig()), image)
    assert face.score > 0.5
    assert np.linalg.norm(face.descriptor - hog.descriptor) < 0.3
