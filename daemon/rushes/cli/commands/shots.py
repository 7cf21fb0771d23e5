"""`rushes shots MEDIA`: shots, keyframes and transitions of one media.

For an ingested media the daemon answers from the catalog. Given a file path that the daemon
does not know, or when no daemon runs, the file is analysed in this process and nothing is
stored (for scripts and benchmarks).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from rushes.cli.common import add_common, connect, print_json, print_table, rpc_error_message


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("shots", help="shots, keyframes and transitions of a media (id or path)")
    add_common(p)
    p.add_argument("media", help="media id or path")
    p.add_argument("--shots-model", choices=("off", "auto", "full"), default=None,
                   help="TransNetV2 referee for in-process analysis: off, auto (unsure windows only; default) or full")
    p.set_defaults(func=run)


def _from_daemon(client: Any, args: argparse.Namespace) -> dict[str, Any] | None:
    import grpc

    from rushes_proto.v1 import rushes_pb2 as pb

    text = args.media if args.media.isdigit() else os.path.abspath(args.media)
    try:
        resp = client.call("GetShots", pb.GetShotsRequest(media=text, project=args.project))
    except grpc.RpcError as err:
        if err.code() == grpc.StatusCode.NOT_FOUND and not args.media.isdigit() and os.path.isfile(args.media):
            return None          # a file the catalog does not know: analyse it here
        print(f"rushes shots: {rpc_error_message(err)}", file=sys.stderr)
        raise SystemExit(1) from None
    if args.shots_model:
        print("rushes shots: --shots-model applies to in-process analysis; the daemon answers with what it stored "
              "(re-ingest with --shots-model to change it)", file=sys.stderr)
    out = {
        "fps": resp.fps,
        "frame_count": resp.frame_count,
        "shots": [{"id": s.id, "start_frame": s.start_frame, "end_frame": s.end_frame, "keyframes": list(s.keyframes)}
                  for s in resp.shots],
        "transitions": [],
    }
    for t in resp.transitions:
        if t.type == "cut":
            out["transitions"].append({"type": "cut", "frame": t.frame, "confidence": round(t.confidence, 3)})
        else:
            out["transitions"].append({"type": t.type, "start": t.start, "end": t.end,
                                       "confidence": round(t.confidence, 3)})
    return out


def _in_process(args: argparse.Namespace) -> dict[str, Any]:
    from rushes.decode.decode import MediaError
    from rushes.settings import load_settings
    from rushes.shots import analyse_file

    if not os.path.isfile(args.media):
        print(f"rushes shots: {args.media}: no such file, and no daemon to ask about media ids", file=sys.stderr)
        raise SystemExit(1)
    try:
        res = analyse_file(args.media, load_settings(), model=args.shots_model)
    except MediaError as exc:
        print(f"rushes shots: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    return {
        "fps": res.fps_text,
        "frame_count": res.frame_count,
        "shots": [{"id": str(s.idx), "start_frame": s.start, "end_frame": s.end, "keyframes": [f for f, _ in s.keyframes]}
                  for s in res.shots],
        "transitions": [t.as_json() for t in res.transitions],
    }


def run(args: argparse.Namespace) -> int:
    client = connect(args, require=False)
    data = _from_daemon(client, args) if client is not None else None
    if data is None:
        data = _in_process(args)
    if args.json:
        print_json(data)
        return 0
    print(f"{len(data['shots'])} shots, {len(data['transitions'])} transitions, {data['frame_count']} frames at {data['fps']} fps")
    print_table([[s["id"], s["start_frame"], s["end_frame"], s["end_frame"] - s["start_frame"],
                  " ".join(str(k) for k in s["keyframes"])] for s in data["shots"]],
                ["shot", "start", "end", "frames", "keyframes"])
    if data["transitions"]:
        print()
        print_table([[t["type"], t.get("frame", t.get("start")), t.get("frame", t.get("end", 0) - 1) if "frame" in t else t["end"],
                      f"{t['confidence']:.2f}"] for t in data["transitions"]],
                    ["transition", "start", "end", "confidence"])
    return 0
