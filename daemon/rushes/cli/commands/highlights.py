"""`rushes highlights [MEDIA]`: a media's highlights (v2 by default), or the project's best.

`--set KEY=VALUE` overrides a highlight setting for this request (re-scored from the stored
features, nothing decoded); `--debug FILE` writes the run's debug report (JSON) to FILE.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from rushes.cli.common import add_common, connect, print_json, print_table, rpc_error_message


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("highlights", help="highlights of a media (id or path), or the project's best")
    add_common(p)
    p.add_argument("media", nargs="?", default="", help="media id or path; omit for the project's best across media")
    p.add_argument("--mode", choices=("v1", "v2"), default="", help="v1 scene-based, v2 highlight-aware (default: setting, v2)")
    p.add_argument("--limit", type=int, default=0, help="at most this many clips")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a highlight setting for this request, e.g. --set target_count=5")
    p.add_argument("--debug", metavar="FILE", help="write the debug report (JSON) to FILE (one media only)")
    p.set_defaults(func=run)


def _overrides(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            print(f"rushes highlights: --set wants KEY=VALUE, got {item!r}", file=sys.stderr)
            raise SystemExit(2)
        out[key.strip()] = value.strip()
    return out


def clip_json(c: Any) -> dict[str, Any]:
    return {"id": c.id, "media_id": c.media_id, "start_frame": c.start_frame, "end_frame": c.end_frame,
            "start_s": round(c.start_s, 3), "end_s": round(c.end_s, 3), "score": round(c.score, 4), "reason": c.reason,
            "start_timecode": c.start_timecode, "anchor_frame": c.anchor_frame, "mode": c.mode,
            "components": {"excitement": round(c.components.excitement, 4), "boundary": round(c.components.boundary, 4),
                           "anchor_placement": round(c.components.anchor_placement, 4),
                           "dead_time": round(c.components.dead_time, 4)}}


def run(args: argparse.Namespace) -> int:
    import grpc

    if args.debug and not args.media:
        print("rushes highlights: --debug needs a MEDIA (the report is per media)", file=sys.stderr)
        return 2
    client = connect(args)
    media = args.media if (not args.media or args.media.isdigit()) else os.path.abspath(args.media)
    try:
        resp = client.highlights(media, args.project, mode=args.mode, limit=args.limit,
                                 settings=_overrides(args.set), debug=bool(args.debug))
    except grpc.RpcError as err:
        print(f"rushes highlights: {rpc_error_message(err)}", file=sys.stderr)
        return 1
    if args.debug:
        with open(args.debug, "w", encoding="utf-8") as fh:
            json.dump(json.loads(resp.debug_json or "{}"), fh, indent=2)
            fh.write("\n")
    clips = [clip_json(c) for c in resp.clips]
    if args.json:
        print_json({"clips": clips, "rescored": resp.rescored})
        return 0
    if not clips:
        print("no highlights")
        return 0
    print_table([[c["id"], c["media_id"], c["start_frame"], c["end_frame"], f"{c['start_s']:.2f}", f"{c['end_s']:.2f}",
                  f"{c['score']:.3f}", c["reason"]] for c in clips],
                ["id", "media", "start", "end", "start_s", "end_s", "score", "reason"])
    return 0
