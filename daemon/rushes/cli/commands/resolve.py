"""`rushes resolve plan | learn | install | uninstall | doctor`: the DaVinci Resolve plugin's CLI.

The menu scripts inside Resolve (Lua or Python) write a snapshot of the project to a file, run
`rushes resolve plan --snapshot FILE --json` and apply what it prints; "Learn from my bins" runs
`rushes resolve learn --snapshot FILE`. The plan is computed by the thin plugin (resolve.plan)
from the daemon's results, fetched through rushes_client.
"""
from __future__ import annotations

import argparse
import os
import sys

from resolve import install
from resolve.apply import apply
from resolve.external import ResolveUnavailable, connect_resolve
from resolve.feedback import send
from resolve.plan import DEFAULT_PARTS, PARTS, learn, make_plan
from resolve.results import fetch
from resolve.snapshot import Snapshot, loads, take
from rushes.cli.common import add_common, connect, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("resolve", help="DaVinci Resolve: plan a sync, learn from bins, install the menu scripts")
    rsub = p.add_subparsers(dest="resolve_command", metavar="ACTION")
    plan = rsub.add_parser("plan", help="the operations that bring a Resolve project up to date")
    add_common(plan)
    plan.add_argument("--snapshot", default=None, help="snapshot JSON of the Resolve project (file, or - for stdin); "
                                                        "without it: an empty project")
    plan.add_argument("--root", default="Rushes", help="the top bin (default: Rushes)")
    plan.add_argument("--only", choices=PARTS, default=None,
                      help="one menu's part: sync (bins, keywords, colours, selects), highlights, compound, "
                           "search (a saved search's hits as a selects timeline; not in the default plan)")
    plan.add_argument("--saved", default=None, metavar="NAME",
                      help="with --only search: this saved search (default: the newest)")
    plan.add_argument("--import-timeline", action="append", default=[], metavar="FILE",
                      help="a timeline file (rushes export: otio, fcpxml, xml, edl) for Resolve to import; repeat")
    plan.set_defaults(func=run_plan)
    learn = rsub.add_parser("learn", help="send the clips the editor moved between Rushes bins as feedback")
    add_common(learn)
    learn.add_argument("--snapshot", required=True, help="snapshot JSON of the Resolve project (file or -)")
    learn.add_argument("--root", default="Rushes")
    learn.add_argument("--dry-run", action="store_true", help="show the moves without sending them")
    learn.set_defaults(func=run_learn)
    sync = rsub.add_parser("sync", help="Resolve Studio, from outside Resolve: plan and apply now (or --learn)")
    add_common(sync, json_flag=False)
    sync.add_argument("--only", choices=PARTS, default=None)
    sync.add_argument("--saved", default=None, metavar="NAME", help="with --only search: this saved search")
    sync.add_argument("--root", default="Rushes")
    sync.add_argument("--learn", action="store_true", help="send the editor's moves between Rushes bins first")
    sync.set_defaults(func=run_sync)
    for name, help_text in (("install", "put the menu scripts in Resolve's Scripts folder"),
                            ("uninstall", "remove exactly what install put there")):
        cmd = rsub.add_parser(name, help=help_text)
        scope = cmd.add_mutually_exclusive_group()
        scope.add_argument("--user", dest="scope", action="store_const", const="user", help="this user only (default)")
        scope.add_argument("--system", dest="scope", action="store_const", const="system", help="every user")
        cmd.add_argument("--scripts-dir", default=None, help="a Fusion/Scripts folder other than the usual one")
        cmd.add_argument("--platform", default=None, choices=install.PLATFORMS, help=argparse.SUPPRESS)
        if name == "install":
            cmd.add_argument("--python", action="store_true", help="Python menu scripts instead of Lua (Studio)")
        cmd.set_defaults(func=run_install if name == "install" else run_uninstall, scope="user")
    doctor = rsub.add_parser("doctor", help="say why a script does not appear or cannot reach the daemon")
    doctor.add_argument("--platform", default=None, choices=install.PLATFORMS, help=argparse.SUPPRESS)
    doctor.set_defaults(func=run_doctor)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def _snapshot(arg: str | None):
    if arg is None:
        return Snapshot()
    text = sys.stdin.read() if arg == "-" else open(arg, encoding="utf-8").read()
    return loads(text)


