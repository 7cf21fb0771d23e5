"""`rushes shots MEDIA`: shots, keyframes and transitions of one media.

For an ingested media the daemon answers from the catalog. Given a file path that the daemon
does not know, or when no daemon runs, the file is analysed in this process and nothing is
stored (for scripts and benchmarks). Both print the same shot-list record
(rushes.catalog.shot_lists.ShotList): the same keys, frames and indices; `id` is the catalog
id when the daemon stored the list and null when nothing was stored.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from rushes.cli.common import add_common, connect, print_json, print_table, rpc_error_message

if TYPE_CHECKING:
    from rushes.catalog.shot_lists import ShotList


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("shots", help="shots, keyframes and transitions of a media (id or path)")
    add_common(p)
    p.add_argument("media", help="media id or path")
    p.add_argument("--shots-model", choices=("off", "auto", "full"), default=None,
                   help="TransNetV2 referee for in-process analysis: off, auto (unsure windows only; default) or full")
    p.set_defaults(func=run)


def _from_daemon(client: Any, args: argparse.Namespace) -> ShotList | None:
    # Deferred, like every command's heavy imports: `rushes --help` and `rushes status` stay fast.
    import grpc

    from rushes.server.convert import shot_list
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
    return shot_list(resp)


def _in_process(args: argparse.Namespace) -> ShotList:
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
    return res.shot_list()


def run(args: argparse.Namespace) -> int:
    client = connect(args, require=False)
    shots = _from_daemon(client, args) if client is not None else None
    if shots is None:
        shots = _in_process(args)
    if args.json:
        print_json(shots.as_json())
        return 0
    print(f"{len(shots.shots)} shots, {len(shots.transitions)} transitions, {shots.frame_count} frames at {shots.fps} fps")
    print_table([[s.id or s.index, s.start_frame, s.end_frame, s.end_frame - s.start_frame,
                  " ".join(str(k) for k in s.keyframes)] for s in shots.shots],
                ["shot", "start", "end", "frames", "keyframes"])
    if shots.transitions:
        print()
        print_table([[t.type, t.start, t.start if t.is_cut else t.end, f"{t.confidence:.2f}"] for t in shots.transitions],
                    ["transition", "start", "end", "confidence"])
    return 0
