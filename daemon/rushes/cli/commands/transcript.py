"""`rushes transcript MEDIA --format srt|vtt|json`: a media's transcript as subtitles or JSON."""
from __future__ import annotations

import argparse
import os
import sys

from rushes.cli.common import add_common, connect, rpc_error_message
from rushes_proto.v1 import rushes_pb2 as pb


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcript", help="a media's transcript (SRT, WebVTT or JSON with word times)")
    add_common(p, json_flag=False)
    p.add_argument("media")
    p.add_argument("--format", choices=("srt", "vtt", "json"), default="srt")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import grpc

    text = args.media if args.media.isdigit() else os.path.abspath(os.path.expanduser(args.media))
    try:
        resp = connect(args).call("GetTranscript", pb.GetTranscriptRequest(media=text, project=args.project,
                                                                           format=args.format))
    except grpc.RpcError as err:
        print(f"rushes transcript: {rpc_error_message(err)}", file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(resp.text)
    else:
        sys.stdout.write(resp.text)
    return 0
