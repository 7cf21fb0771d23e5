"""Every test runs with a temporary RUSHES_HOME and config, so no test touches a user's data."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("rushes-home")
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
