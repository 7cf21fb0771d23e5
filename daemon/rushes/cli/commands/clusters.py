"""`rushes clusters`: the project's scene, character or people clusters (noise bucket last).

`--json` prints {"clusters": [{"id", "name", "view", "shots", "tracks", "confidence", ...}]},
the noise bucket being the cluster with id "noise" (with `reasons`). `--recluster` asks the
daemon to cluster again from scratch first (new settings, after a batch of feedback).
"""
from __future__ import annotations

import argparse
from rushes.cli.common import add_common, connect, print_json, print_table
from rushes.server.convert import cluster_view
from rushes_proto.v1 import rushes_pb2 as pb

VIEWS = ("scene", "character", "people")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("clusters", help="scene, character or people clusters of a project")
    add_common(p)
    p.add_argument("--view", choices=VIEWS, default="scene", help="which clustering (default: scene)")
    p.add_argument("--recluster", action="store_true", help="cluster again from scratch before listing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    client = connect(args)
    if args.recluster:
        resp = client.call("Recluster", pb.ReclusterRequest(project=args.project, view=args.view), timeout=600.0)
    else:
        resp = client.call("ListClusters", pb.ListClustersRequest(project=args.project, view=args.view),
                           timeout=600.0)
    clusters = [cluster_view(c).as_json() for c in resp.clusters]
    if args.json:
        print_json({"clusters": clusters})
        return 0
    rows = []
    for c in clusters:
        members = c["shots"] if args.view == "scene" else c["tracks"]
        conf = list(c["confidence"].values())
        rows.append([c["id"], c["name"] or "-", c.get("parent_id", "") or "-", len(c["shots"]), len(c["tracks"]),
                     f"{min(conf):.2f}" if conf else "-", " ".join(members[:8]) + (" ..." if len(members) > 8 else "")])
    print_table(rows, ["id", "name", "in", "shots", "tracks", "min_conf", "members"])
    return 0
