"""`rushes clips MEDIA [--topic TEXT]`: from a media's transcript, the moments worth a clip.

Offline by default (MiniLM ranks sentence-bounded windows); `--ranker llm` asks the
OpenAI-compatible endpoint in RUSHES_LLM_URL (key in RUSHES_LLM_KEY) to pick and describe them.
`--json` prints the highlights' shape: {"clips": [{"id", "start_frame", "end_frame", "start_s",
"end_s", "score", "reason", ...}]}.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from rushes.cli.common import add_common, connect, print_json, print_table, rpc_error_message

RANKERS = ("offline", "llm")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("clips", help="the moments of a media's transcript that carry a topic or answer a question")
    add_common(p)
    p.add_argument("media", help="media id or path")
    p.add_argument("--topic", default="", help="what the clips should be about (default: moments that stand alone)")
    p.add_argument("--limit", type=int, default=0, help="at most this many clips (default: the clips_count setting)")
    p.add_argument("--ranker", choices=RANKERS, default="",
                   help="offline (MiniLM, the default) or llm (the RUSHES_LLM_URL endpoint)")
    p.set_defaults(func=run)


def clip_json(c: Any) -> dict[str, Any]:
    return {"id": c.id, "media_id": c.media_id, "start_frame": c.start_frame, "end_frame": c.end_frame,
            "start_s": round(c.start_s, 3), "end_s": round(c.end_s, 3), "score": round(c.score, 4), "reason": c.reason,
            "rank": c.rank, "start_timecode": c.start_timecode, "fps": c.fps, "text": c.text,
            "first_sentence": c.first_sentence, "last_sentence": c.last_sentence}


def run(args: argparse.Namespace) -> int:
    import grpc

    if args.limit < 0:
        print("rushes clips: --limit must be 1 or more", file=sys.stderr)
        return 2
    media = args.media if args.media.isdigit() else os.path.abspath(os.path.expanduser(args.media))
    try:
        resp = connect(args).clips(media, args.project, topic=args.topic, limit=args.limit, ranker=args.ranker)
    except grpc.RpcError as err:
        print(f"rushes clips: {rpc_error_message(err)}", file=sys.stderr)
        return 1
    clips = [clip_json(c) for c in resp.clips]
    if args.json:
        print_json({"clips": clips, "ranker": resp.ranker, "sentences": resp.sentences})
        return 0
    if not clips:
        print("no clips" + (f" about {args.topic!r}" if args.topic else "") + f" ({resp.sentences} sentence(s) said)")
        return 0
    print_table([[c["rank"], c["start_timecode"], f"{c['start_s']:.2f}", f"{c['end_s']:.2f}", f"{c['score']:.3f}",
                  c["reason"][:70]] for c in clips], ["rank", "timecode", "start_s", "end_s", "score", "reason"])
    return 0
