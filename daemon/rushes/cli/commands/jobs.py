"""`rushes jobs [--follow ID] [--cancel ID]`: the job queue."""
from __future__ import annotations

import argparse

from rushes.cli.common import ProgressBar, add_common, connect, message_to_dict, print_json, print_table
from rushes.cli.follow import follow_jobs
from rushes_proto.v1 import rushes_pb2 as pb


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("jobs", help="list, follow or cancel jobs")
    add_common(p)
    p.add_argument("--follow", metavar="ID", help="follow a job until it ends")
    p.add_argument("--cancel", metavar="ID", help="cancel a job")
    p.add_argument("--state", action="append", default=[], help="only jobs in this state (repeatable)")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--all-projects", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    client = connect(args)
    if args.cancel:
        job = client.stub.CancelJob(pb.CancelJobRequest(id=args.cancel))
        print_json(message_to_dict(job)) if args.json else print(f"job {job.id}: {job.state}")
        return 0
    if args.follow:
        job = follow_jobs(client, [args.follow], bar=ProgressBar(f"job {args.follow}"))[0]
        if args.json:
            print_json(message_to_dict(job))
        else:
            print(f"job {job.id}: {job.state} {job.error or job.message}")
        return 0 if job.state == "done" else 1
    resp = client.call("ListJobs", pb.ListJobsRequest(project="" if args.all_projects else args.project,
                                                       states=args.state, limit=args.limit))
    if args.json:
        print_json({"jobs": [message_to_dict(j) for j in resp.jobs]})
    else:
        print_table([[j.id, j.state, f"{j.progress * 100:.0f}%", j.media_id, j.path, j.error or j.message]
                     for j in resp.jobs], ["id", "state", "progress", "media", "path", "message"])
    return 0
