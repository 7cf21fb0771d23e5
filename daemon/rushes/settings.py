"""Settings: environment > ~/.config/rushes/config.toml > defaults (DESIGN.md, Conventions).

One frozen object is built at start and handed down, so every part of the daemon agrees on
where data lives and how many cores it may take; tests build their own with a temporary home.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

DEFAULT_ADDRESS = "127.0.0.1:50051"


def _config_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "rushes" / "config.toml"


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read config file: {exc}") from exc


class SettingsError(ValueError):
    """A setting has a value Rushes cannot use; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    home: Path
    address: str = DEFAULT_ADDRESS
    token: str | None = None
    models_dir: Path | None = None
    qdrant_url: str | None = None
    threads: int = max(1, (os.cpu_count() or 2))
    media_dir: Path = Path.home() / ".cache" / "rushes-media"
    # Folders footage may be ingested or watched from (empty: anywhere but /proc, /sys, /dev, /).
    allowed_roots: tuple[Path, ...] = ()
    # Analysis knobs (issue-level settings live here so one config file steers them all).
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def models(self) -> Path:
        return self.models_dir or (self.home / "models")

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.sqlite3"

    @property
    def vectors_dir(self) -> Path:
        return self.home / "vectors"

    @property
    def thumbs_dir(self) -> Path:
        return self.home / "thumbnails"

    @property
    def feedback_log(self) -> Path:
        return self.home / "feedback.jsonl"

    @property
    def host(self) -> str:
        return self.address.rsplit(":", 1)[0].strip("[]")

    @property
    def is_loopback(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1") or self.host.startswith("127.")

    def get(self, key: str, default: Any = None) -> Any:
        """An analysis setting: RUSHES_<KEY> env > [analysis] in config.toml > default.

        Environment values are text; they take the type of the default so `RUSHES_FACES_SAMPLE_S=0.5`
        and `[analysis] faces_sample_s = 0.5` mean the same thing.
        """
        env = os.environ.get("RUSHES_" + key.upper())
        if env is None:
            return self.extra.get(key, default)
        try:
            if isinstance(default, bool):
                return _as_bool(env)
            if isinstance(default, int):
                return int(float(env))
            if isinstance(default, float):
                return float(env)
        except ValueError:
            raise SettingsError(f"RUSHES_{key.upper()} must be a number, got {env!r}") from None
        return env

    def with_home(self, home: Path) -> "Settings":
        return replace(self, home=home)


def _as_bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def load_settings(env: Mapping[str, str] | None = None, config_path: Path | None = None) -> Settings:
    env = os.environ if env is None else env
    cfg = _read_config(config_path or _config_file())
    section = cfg.get("rushes", cfg)

    def pick(env_key: str, cfg_key: str, default: Any = None) -> Any:
        if env.get(env_key):
            return env[env_key]
        if cfg_key in section:
            return section[cfg_key]
        return default

    home = Path(pick("RUSHES_HOME", "home", str(Path.home() / ".local" / "share" / "rushes"))).expanduser()
    models = pick("RUSHES_MODELS", "models", None)
    threads_raw = pick("RUSHES_THREADS", "threads", os.cpu_count() or 2)
    try:
        threads = max(1, int(threads_raw))
    except (TypeError, ValueError):
        raise SettingsError(f"RUSHES_THREADS must be a whole number of cores, got {threads_raw!r}") from None
    address = str(pick("RUSHES_ADDRESS", "address", DEFAULT_ADDRESS))
    if ":" not in address:
        raise SettingsError(f"RUSHES_ADDRESS must be host:port, got {address!r}")
    roots_raw = pick("RUSHES_ALLOWED_ROOTS", "allowed_roots", ())
    roots_list = roots_raw.split(os.pathsep) if isinstance(roots_raw, str) else list(roots_raw)
    return Settings(
        home=home,
        allowed_roots=tuple(Path(str(r)).expanduser() for r in roots_list if str(r).strip()),
        address=address,
        token=pick("RUSHES_TOKEN", "token", None) or None,
        models_dir=Path(models).expanduser() if models else None,
        qdrant_url=pick("RUSHES_QDRANT_URL", "qdrant_url", None) or None,
        threads=threads,
        media_dir=Path(pick("RUSHES_MEDIA", "media", str(Path.home() / ".cache" / "rushes-media"))).expanduser(),
        extra=dict(cfg.get("analysis", {})),
    )
