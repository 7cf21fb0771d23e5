"""`rushes run FOLDER` (what `make run FOOTAGE=...` calls): the main job.

Starts the daemon in this process on the embedded stores, watches FOLDER, ingests what is
there with a progress bar, prints a summary, and keeps serving (and watching) until Ctrl-C.
"""
from __future__ import annotations

import argparse
import os
import sys
from rushes.cli.common import ProgressBar, add_common
from rushes.cli.follow import follow_jobs, print_summary
from rushes.cli.commands.serve import start_daemon
from rushes_proto.v1 import rushes_pb2 as pb


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="serve, watch FOLDER and ingest it with a progress bar (Ctrl-C stops)")
    add_common(p, json_flag=False)
    p.add_argument("folder")
    p.add_argument("--polling", action="store_true", help="poll the folder (network storage)")
    p.add_argument("--once", action="store_true", help="stop after the first ingest instead of serving on")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rushes_client import RushesClient

    folder = os.path.abspath(os.path.expanduser(args.folder))
    if not os.path.isdir(folder):
        print(f"rushes run: {folder} is not a folder", file=sys.stderr)
        return 2
    daemon = start_daemon(args, "run")
    if daemon is None:
        return 2
    settings = daemon.settings
    client = RushesClient(settings.address, settings.token).wait_ready(10)
    try:
        client.stub.AddWatchFolder(pb.AddWatchFolderRequest(project=args.project, path=folder, polling=args.polling))
        resp = client.stub.Ingest(pb.IngestRequest(project=args.project, paths=[folder]))
        print(f"ingesting {len(resp.jobs)} file(s) from {folder} into project {args.project!r}", file=sys.stderr)
        jobs = follow_jobs(client, [j.id for j in resp.jobs], bar=ProgressBar("ingest", force=True)) if resp.jobs else []
        print_summary(jobs, list(resp.skipped))
        sys.stdout.flush()
        if args.once:
            daemon.stop()
            return 1 if any(j.state == "failed" for j in jobs) else 0
        print(f"watching {folder}; serving on {settings.address} until Ctrl-C", file=sys.stderr)
        daemon.wait()
    except KeyboardInterrupt:
        daemon.stop()
    finally:
        client.close()
    return 0
