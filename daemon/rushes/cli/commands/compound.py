"""`rushes compound ...`: compound clips (ordered source ranges from one or several media).

  create NAME --range MEDIA START END [...]     from ranges (frames, end exclusive)
  create NAME --from-highlights [MEDIA]         from a media's highlights, or the project's best
  list | show ID | rename ID NAME | set ID --range ... | delete ID
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from rushes.cli.common import add_common, connect, message_to_dict, print_json, print_table, rpc_error_message


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compound", help="compound clips: create, list, show, rename, set, delete")
    add_common(p)
    p.add_argument("action", choices=("create", "list", "show", "rename", "set", "delete"))
    p.add_argument("args", nargs="*", help="NAME for create; ID for show/set/delete; ID NAME for rename")
    p.add_argument("--range", nargs=3, action="append", default=[], metavar=("MEDIA", "START", "END"),
                   help="a segment: media id or path, start frame, end frame (exclusive); repeat in order")
    p.add_argument("--from-highlights", nargs="?", const="", default=None, metavar="MEDIA",
                   help="build from highlights: of MEDIA, or (no MEDIA) the project's best")
    p.add_argument("--limit", type=int, default=0, help="with --from-highlights: at most this many")
    p.add_argument("--mode", choices=("v1", "v2"), default="", help="with --from-highlights: v1 or v2")
    p.add_argument("--chronological", action="store_true", help="with --from-highlights: in time order, not by score")
    p.set_defaults(func=run)


def _ranges(items: list[list[str]]) -> list[Any]:
    from rushes_proto.v1 import rushes_pb2 as pb

    out = []
    for media, start, end in items:
        try:
            s, e = int(start), int(end)
        except ValueError:
            print(f"rushes compound: --range wants MEDIA START END in frames, got {start!r} {end!r}", file=sys.stderr)
            raise SystemExit(2) from None
        out.append(pb.SourceRange(media_id=media if media.isdigit() else os.path.abspath(media), start_frame=s, end_frame=e))
    return out


def clip_json(c: Any) -> dict[str, Any]:
    d = message_to_dict(c)
    for s in d.get("segments", []):
        s["start_s"] = round(s["start_s"], 3)
        s["end_s"] = round(s["end_s"], 3)
    d["duration_s"] = round(d.get("duration_s", 0.0), 3)
    return d


def run(args: argparse.Namespace) -> int:
    import grpc

    from rushes_proto.v1 import rushes_pb2 as pb

    client = connect(args)
    stub = client.stub
    need = {"create": 1, "show": 1, "rename": 2, "set": 1, "delete": 1, "list": 0}[args.action]
    if len(args.args) != need:
        print(f"rushes compound {args.action}: expected {need} argument(s), got {len(args.args)}", file=sys.stderr)
        return 2
    try:
        if args.action == "create":
            request = pb.CreateCompoundClipRequest(project=args.project, name=args.args[0], segments=_ranges(args.range))
            if args.from_highlights is not None:
                media = args.from_highlights
                media = media if (not media or media.isdigit()) else os.path.abspath(media)
                request.from_highlights.CopyFrom(pb.HighlightsSource(media=media, limit=args.limit, mode=args.mode,
                                                                     chronological=args.chronological))
            clips = [stub.CreateCompoundClip(request, timeout=120)]
        elif args.action == "list":
            clips = list(stub.ListCompoundClips(pb.ListCompoundClipsRequest(project=args.project)).clips)
        elif args.action == "show":
            clips = [stub.GetCompoundClip(pb.GetCompoundClipRequest(project=args.project, id=args.args[0]))]
        elif args.action == "rename":
            clips = [stub.UpdateCompoundClip(pb.UpdateCompoundClipRequest(project=args.project, id=args.args[0],
                                                                          name=args.args[1]))]
        elif args.action == "set":
            clips = [stub.UpdateCompoundClip(pb.UpdateCompoundClipRequest(
                project=args.project, id=args.args[0], segments=_ranges(args.range), replace_segments=True))]
        else:
            deleted = stub.DeleteCompoundClip(pb.DeleteCompoundClipRequest(project=args.project, id=args.args[0])).deleted
            if args.json:
                print_json({"deleted": deleted})
            else:
                print(f"compound clip {args.args[0]} deleted")
            return 0
    except grpc.RpcError as err:
        print(f"rushes compound {args.action}: {rpc_error_message(err)}", file=sys.stderr)
        return 1
    if args.json:
        print_json(clip_json(clips[0]) if args.action != "list" else {"clips": [clip_json(c) for c in clips]})
        return 0
    for c in clips:
        print(f"compound clip {c.id} {c.name!r}: {len(c.segments)} segment(s), {c.duration_s:.2f} s")
        if args.action != "list":
            print_table([[i + 1, s.media_id, s.start_frame, s.end_frame, f"{s.end_s - s.start_s:.2f}", s.label]
                         for i, s in enumerate(c.segments)], ["#", "media", "start", "end", "seconds", "label"])
    return 0
