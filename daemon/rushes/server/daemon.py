"""`rushes serve`: bind, serve, stop cleanly on SIGTERM/SIGINT."""
from __future__ import annotations

import logging
import signal
import threading
from concurrent import futures
from typing import Any

import grpc

from rushes.errors import FailedPrecondition
from rushes.server.app import App
from rushes.server.auth import TokenInterceptor
from rushes.server import transport
from rushes.server.service import RushesServicer
from rushes.server.streams import UNARY_THREADS, FollowerLimit
from rushes.settings import Settings, cap_native_threads
from rushes_proto.v1 import rushes_pb2_grpc as pb_grpc

log = logging.getLogger("rushes.server")


class Daemon:
    """An App behind a gRPC server; `start()` binds, `wait()` blocks until stopped."""

    def __init__(self, settings: Settings, *, start_watcher: bool = True) -> None:
        if not settings.is_loopback and not settings.token:
            raise FailedPrecondition(
                f"refusing to bind {settings.address} beyond loopback without RUSHES_TOKEN: "
                "set RUSHES_TOKEN (clients must send the same) or use the default Unix socket")
        self.settings = settings
        cap_native_threads(settings.threads)
        self.app = App(settings, start_watcher=start_watcher)
        try:
            self.binding = transport.prepare(settings)
        except Exception:
            self.app.close()
            raise
        interceptors = [TokenInterceptor(self.binding.token)] if self.binding.token else []
        followers = FollowerLimit(settings.max_followers, settings.max_followers_per_connection)
        # Followers may hold at most max_followers threads; UNARY_THREADS more stay for unary calls.
        pool = futures.ThreadPoolExecutor(max_workers=followers.total + UNARY_THREADS, thread_name_prefix="rushes-rpc")
        self.server = grpc.server(pool, interceptors=interceptors,
                                  options=[("grpc.max_send_message_length", 64 * 1024 * 1024),
                                           # a search may carry pictures (--image), up to 32 MB each
                                           ("grpc.max_receive_message_length", 40 * 1024 * 1024),
                                           ("grpc.max_concurrent_streams", followers.per_connection + UNARY_THREADS),
                                           ("grpc.so_reuseport", 0)])
        pb_grpc.add_RushesServicer_to_server(RushesServicer(self.app, followers), self.server)
        self._stopped = threading.Event()
        self.port = 0

    def start(self) -> "Daemon":
        try:
            if self.binding.credentials is not None:
                self.port = self.server.add_secure_port(self.settings.address, self.binding.credentials)
            else:
                self.port = self.server.add_insecure_port(self.settings.address)
        except RuntimeError as exc:
            self.app.close()
            raise FailedPrecondition(f"cannot bind {self.settings.address}: {exc} (is another daemon running?)") from exc
        if not self.port:
            self.app.close()
            raise FailedPrecondition(f"cannot bind {self.settings.address}: port in use? set RUSHES_ADDRESS")
        self.server.start()
        transport.after_bind(self.binding)
        log.info("serving on %s (data %s)", self.settings.address, self.settings.home)
        threading.Thread(target=self._catch_up, name="rushes-catch-up", daemon=True).start()
        return self

    def _catch_up(self) -> None:
        """A scene model that appeared while the daemon was down: re-embed what it makes stale."""
        try:
            busy = {r[0] for r in self.app.catalog.query(
                "SELECT media_id FROM jobs WHERE state IN ('queued','running') AND media_id IS NOT NULL")}
            if busy:
                return  # resumed jobs re-embed their own media; the next start catches the rest
            jobs = self.app.queue_reembed()
            if jobs:
                log.info("queued %d re-embed job(s) for a changed scene model", len(jobs))
        except Exception as exc:  # catching up must never stop the daemon from serving
            log.warning("could not check for stale scene vectors: %s", exc)

    def install_signal_handlers(self) -> None:
        def handler(signum: int, frame: Any) -> None:
            log.info("signal %s: stopping", signum)
            threading.Thread(target=self.stop, daemon=True).start()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def stop(self, grace: float = 5.0) -> None:
        if self._stopped.is_set():
            return
        self.server.stop(grace).wait(grace + 1)
        self.app.close()
        self._stopped.set()

    def wait(self) -> None:
        while not self._stopped.wait(0.5):
            pass
