"""`rushes serve`: the daemon in the foreground."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
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
        work_from_home(settings.home)
    except (RushesError, SettingsError) as exc:
        print(f"rushes {command}: {exc}", file=sys.stderr)
        return None
    daemon.install_signal_handlers()
    print(f"rushes daemon serving on {settings.address} (data {settings.home}); Ctrl-C to stop", file=sys.stderr)
    return daemon


def work_from_home(home: Path) -> None:
    """The daemon works from RUSHES_HOME, not from the folder it was started in: that folder may
    be deleted under a daemon that runs for weeks (a temp folder, an unmounted drive), and the
    speech engine's MKL then dies at its first transcription ("Intel oneMKL FATAL ERROR: Cannot
    load libctranslate2"), taking the daemon with it. A relative path sent over RPC is read
    against RUSHES_HOME; the CLI and the plugins send absolute paths."""
    try:
        os.chdir(home)
    except OSError as exc:  # the daemon made the folder; if even so it cannot enter it, say so and go on
        logging.getLogger("rushes.daemon").warning("%s: cannot work from the data folder: %s", home, exc)


def run(args: argparse.Namespace) -> int:
    daemon = start_daemon(args, "serve")
    if daemon is None:
        return 2
    daemon.wait()
    return 0