def _results(args: argparse.Namespace, parts: tuple[str, ...] = DEFAULT_PARTS):
    client = connect(args)
    try:
        return client, fetch(client, args.project, parts, getattr(args, "saved", None))
    except BaseException:
        client.close()
        raise


def run_plan(args: argparse.Namespace) -> int:
    snap = _snapshot(args.snapshot)
    parts = (args.only,) if args.only else DEFAULT_PARTS
    client, results = _results(args, parts)
    client.close()
    imports = tuple(os.path.abspath(p) for p in args.import_timeline)
    plan = make_plan(results, snap, root=args.root, parts=parts, imports=imports)
    if args.json:
        print_json(plan.to_dict())
        return 0
    counts = plan.counts()
    for note in plan.notes:
        print(note)
    if not counts:
        print("nothing to do: the Resolve project is up to date")
    for kind, n in sorted(counts.items()):
        print(f"{n:6d}  {kind.replace('_', ' ')}")
    return 0


def run_learn(args: argparse.Namespace) -> int:
    snap = _snapshot(args.snapshot)
    client, results = _results(args, ("sync",))
    try:
        moves = learn(results, snap, root=args.root)
        ids = [] if args.dry_run else send(client, moves, args.project)
    finally:
        client.close()
    rows = [{"file": m.file, "members": list(m.members), "from": m.from_cluster, "to": m.to_cluster,
             "feedback_id": ids[i] if i < len(ids) else ""} for i, m in enumerate(moves)]
    if args.json:
        print_json({"moves": rows})
    elif not rows:
        print("no clip moved between Rushes bins since the last sync")
    else:
        for r in rows:
            print(f"{r['file']}: {len(r['members'])} shot(s) {r['from']} -> {r['to']}")
    return 0


def run_install(args: argparse.Namespace) -> int:
    done = install.install(scope=args.scope, platform=args.platform, scripts_dir=args.scripts_dir,
                           python=args.python, address=getattr(args, "address", None))
    for path in done.files:
        print(f"installed {path}")
    print(f"Open Resolve: Workspace > Scripts > Utility > Rushes ... (record: {done.manifest})")
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    removed = install.uninstall(scope=args.scope, platform=args.platform, scripts_dir=args.scripts_dir)
    if not removed:
        print("nothing to remove: no Rushes install found there")
    for path in removed:
        print(f"removed {path}")
    return 0


def run_doctor(args: argparse.Namespace) -> int:
    problems = 0
    for check in install.doctor(platform=args.platform, address=getattr(args, "address", None)):
        print(f"{'ok  ' if check.ok else 'FAIL'}  {check.what}: {check.detail}")
        problems += not check.ok
    return 1 if problems else 0


def run_sync(args: argparse.Namespace) -> int:
    try:
        resolve = connect_resolve()
    except ResolveUnavailable as exc:
        print(f"rushes: {exc}", file=sys.stderr)
        return 3
    parts = (args.only,) if args.only else DEFAULT_PARTS
    client, results = _results(args, parts)
    try:
        if args.learn:
            moves = learn(results, take(resolve), root=args.root)
            send(client, moves, args.project)
            print(f"sent {len(moves)} move(s) to the daemon")
            results = fetch(client, args.project, parts, getattr(args, "saved", None))
    finally:
        client.close()
    plan = make_plan(results, take(resolve), root=args.root, parts=parts)
    report = apply(resolve, plan.ops)
    for note in plan.notes:
        print(note)
    print(f"{report.done} change(s) applied, {len(report.failed)} failed")
    for failure in report.failed:
        print(f"  failed: {failure}")
    return 0 if report.ok else 1
