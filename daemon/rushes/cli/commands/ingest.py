"""`rushes ingest [--wait] PATH...`: queue files and folders for analysis."""
from __future__ import annotations

import argparse
import os

from rushes.cli.common import ProgressBar, add_common, connect, message_to_dict, print_json
from rushes.cli.follow import follow_jobs, print_summary
from rushes_proto.v1 import rushes_pb2 as pb


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="ingest files or folders (recursive) into a project")
    add_common(p)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--wait", action="store_true", help="follow the jobs with a progress bar until they end")
    p.add_argument("--shots-model", choices=["off", "auto", "full"], default="", help="TransNetV2 use for shots")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    client = connect(args)
    resp = client.stub.Ingest(pb.IngestRequest(project=args.project, paths=[os.path.abspath(p) for p in args.paths],
                                               shots_model=args.shots_model))
    jobs = list(resp.jobs)
    if args.wait and jobs:
        jobs = follow_jobs(client, [j.id for j in jobs], bar=ProgressBar("ingest"))
    if args.json:
        print_json({"jobs": [message_to_dict(j) for j in jobs],
                    "skipped": [message_to_dict(s) for s in resp.skipped]})
    else:
        print_summary(jobs, list(resp.skipped))
    return 1 if any(j.state == "failed" for j in jobs) else 0
