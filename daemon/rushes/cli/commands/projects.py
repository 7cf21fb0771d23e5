"""`rushes projects`: list projects."""
from __future__ import annotations

import argparse

from rushes.cli.common import add_common, connect, message_to_dict, print_json, print_table
from rushes_proto.v1 import rushes_pb2 as pb


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("projects", help="list projects")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    resp = connect(args).call("ListProjects", pb.ListProjectsRequest())
    if args.json:
        print_json({"projects": [message_to_dict(p) for p in resp.projects]})
    else:
        print_table([[p.id, p.name, p.media_count] for p in resp.projects], ["id", "name", "media"])
    return 0
