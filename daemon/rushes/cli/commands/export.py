"""`rushes export`: the daemon's results as a file an editor imports (OTIO, EDL, FCP7 XML, FCPXML).

    rushes export --what shots --format edl MEDIA -o shots.edl
    rushes export --what clusters --view people --format fcpxml -o people.fcpxml
    rushes export --what highlights --format edl MEDIA -o best.edl      # no MEDIA: the project's best
    rushes export --what compound --format fcpxml -o compounds.fcpxml   # --compound ID for one
    rushes export --what search --query '"we are late"' --format otio -o selects.otio

Everything goes through the thin side (`rushes_client` + `rushes_otio`), exactly as an editor's
machine would do it; the command only parses arguments and reports. Never overwrites without
`--force`; a document the format cannot hold fails with the reason and the format that would.
`--json` prints {"what", "format", "files": [...]}.
"""
from __future__ import annotations

import argparse
import os
import sys

from rushes.cli.common import add_common, connect, print_json

WHATS = ("shots", "clusters", "highlights", "compound", "search")
VIEWS = ("scene", "character", "people")
FORMATS = ("otio", "edl", "fcp7", "fcpxml")
EXIT_LIMIT = 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export shots, clusters, highlights or compound clips as OTIO, EDL, FCP7 XML "
                                      "or FCPXML")
    add_common(p)
    p.add_argument("media", nargs="?", default="", help="media id or path (--what shots; highlights of one media)")
    p.add_argument("--what", choices=WHATS, required=True, help="which results to export")
    p.add_argument("--format", choices=FORMATS, required=True, help="file format")
    p.add_argument("--view", choices=VIEWS, default="scene", help="cluster view (default: scene)")
    p.add_argument("--compound", default="", help="one compound clip id (--what compound; default: all)")
    p.add_argument("--query", default="", help="--what search: the query (as `rushes search` takes it)")
    p.add_argument("--saved", default="", help="--what search: a search saved with `rushes search ... --save NAME`")
    p.add_argument("-o", "--output", required=True, help="file to write (an EDL of clusters: one file per cluster, "
                                                         "named OUTPUT_STEM.<cluster>.edl)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--edl-style", choices=("avid", "premiere"), default="avid",
                   help="EDL flavour: avid (reels, FROM CLIP NAME) or premiere (AX reels, file names)")
    p.add_argument("--reel-len", type=int, default=8, help="EDL reel name length (default 8; 32 for long reels)")
    p.add_argument("--fcpxml-version", default="1.10", help="FCPXML version 1.8-1.13 (default 1.10)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import grpc
    from rushes_otio import export, fetch
    from rushes_otio.errors import FormatLimit

    if args.what == "shots" and not args.media:
        print("rushes export: --what shots needs a MEDIA (id or path)", file=sys.stderr)
        return EXIT_LIMIT
    if args.what == "search" and not (args.query or args.saved):
        print("rushes export: --what search needs --query QUERY or --saved NAME", file=sys.stderr)
        return EXIT_LIMIT
    client = connect(args)
    try:
        media = args.media if (not args.media or args.media.isdigit()) else os.path.abspath(args.media)
        if args.what == "shots":
            doc = fetch.shots(client, args.project, media)
        elif args.what == "highlights":
            doc = fetch.highlights(client, args.project, media)
        elif args.what == "compound":
            doc = fetch.compound(client, args.project, args.compound)
        elif args.what == "search":
            doc = fetch.search(client, args.project, query=args.query, saved=args.saved)
        else:
            doc = fetch.clusters(client, args.project, args.view)
        files = export.write(doc, args.format, args.output, force=args.force, style=args.edl_style,
                             reel_len=args.reel_len, version=args.fcpxml_version)
    except FormatLimit as exc:
        print(f"rushes export: {args.format} cannot hold this: {exc}", file=sys.stderr)
        return EXIT_LIMIT
    except FileExistsError as exc:
        print(f"rushes export: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"rushes export: {exc}", file=sys.stderr)
        return 1
    except grpc.RpcError:
        raise
    finally:
        client.close()
    if args.json:
        print_json({"what": args.what, "format": args.format, "files": [str(f) for f in files]})
    else:
        for f in files:
            print(f)
    return 0
