"""Support for the Python menu scripts: snapshot, `rushes resolve plan`, apply, a status line.

Resolve's own Python may lack grpcio, so like the Lua scripts these talk to the daemon through
the `rushes` CLI recorded at install (config.json beside this file). The pure plugin modules
(snapshot, ops, apply, frames) are installed under python/ beside it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

SUPPORT = os.path.dirname(os.path.abspath(__file__))


def find_resolve(scope: dict):
    """The resolve object a menu script is given (`resolve`, `app:GetResolve()`, `bmd.scriptapp`)."""
    if scope.get("resolve") is not None:
        return scope["resolve"]
    app = scope.get("app")
    if app is not None and "GetResolve" in dir(app):
        return app.GetResolve()
    bmd = scope.get("bmd")
    if bmd is not None:
        return bmd.scriptapp("Resolve")
    return None


def run_cli(config: dict, args: list[str]) -> tuple[int, str, str]:
    command = list(config["command"])
    if config.get("address"):
        command += ["--address", config["address"]]
    proc = subprocess.run(command + args, capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def run(action: str, scope: dict, support: str = SUPPORT) -> bool:
    sys.path.insert(0, os.path.join(support, "python"))
    from resolve.apply import apply
    from resolve.snapshot import dumps, take

    resolve = find_resolve(scope)
    if resolve is None:
        print("Rushes: run this from Resolve's Workspace > Scripts menu")
        return False
    with open(os.path.join(support, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    fd, snap = tempfile.mkstemp(suffix=".json", prefix="rushes-snapshot-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(dumps(take(resolve)))
    try:
        args = ["resolve", "learn", "--snapshot", snap, "--json"] if action == "learn" else \
            ["resolve", "plan", "--snapshot", snap, "--json", "--only", action]
        code, out, err = run_cli(config, args)
    finally:
        os.unlink(snap)
    if code != 0:
        line = next((l for l in err.splitlines() if "daemon is not running" in l), None) or \
            (err.strip().splitlines() or [f"rushes exited {code}"])[-1]
        print("Rushes: " + line.replace("rushes: ", ""))
        return False
    result = json.loads(out)
    if action == "learn":
        print(f"Rushes: sent {len(result['moves'])} move(s) to the daemon; run \"Rushes - Sync bins\" to see them")
        return True
    report = apply(resolve, result["ops"])
    for note in result.get("notes", []):
        print("Rushes: " + note)
    print(f"Rushes: {report.done} change(s) applied, {len(report.failed)} failed")
    for failure in report.failed:
        print("  failed: " + failure)
    return report.ok
