"""Where the daemon is and how to prove who we are: the one reader of address and token.

The CLI, the editor plugins and the daemon itself all ask this module, so a `[rushes] address`
or `token` in `~/.config/rushes/config.toml` moves every one of them together (before, the
daemon honoured the file while the CLI dialled the default and reported "not running").
Precedence is the house rule: environment > config file > defaults. The daemon's
`rushes.settings` builds on this reader for the rest of its settings; this module stays
importable from Resolve's Python (standard library only).
"""
from __future__ import annotations

import hashlib
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

DEFAULT_ADDRESS = "127.0.0.1:50051"   # the TCP port when RUSHES_ADDRESS names TCP without one
SOCKET_NAME = "rushes.sock"            # the default transport: a Unix socket in RUSHES_HOME, 0600
TOKEN_NAME = "token"                   # loopback TCP: made at the daemon's first start, 0600
MAX_SOCKET_PATH = 100                  # sun_path holds 104 bytes on macOS, 108 on Linux, with its NUL


class ConfigError(ValueError):
    """A setting has a value Rushes cannot use; the message names the setting and where it came from."""


@dataclass(frozen=True)
class ClientConfig:
    """What a client needs to reach the daemon."""

    address: str
    token: str | None
    config_path: Path          # the file that was (or would have been) read
    home: Path | None = None   # RUSHES_HOME: where the default socket and the loopback token live
    tls_ca: Path | None = None  # PEM roots to verify a daemon serving TLS (RUSHES_TLS_CA)


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


def default_home(env: Mapping[str, str], section: Mapping[str, Any]) -> Path:
    """RUSHES_HOME as the daemon reads it (environment > `home` in config.toml > ~/.local/share/rushes)."""
    return Path(str(pick(env, section, "RUSHES_HOME", "home", str(Path.home() / ".local" / "share" / "rushes")))
                ).expanduser()


def socket_path(home: Path) -> Path:
    """Where the daemon of `home` listens by default: `$RUSHES_HOME/rushes.sock`.

    A socket path must fit sun_path (104 bytes on macOS, 108 on Linux); when RUSHES_HOME is too
    deep, the socket goes to a private per-user folder instead ($XDG_RUNTIME_DIR/rushes, else
    /tmp/rushes-<uid>, 0700), named after the home so each data folder keeps its own daemon.
    """
    home = Path(os.path.abspath(home))
    inside = home / SOCKET_NAME
    if len(os.fsencode(str(inside))) <= MAX_SOCKET_PATH:
        return inside
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "rushes" if runtime else Path("/tmp") / f"rushes-{os.getuid()}"
    digest = hashlib.sha256(os.fsencode(str(home))).hexdigest()[:16]
    return base / f"{digest}.sock"


def private_folder(folder: Path) -> Path:
    """Create `folder` 0700, or check an existing one is ours and closed to others (never trust
    a folder another account made in /tmp: it could read or replace our socket)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = folder.stat()
    if st.st_uid != os.getuid() or stat.S_IMODE(st.st_mode) & 0o077:
        raise ConfigError(f"{folder}: not a private folder of this user (owner uid {st.st_uid}, mode "
                          f"{oct(stat.S_IMODE(st.st_mode))}); remove it or set RUSHES_ADDRESS")
    return folder


def is_unix(address: str) -> bool:
    return address.startswith("unix:")


def unix_path(address: str) -> Path:
    """The socket file of a `unix:PATH` (or `unix://PATH`) address."""
    rest = address[len("unix:"):]
    return Path(rest[2:] if rest.startswith("//") else rest)


def host_of(address: str) -> str:
    """The host of `host:port`, `[v6]:port` or `v6` without brackets; "" for a Unix socket."""
    if is_unix(address):
        return ""
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 or address.startswith("[") else address
    return host.strip("[]")


def is_local(address: str) -> bool:
    """A Unix socket, or TCP on the loopback interface (what `localhost` names included)."""
    if is_unix(address):
        return True
    host = host_of(address)
    return host in ("localhost", "::1") or host.startswith("127.")


def read_token_file(home: Path | None) -> str | None:
    """The token the daemon made at its first start on loopback TCP, if this user can read it."""
    if home is None:
        return None
    try:
        text = (Path(home) / TOKEN_NAME).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def check_address(address: str, where: str) -> str:
    """`host:port` (or a `unix:` socket path); anything else is an error naming where it came from."""
    if address.startswith("unix:"):
        if len(os.fsencode(str(unix_path(address)))) > MAX_SOCKET_PATH:
            raise ConfigError(f"RUSHES_ADDRESS {address!r} ({where}): a socket path must be at most "
                              f"{MAX_SOCKET_PATH} bytes (sun_path is 104 on macOS, 108 on Linux)")
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
    home = default_home(env, section)
    # Unix socket by default; Windows (no grpc Unix sockets there) gets loopback TCP and its token.
    fallback = DEFAULT_ADDRESS if os.name == "nt" else f"unix:{socket_path(home)}"
    address = str(pick(env, section, "RUSHES_ADDRESS", "address", "") or fallback)
    where = "environment" if env.get("RUSHES_ADDRESS") else (str(path) if "address" in section else "default")
    token = pick(env, section, "RUSHES_TOKEN", "token", None)
    if token is not None and not isinstance(token, str):
        raise ConfigError(f"token must be text, got {token!r} ({path})")
    if not token and not is_unix(address):
        token = read_token_file(home)  # loopback TCP: the daemon's own token, readable by its user only
    ca = pick(env, section, "RUSHES_TLS_CA", "tls_ca", None)
    return ClientConfig(address=check_address(address, where), token=token or None, config_path=path, home=home,
                        tls_ca=Path(str(ca)).expanduser() if ca else None)
