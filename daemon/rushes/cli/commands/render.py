"""`rushes render --out DIR (--compound ID | --clip MEDIA START END ...)`: H.264 + AAC files.

A render is a job (follow it with `rushes jobs`, cancel with `rushes jobs --cancel`); `--wait`
follows it here. Files go only into the folder you name, never next to the footage; an existing
file is kept unless you pass --overwrite.
"""
from __future__ import annotations

import argparse
import os
import sys

from rushes.cli.common import add_common, connect, print_json, rpc_error_message


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="render clips or a compound clip to H.264 + AAC files (a job)")
    add_common(p)
    p.add_argument("--out", required=True, help="output folder (never a source folder)")
    p.add_argument("--compound", default="", metavar="ID", help="render this compound clip as one file")
    p.add_argument("--clip", nargs=3, action="append", default=[], metavar=("MEDIA", "START", "END"),
                   help="render one range (frames, end exclusive) to its own file; repeat for a batch")
    p.add_argument("--name", default="", help="file name (without .mp4) for a single output")
    p.add_argument("--overwrite", action="store_true", help="replace existing files")
    p.add_argument("--crf", type=int, default=0, help="x264 quality (default: render_crf setting, 20)")
    p.add_argument("--wait", action="store_true", help="follow the job until the files are written")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import grpc

    from rushes.cli.follow import follow_jobs
    from rushes_proto.v1 import rushes_pb2 as pb

    clips = []
    for media, start, end in args.clip:
        try:
            clips.append(pb.SourceRange(media_id=media if media.isdigit() else os.path.abspath(media),
                                        start_frame=int(start), end_frame=int(end)))
        except ValueError:
            print(f"rushes render: --clip wants MEDIA START END in frames, got {start!r} {end!r}", file=sys.stderr)
            return 2
    client = connect(args)
    try:
        resp = client.stub.Render(pb.RenderRequest(project=args.project, output_dir=os.path.abspath(args.out),
                                                   overwrite=args.overwrite, clips=clips, compound_id=args.compound,
                                                   name=args.name, crf=args.crf))
    except grpc.RpcError as err:
        print(f"rushes render: {rpc_error_message(err)}", file=sys.stderr)
        return 1
    job = resp.job
    if args.wait:
        job = follow_jobs(client, [job.id])[0]
    out = {"job_id": job.id, "state": job.state, "outputs": list(resp.outputs), "error": job.error}
    if args.json:
        print_json(out)
    else:
        print(f"render job {job.id}: {job.state}" + (f" ({job.error})" if job.error else ""))
        for path in resp.outputs:
            print(f"  {path}")
    return 0 if job.state in ("done", "queued", "running") else 1
