"""`rushes serve`: the daemon in the foreground."""
from __future__ import annotations

import argparse
import sys

from rushes.errors import RushesError
from rushes.settings import SettingsError, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the daemon in the foreground (binds RUSHES_ADDRESS)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rushes.server.daemon import Daemon

    try:
        settings = load_settings()
        if args.address:
            from dataclasses import replace

            settings = replace(settings, address=args.address)
        daemon = Daemon(settings).start()
    except (RushesError, SettingsError) as exc:
        print(f"rushes serve: {exc}", file=sys.stderr)
        return 2
    daemon.install_signal_handlers()
    print(f"rushes daemon serving on {settings.address} (data {settings.home}); Ctrl-C to stop", file=sys.stderr)
    daemon.wait()
    return 0
