"""How the daemon is reached, and by whom only (issue 11, defect 2).

Why: the daemon listened on loopback TCP and answered any local account, so another user
could ingest a folder only we can read and fetch its pictures (`GetKeyframeImage`), list its
file names, or probe which paths exist. Now nothing unauthenticated reaches any RPC:

- default: a Unix domain socket, `$RUSHES_HOME/rushes.sock`, mode 0600 inside the 0700 data
  folder: only the daemon's user can connect, and clients find it from RUSHES_HOME with no
  setting at all (the Resolve and OTIO plugins included). A too-deep RUSHES_HOME puts the
  socket in a private per-user folder (rushes_client.config.socket_path);
- loopback TCP (`RUSHES_ADDRESS=127.0.0.1:PORT`, e.g. for Windows): the daemon makes a token at
  its first start, `$RUSHES_HOME/token`, 0600, and refuses calls without it; clients of the same
  user read that file by themselves;
- beyond loopback: RUSHES_TOKEN is required as before, and TLS is served when RUSHES_TLS_CERT
  and RUSHES_TLS_KEY are set.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

import grpc

from rushes.errors import FailedPrecondition
from rushes.settings import Settings
from rushes_client.config import TOKEN_NAME, ConfigError, is_unix, private_folder, unix_path

log = logging.getLogger("rushes.server")


@dataclass(frozen=True)
class Binding:
    """What `Daemon.start()` binds: the address, the token calls must carry, TLS or not."""

    address: str
    token: str | None
    credentials: grpc.ServerCredentials | None = None
    socket: Path | None = None


def loopback_token(home: Path) -> str:
    """The token of a loopback TCP daemon: read from `$RUSHES_HOME/token`, made (0600) at first start."""
    path = Path(home) / TOKEN_NAME
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, token.encode("ascii") + b"\n")
    finally:
        os.close(fd)
    os.chmod(path, 0o600)
    log.info("made a token for loopback TCP in %s (clients of this user read it by themselves)", path)
    return token


def _clear_stale_socket(path: Path) -> None:
    """A socket file left by a daemon that died: remove it; one that answers: refuse to start."""
    if not path.exists() and not path.is_symlink():
        return
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(1.0)
        probe.connect(str(path))
    except OSError:
        path.unlink()
        return
    finally:
        probe.close()
    raise FailedPrecondition(f"another Rushes daemon is serving on {path} (same RUSHES_HOME); stop it first")


def prepare(settings: Settings) -> Binding:
    """Decide how to bind `settings.address`; FailedPrecondition says what to set when it is unsafe."""
    address = settings.address
    if is_unix(address):
        path = unix_path(address)
        try:
            private_folder(path.parent) if path.parent != settings.home else None
        except ConfigError as exc:
            raise FailedPrecondition(str(exc)) from exc
        _clear_stale_socket(path)
        return Binding(address=address, token=settings.token, socket=path)
    credentials = None
    if settings.tls_cert and settings.tls_key:
        try:
            credentials = grpc.ssl_server_credentials([(settings.tls_key.read_bytes(), settings.tls_cert.read_bytes())])
        except OSError as exc:
            raise FailedPrecondition(f"cannot read the TLS certificate or key: {exc}") from exc
    if settings.is_loopback:
        return Binding(address=address, token=settings.token or loopback_token(settings.home), credentials=credentials)
    if not settings.token:
        raise FailedPrecondition(
            f"refusing to bind {address} beyond loopback without RUSHES_TOKEN: set RUSHES_TOKEN (clients "
            "must send the same; add RUSHES_TLS_CERT/KEY for TLS) or use the default Unix socket")
    if credentials is None:
        log.warning("serving %s beyond loopback without TLS: the token travels in clear text; set "
                    "RUSHES_TLS_CERT and RUSHES_TLS_KEY", address)
    return Binding(address=address, token=settings.token, credentials=credentials)


def after_bind(binding: Binding) -> None:
    """The socket file is the daemon user's only (0600), whatever the umask was."""
    if binding.socket is not None:
        os.chmod(binding.socket, 0o600)
