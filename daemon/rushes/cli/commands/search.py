"""`rushes search QUERY`: one box for words said and written, slates, people and pictures."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from rushes.cli.common import add_common, connect, ordered_json, print_json, print_table, rpc_error_message
from rushes_proto.v1 import rushes_pb2 as pb

HIT_KEYS = ("media_id", "start_frame", "end_frame", "start_s", "end_s", "score", "channels", "why", "exact", "path",
            "fps")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="search speech, on-screen text, slates, people and pictures",
                       description='QUERY: words, "exact phrases", @Name or @"Anna Smith", '
                                   "scene:12 take:3 roll:A004 camera:B")
    add_common(p)
    p.add_argument("query", nargs="*", help="the query (quote it in the shell when it holds quotes or @)")
    p.add_argument("--image", action="append", default=[], metavar="FILE", help="shots that look like this picture")
    p.add_argument("--like", action="append", default=[], metavar="SHOT", help="more shots like this shot id")
    p.add_argument("--media", action="append", default=[], metavar="M", help="only this media (id or path)")
    p.add_argument("--cluster", action="append", default=[], metavar="C", help="only inside this cluster")
    p.add_argument("--has-speech", action="store_true", help="only ranges where someone speaks")
    p.add_argument("--has-faces", action="store_true", help="only ranges with a face")
    p.add_argument("--min-duration", type=float, default=0.0, metavar="S", help="only hits at least S seconds long")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--visual", action="store_true",
                   help="also match the words against how shots look (needs an image-text model)")
    p.add_argument("--save", metavar="NAME", help="save this search under NAME (for the Resolve menu)")
    p.add_argument("--saved", metavar="NAME", help="run a saved search")
    p.add_argument("--list-saved", action="store_true", help="list the saved searches, newest first")
    p.set_defaults(func=run)


def build_request(args: argparse.Namespace) -> pb.SearchRequest:
    images = []
    for f in args.image:
        try:
            images.append(Path(f).expanduser().read_bytes())
        except OSError as exc:
            raise SystemExit(f"rushes search: cannot read --image {f}: {exc.strerror or exc}") from None
    media = [m if m.isdigit() else os.path.abspath(os.path.expanduser(m)) for m in args.media]
    return pb.SearchRequest(project=args.project, query=" ".join(args.query), media=media, clusters=args.cluster,
                            has_speech=args.has_speech, has_faces=args.has_faces, min_duration_s=args.min_duration,
                            limit=args.limit, images=images, like_shots=args.like, visual=args.visual)


def hit_json(h: pb.SearchHit) -> dict[str, Any]:
    return ordered_json(h, HIT_KEYS)


def _list_saved(client: Any, args: argparse.Namespace) -> int:
    import grpc
    from google.protobuf.json_format import MessageToDict

    try:
        saved = client.saved_searches(args.project)
    except grpc.RpcError as err:
        print(f"rushes search: {rpc_error_message(err)}", file=sys.stderr)
        return 1
    rows = [{"name": s.name, "query": s.search.query, "saved_at": round(s.saved_at, 3),
             "search": MessageToDict(s.search, preserving_proto_field_name=True)} for s in saved]
    if args.json:
        print_json({"saved": rows})
    elif not rows:
        print("no saved searches: save one with `rushes search QUERY --save NAME`")
    else:
        print_table([[r["name"], r["query"]] for r in rows], ["name", "query"])
    return 0


def run(args: argparse.Namespace) -> int:
    import grpc

    client = connect(args)
    if args.list_saved:
        return _list_saved(client, args)
    try:
        if args.saved:
            request = client.call("GetSavedSearch", pb.GetSavedSearchRequest(project=args.project, name=args.saved)).search
        else:
            request = build_request(args)
        if args.save:
            client.stub.SaveSearch(pb.SaveSearchRequest(project=args.project, name=args.save, search=request))
        resp = client.call("Search", request, timeout=300)
    except grpc.RpcError as err:
        print(f"rushes search: {rpc_error_message(err)}", file=sys.stderr)
        return 1
    if args.json:
        print_json({"hits": [hit_json(h) for h in resp.hits], "notes": list(resp.notes)})
        return 0
    rows = [[h.media_id, h.start_frame, h.end_frame, f"{h.start_s:.2f}", f"{h.end_s:.2f}", f"{h.score:.3f}",
             ",".join(h.channels), (h.why[0].detail if h.why else "")[:60]] for h in resp.hits]
    print_table(rows, ["media", "start", "end", "start_s", "end_s", "score", "channels", "why"])
    for note in resp.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
