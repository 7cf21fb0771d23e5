"""What every CLI command shares: common flags, the daemon connection, JSON output, progress bars."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import Any, TextIO

from google.protobuf.json_format import MessageToDict

EXIT_NO_DAEMON = 3


def add_common(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    parser.add_argument("--project", default="default", help="project name (default: default)")
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON (snake_case, ids as strings)")


def connect(args: argparse.Namespace, *, require: bool = True) -> Any:
    """A ready RushesClient; with require=False None when no daemon answers.

    Address and token come from `rushes_client.config` (what `rushes serve` binds too) unless
    `--address` is given.
    """
    from rushes_client import ConfigError, DaemonUnavailable
    from rushes_client import connect as _connect

    try:
        return _connect(getattr(args, "address", None), timeout=getattr(args, "connect_timeout", 2.0))
    except ConfigError as exc:
        print(f"rushes: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except DaemonUnavailable as exc:
        if not require:
            return None
        print(f"rushes: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_NO_DAEMON) from None


def message_to_dict(message: Any) -> dict[str, Any]:
    """Proto -> JSON-ready dict: snake_case keys, defaults included, int32 numbers stay numbers."""
    return MessageToDict(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def ordered_json(message: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """The documented keys first, in their documented order; anything else the daemon adds follows."""
    d = message_to_dict(message)
    out = {k: d.get(k) for k in keys}
    out.update({k: v for k, v in d.items() if k not in out})
    return out


def print_json(obj: Any, out: TextIO | None = None) -> None:
    json.dump(obj, out or sys.stdout, indent=2, ensure_ascii=False)
    (out or sys.stdout).write("\n")


def table_cell(value: Any) -> str:
    """One line per row whatever a file is called: control characters (a newline or tab in a
    file name, an escape sequence) are shown escaped, as `ls -b` does; --json keeps them as they are."""
    text = str(value)
    if not any(ord(c) < 32 or ord(c) == 127 for c in text):
        return text
    return "".join(c.encode("unicode_escape").decode("ascii") if ord(c) < 32 or ord(c) == 127 else c for c in text)


def print_table(rows: list[list[Any]], headers: list[str], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    cells = [[table_cell(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    out.write("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip() + "\n")
    for row in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + "\n")


def rpc_error_message(err: Any) -> str:
    """One line for a grpc.RpcError: the status name and the daemon's message."""
    try:
        return f"{err.code().name}: {err.details()}"
    except Exception:  # pragma: no cover - not an RpcError
        return str(err)


class ProgressBar:
    """Progress on stderr: a redrawn bar on a terminal; with force=True and no terminal (logs, CI),
    one plain line per item and per 10 % so a log stays readable."""

    def __init__(self, label: str = "", *, stream: TextIO | None = None, width: int = 30, force: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.enabled = force or self.tty
        self.label = label
        self.width = width
        self._last = 0.0
        self._shown = False
        self._last_line: tuple[str, int] | None = None

    def update(self, fraction: float, message: str = "", *, label: str | None = None) -> None:
        if label is not None:
            self.label = label
        if not self.enabled:
            return
        fraction = max(0.0, min(1.0, fraction))
        if not self.tty:
            key = (self.label, int(fraction * 10))
            if key != self._last_line:
                self._last_line = key
                self.stream.write(f"{self.label} {fraction * 100:5.1f}% {message}\n")
                self.stream.flush()
            return
        now = time.monotonic()
        if now - self._last < 0.1 and fraction < 1.0:
            return
        self._last = now
        filled = int(round(fraction * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"\r{self.label[:40]:<40} [{bar}] {fraction * 100:5.1f}% {message[:40]:<40}"
        self.stream.write(line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def setup_logging(verbosity: int) -> None:
    """Quiet by default (warnings), -v info, -vv debug; one structured line per event."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(
        level=level,
        format='{"t":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":%(message)r}',
        stream=sys.stderr,
        force=True,
    )
