"""`rushes`: the command line. Each module in rushes.cli.commands registers one command."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import grpc
from rushes_client.config import ConfigError

from rushes import __version__
from rushes.cli import commands
from rushes.cli.common import rpc_error_message, setup_logging


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rushes", description="Rushes: organise raw footage for editors.")
    parser.add_argument("--version", action="version", version=f"rushes {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    parser.add_argument("--address", default=None, help="daemon address: unix:PATH or host:port (default: RUSHES_ADDRESS, else address in config.toml, else the Unix socket in RUSHES_HOME)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"rushes.cli.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except grpc.RpcError as err:
        print(f"rushes: {rpc_error_message(err)}", file=sys.stderr)
        return 1
    except ConfigError as exc:          # a misspelt or unusable setting: say which, and where
        print(f"rushes: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
