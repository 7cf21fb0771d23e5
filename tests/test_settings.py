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
    assert s.get("faces_min_face", 7) == 7                    # declared, set nowhere: the default
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


def test_a_misspelt_key_is_an_error_naming_the_key_and_the_file(tmp_path):
    env = {"RUSHES_HOME": str(tmp_path)}
    cfg = tmp_path / "config.toml"
    cfg.write_text('[analysis]\nfaces_sampel_s = 0.5\n')
    with pytest.raises(SettingsError, match=r"'faces_sampel_s' in \[analysis\] of .*config.toml.*faces_sample_s"):
        load_settings(env, config_path=cfg)
    cfg.write_text('[rushes]\nadress = "127.0.0.1:6000"\n')
    with pytest.raises(SettingsError, match=r"'adress' in \[rushes\] of .*config.toml.*'address'"):
        load_settings(env, config_path=cfg)
    cfg.write_text('[analyse]\nfaces_sample_s = 0.5\n')
    with pytest.raises(SettingsError, match=r"'analyse' in .*config.toml"):
        load_settings(env, config_path=cfg)
    with pytest.raises(SettingsError, match="'RUSHES_FACES_SAMPEL_S' in the environment.*RUSHES_FACES_SAMPLE_S"):
        load_settings({**env, "RUSHES_FACES_SAMPEL_S": "0.5"}, config_path=tmp_path / "none.toml")
    # A value of the wrong kind names the key and the file too.
    cfg.write_text('[analysis]\nfaces_sample_s = "often"\n')
    s = load_settings(env, config_path=cfg)
    with pytest.raises(SettingsError, match=r"faces_sample_s in \[analysis\] of .*config.toml must be a number"):
        s.get("faces_sample_s", 1.0)
    # The old flat form (no [rushes] table) still reads.
    cfg.write_text('address = "127.0.0.1:6001"\n')
    assert load_settings(env, config_path=cfg).address == "127.0.0.1:6001"


def test_every_analysis_key_the_daemon_reads_is_declared():
    """Each `settings.get("key", ...)` in the daemon names a declared key (get() refuses others)."""
    import re
    from pathlib import Path

    from rushes.settings import ANALYSIS_KEYS

    root = Path(__file__).resolve().parents[1] / "daemon" / "rushes"
    pattern = re.compile(r"""(?:settings\.get|\bsetting|\b_setting)\((?:settings, )?["']([a-z_0-9]+)["']""")
    used = {m for path in root.rglob("*.py") for m in pattern.findall(path.read_text())}
    # clustering/engine.py reads these through a local alias, two views by one f-string
    used |= {f"cluster_{v}_{k}" for v in ("scene", "people") for k in ("min_size", "min_samples", "epsilon")}
    used |= {"cluster_min_confidence", "cluster_space_level", "cluster_learn_reach", "cluster_guided"}
    assert used - set(ANALYSIS_KEYS) == set()
    assert len(used) > 40


def test_the_client_and_the_daemon_read_address_and_token_alike(tmp_path, monkeypatch):
    from rushes_client import RushesClient, default_address, load_client_config

    cfg = tmp_path / "config" / "rushes" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[rushes]\naddress = "127.0.0.1:6002"\ntoken = "from-file"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("RUSHES_ADDRESS", raising=False)
    client, daemon = load_client_config(), load_settings()
    assert (client.address, client.token) == (daemon.address, daemon.token) == ("127.0.0.1:6002", "from-file")
    assert client.config_path == cfg and default_address() == "127.0.0.1:6002"
    with RushesClient() as c:
        assert c.address == "127.0.0.1:6002"
    monkeypatch.setenv("RUSHES_ADDRESS", "127.0.0.1:6003")
    monkeypatch.setenv("RUSHES_TOKEN", "from-env")
    client, daemon = load_client_config(), load_settings()
    assert (client.address, client.token) == (daemon.address, daemon.token) == ("127.0.0.1:6003", "from-env")
    cfg.write_text('[rushes]\naddress = "nowhere"\n')
    monkeypatch.delenv("RUSHES_ADDRESS")
    with pytest.raises(SettingsError, match="host:port.*config.toml"):
        load_client_config()
