"""Where the daemon is and how to prove who we are: the one reader of address and token.

The CLI, the editor plugins and the daemon itself all ask this module, so a `[rushes] address`
or `token` in `~/.config/rushes/config.toml` moves every one of them together (before, the
daemon honoured the file while the CLI dialled the default and reported "not running").
Precedence is the house rule: environment > config file > defaults. The daemon's
`rushes.settings` builds on this reader for the rest of its settings; this module stays
importable from Resolve's Python (standard library only).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

DEFAULT_ADDRESS = "127.0.0.1:50051"


class ConfigError(ValueError):
    """A setting has a value Rushes cannot use; the message names the setting and where it came from."""


@dataclass(frozen=True)
class ClientConfig:
    """What a client needs to reach the daemon."""

    address: str
    token: str | None
    config_path: Path          # the file that was (or would have been) read


def config_file() -> Path:
    """`$XDG_CONFIG_HOME/rushes/config.toml`, default `~/.config/rushes/config.toml`."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "rushes" / "config.toml"


def read_config_file(path: Path) -> dict[str, Any]:
    """The parsed TOML file, or {} when there is none; a broken file is an error naming it."""
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from exc


def rushes_section(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The `[rushes]` table (a file without one may hold its keys at the top level)."""
    section = config.get("rushes", config)
    return section if isinstance(section, Mapping) else {}


def pick(env: Mapping[str, str], section: Mapping[str, Any], env_key: str, file_key: str,
         default: Any = None) -> Any:
    """One setting by the house rule: a non-empty environment value, else the file's, else default."""
    if env.get(env_key):
        return env[env_key]
    if file_key in section:
        return section[file_key]
    return default


def check_address(address: str, where: str) -> str:
    """`host:port` (or a `unix:` socket path); anything else is an error naming where it came from."""
    if address.startswith("unix:"):
        return address
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ConfigError(f"RUSHES_ADDRESS must be host:port, got {address!r} ({where})")
    return address


def load_client_config(env: Mapping[str, str] | None = None, config_path: Path | None = None,
                       config: Mapping[str, Any] | None = None) -> ClientConfig:
    """Address and token as the daemon sees them; `config` is an already parsed file (the daemon's)."""
    env = os.environ if env is None else env
    path = config_path or config_file()
    section = rushes_section(read_config_file(path) if config is None else config)
    address = str(pick(env, section, "RUSHES_ADDRESS", "address", DEFAULT_ADDRESS))
    where = "environment" if env.get("RUSHES_ADDRESS") else (str(path) if "address" in section else "default")
    token = pick(env, section, "RUSHES_TOKEN", "token", None)
    if token is not None and not isinstance(token, str):
        raise ConfigError(f"token must be text, got {token!r} ({path})")
    return ClientConfig(address=check_address(address, where), token=token or None, config_path=path)
