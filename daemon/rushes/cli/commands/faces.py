"""`rushes faces MEDIA`: the face tracks found in one media (issue 5)."""
from __future__ import annotations

import argparse
import os
from typing import Any

from rushes.cli.common import add_common, connect, ordered_json, print_json, print_table
from rushes_proto.v1 import rushes_pb2 as pb

#: The documented keys first, in this order; anything else the daemon adds follows.
JSON_KEYS = ("id", "shot_id", "first_frame", "end_frame", "best_frame", "box", "quality")


def track_json(t: pb.FaceTrack) -> dict[str, Any]:
    return ordered_json(t, JSON_KEYS)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("faces", help="face tracks of a media (id or path)")
    add_common(p)
    p.add_argument("media", help="media id or path")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = args.media if args.media.isdigit() else os.path.abspath(args.media)
    resp = connect(args).call("ListFaceTracks", pb.ListFaceTracksRequest(media=text, project=args.project))
    if args.json:
        print_json({"tracks": [track_json(t) for t in resp.tracks]})
        return 0
    rows = [[t.id, t.shot_id, t.first_frame, t.end_frame, t.best_frame, t.face_count, f"{t.quality:.3f}",
             "[" + ", ".join(f"{v:.0f}" for v in t.box) + "]"] for t in resp.tracks]
    print_table(rows, ["track", "shot", "first", "end", "best", "faces", "quality", "box"])
    return 0
