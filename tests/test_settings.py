"""Settings precedence: environment > ~/.config/rushes/config.toml > defaults."""
from __future__ import annotations

import pytest

from rushes.settings import SettingsError, load_settings


def test_environment_beats_config_file_beats_defaults(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[rushes]\naddress = "127.0.0.1:6000"\nthreads = 3\n\n[analysis]\nfaces_sample_s = 0.25\n')
    s = load_settings({"RUSHES_HOME": str(tmp_path / "h")}, config_path=cfg)
    assert s.address == "127.0.0.1:6000" and s.threads == 3 and s.home == tmp_path / "h"
    assert s.models == tmp_path / "h" / "models" and s.qdrant_url is None and s.token is None
    assert s.get("faces_sample_s", 1.0) == 0.25
    s = load_settings({"RUSHES_HOME": str(tmp_path / "h"), "RUSHES_ADDRESS": "0.0.0.0:7000",
                       "RUSHES_THREADS": "1", "RUSHES_MODELS": str(tmp_path / "m")}, config_path=cfg)
    assert s.address == "0.0.0.0:7000" and s.threads == 1 and not s.is_loopback
    assert s.models == tmp_path / "m"


def test_analysis_settings_from_the_environment_take_the_default_type(monkeypatch, tmp_path):
    s = load_settings({"RUSHES_HOME": str(tmp_path)}, config_path=tmp_path / "none.toml")
    monkeypatch.setenv("RUSHES_FACES_SAMPLE_S", "0.5")
    monkeypatch.setenv("RUSHES_DECODE_LOW_WIDTH", "96")
    monkeypatch.setenv("RUSHES_SHOTS_REFEREE_PRELOAD", "off")
    assert s.get("faces_sample_s", 1.0) == 0.5
    assert s.get("decode_low_width", 128) == 96
    assert s.get("shots_referee_preload", True) is False
    assert s.get("not_set", 7) == 7
    monkeypatch.setenv("RUSHES_DECODE_LOW_WIDTH", "wide")
    with pytest.raises(SettingsError, match="RUSHES_DECODE_LOW_WIDTH"):
        s.get("decode_low_width", 128)


def test_bad_values_name_the_setting(tmp_path):
    with pytest.raises(SettingsError, match="RUSHES_THREADS"):
        load_settings({"RUSHES_HOME": str(tmp_path), "RUSHES_THREADS": "many"}, config_path=tmp_path / "x.toml")
    with pytest.raises(SettingsError, match="host:port"):
        load_settings({"RUSHES_HOME": str(tmp_path), "RUSHES_ADDRESS": "localhost"}, config_path=tmp_path / "x.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("this is not toml [")
    with pytest.raises(SettingsError, match="bad.toml"):
        load_settings({"RUSHES_HOME": str(tmp_path)}, config_path=bad)
