"""`rushes feedback move | merge | split | name | confirm | export`: teach the clustering.

Every action is stored by the daemon (it always holds in later clusterings) and logged as
training pairs; `export` writes those pairs as JSONL (to a file or stdout) for metric learning.
Members are shot or track ids ("shot:12", "track:7", or bare ids of the view).
"""
from __future__ import annotations

import argparse
import sys

from rushes.cli.common import add_common, connect, print_json
from rushes.cli.commands.clusters import VIEWS
from rushes.server.convert import feedback_outcome
from rushes_proto.v1 import rushes_pb2 as pb


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("feedback", help="correct the clustering: move, merge, split, name, confirm, export")
    fsub = p.add_subparsers(dest="feedback_command", metavar="ACTION")

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a = fsub.add_parser(name, help=help_text)
        add_common(a)
        a.add_argument("--view", choices=VIEWS, default="scene", help="which clustering (default: scene)")
        a.add_argument("--source", default="cli", help=argparse.SUPPRESS)
        a.set_defaults(func=run_action, action=name)
        return a

    move = action("move", "move shots or tracks to a cluster (or to noise)")
    move.add_argument("members", nargs="+", help="shot or track ids")
    move.add_argument("--to", dest="cluster", required=True, help="target cluster id, or noise")
    merge = action("merge", "merge clusters into the first (or --into)")
    merge.add_argument("clusters", nargs="+", help="cluster ids")
    merge.add_argument("--into", dest="cluster", default="", help="the cluster that survives")
    split = action("split", "split members off a cluster into a new one")
    split.add_argument("cluster", help="the cluster to split")
    split.add_argument("members", nargs="+", help="the members that form the new cluster")
    name = action("name", "name a cluster (a person, a location)")
    name.add_argument("cluster")
    name.add_argument("name")
    confirm = action("confirm", "confirm members belong to a cluster")
    confirm.add_argument("cluster")
    confirm.add_argument("members", nargs="+")
    exp = fsub.add_parser("export", help="write the training pairs as JSONL")
    add_common(exp, json_flag=False)
    exp.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    exp.set_defaults(func=run_export)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def run_action(args: argparse.Namespace) -> int:
    req = pb.FeedbackRequest(project=args.project, action=args.action, view=args.view,
                             members=getattr(args, "members", []), cluster=getattr(args, "cluster", "") or "",
                             clusters=getattr(args, "clusters", []), name=getattr(args, "name", "") or "",
                             source=args.source)
    resp = connect(args).call("SubmitFeedback", req, retries=1)
    outcome = feedback_outcome(resp)
    if args.json:
        print_json(outcome.as_json())
    else:
        print(f"feedback {outcome.feedback_id} stored; changed: " + (", ".join(
            f"{c.id}{' (' + c.name + ')' if c.name else ''}" for c in outcome.changed) or "nothing"))
    return 0


def run_export(args: argparse.Namespace) -> int:
    resp = connect(args).call("ExportFeedback", pb.ExportFeedbackRequest(project=args.project))
    if args.output == "-":
        sys.stdout.write(resp.jsonl)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(resp.jsonl)
        print(f"{resp.count} training pairs written to {args.output}", file=sys.stderr)
    return 0
