"""`rushes watch add|remove|list`: folders the daemon watches (persisted, restored at start)."""
from __future__ import annotations

import argparse
import os

from rushes.cli.common import add_common, connect, message_to_dict, print_json, print_table
from rushes_proto.v1 import rushes_pb2 as pb


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("watch", help="watch folders for new footage")
    wsub = p.add_subparsers(dest="watch_command", metavar="ACTION")
    add = wsub.add_parser("add", help="watch a folder (recursive)")
    add_common(add)
    add.add_argument("folder")
    add.add_argument("--polling", action="store_true", help="poll instead of inotify (network storage)")
    add.set_defaults(func=run_add)
    rm = wsub.add_parser("remove", help="stop watching a folder")
    add_common(rm)
    rm.add_argument("folder")
    rm.set_defaults(func=run_remove)
    ls = wsub.add_parser("list", help="list watched folders")
    add_common(ls)
    ls.set_defaults(func=run_list)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def run_add(args: argparse.Namespace) -> int:
    w = connect(args).stub.AddWatchFolder(pb.AddWatchFolderRequest(
        project=args.project, path=os.path.abspath(args.folder), polling=args.polling))
    print_json(message_to_dict(w)) if args.json else print(f"watching {w.path} for project {w.project}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    r = connect(args).stub.RemoveWatchFolder(pb.RemoveWatchFolderRequest(project=args.project, path=os.path.abspath(args.folder)))
    print_json({"removed": r.removed}) if args.json else print("removed" if r.removed else "was not watched")
    return 0 if r.removed else 1


def run_list(args: argparse.Namespace) -> int:
    resp = connect(args).call("ListWatchFolders", pb.ListWatchFoldersRequest(project=args.project))
    if args.json:
        print_json({"folders": [message_to_dict(f) for f in resp.folders]})
    else:
        print_table([[f.id, f.project, "poll" if f.polling else "inotify", f.path] for f in resp.folders],
                    ["id", "project", "mode", "path"])
    return 0
