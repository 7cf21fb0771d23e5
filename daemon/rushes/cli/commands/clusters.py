"""`rushes clusters`: the project's scene, character or people clusters (noise bucket last).

`--json` prints {"clusters": [{"id", "name", "view", "shots", "tracks", "confidence", ...}]},
the noise bucket being the cluster with id "noise" (with `reasons`). `--recluster` asks the
daemon to cluster again from scratch first (new settings, after a batch of feedback).
"""
from __future__ import annotations

import argparse
from typing import Any

from rushes.cli.common import add_common, connect, print_json, print_table
from rushes_proto.v1 import rushes_pb2 as pb

VIEWS = ("scene", "character", "people")


def cluster_json(c: pb.Cluster) -> dict[str, Any]:
    out = {"id": c.id, "name": c.name, "view": c.view, "shots": list(c.shots), "tracks": list(c.tracks),
           "confidence": {k: float(v) for k, v in sorted(c.confidence.items(), key=lambda kv: int(kv[0]))}}
    if c.parent_id:
        out["parent_id"] = c.parent_id
    if c.id == "noise":
        out["reasons"] = dict(sorted(c.reasons.items(), key=lambda kv: int(kv[0])))
    return out


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
    clusters = [cluster_json(c) for c in resp.clusters]
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
