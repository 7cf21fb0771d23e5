"""`rushes media list`: every media of a project with its probe data and status."""
from __future__ import annotations

import argparse
from typing import Any

from rushes.cli.common import add_common, connect, ordered_json, print_json, print_table
from rushes_proto.v1 import rushes_pb2 as pb

JSON_KEYS = ("id", "path", "kind", "duration_s", "fps", "frame_count", "width", "height", "start_timecode",
             "audio_channels", "status", "reason", "paths")


def media_json(m: pb.Media) -> dict[str, Any]:
    return ordered_json(m, JSON_KEYS)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("media", help="media in the catalog")
    msub = p.add_subparsers(dest="media_command", metavar="ACTION")
    ls = msub.add_parser("list", help="list media of a project")
    add_common(ls)
    ls.add_argument("--status", action="append", default=[], help="only this status (repeatable)")
    ls.set_defaults(func=run_list)
    show = msub.add_parser("show", help="one media, by id or path")
    add_common(show)
    show.add_argument("media")
    show.set_defaults(func=run_show)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def run_list(args: argparse.Namespace) -> int:
    resp = connect(args).call("ListMedia", pb.ListMediaRequest(project=args.project, statuses=args.status))
    if args.json:
        print_json({"media": [media_json(m) for m in resp.media]})
        return 0
    rows = [[m.id, m.status, m.kind, f"{m.duration_s:.2f}", m.fps, m.frame_count, f"{m.width}x{m.height}",
             m.start_timecode, m.audio_channels, m.path + (f"  ({m.reason})" if m.reason else "")] for m in resp.media]
    print_table(rows, ["id", "status", "kind", "dur_s", "fps", "frames", "size", "tc", "ach", "path"])
    return 0


def run_show(args: argparse.Namespace) -> int:
    import os

    text = args.media if args.media.isdigit() else os.path.abspath(args.media)
    m = connect(args).call("GetMedia", pb.GetMediaRequest(media=text, project=args.project))
    print_json(media_json(m))
    return 0
