"""`rushes serve`: the daemon in the foreground."""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

from rushes.errors import RushesError
from rushes.settings import SettingsError, cap_native_threads, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the daemon in the foreground (binds RUSHES_ADDRESS)")
    p.set_defaults(func=run)


def start_daemon(args: argparse.Namespace, command: str) -> Any:
    """A started Daemon with signal handlers, or None after printing why it could not start."""
    from rushes.homedir import private_umask
    from rushes.native_memory import tune_allocator

    private_umask()  # the daemon process writes only into RUSHES_HOME: keep it 0600/0700
    tune_allocator()  # before any thread starts: arenas are made per thread (issue 11)
    try:
        settings = load_settings()
        if args.address:
            settings = replace(settings, address=args.address)
        cap_native_threads(settings.threads)
        # Imported only now: the server brings numpy, whose thread pools size themselves on import.
        from rushes.server.daemon import Daemon

        daemon = Daemon(settings).start()
    except (RushesError, SettingsError) as exc:
        print(f"rushes {command}: {exc}", file=sys.stderr)
        return None
    daemon.install_signal_handlers()
    print(f"rushes daemon serving on {settings.address} (data {settings.home}); Ctrl-C to stop", file=sys.stderr)
    return daemon


def run(args: argparse.Namespace) -> int:
    daemon = start_daemon(args, "serve")
    if daemon is None:
        return 2
    daemon.wait()
    return 0
