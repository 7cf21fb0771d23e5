"""`rushes models list | verify | pull NAME | import NAME DIR`: the model registry (issue 5).

list, verify and import go through the daemon when one answers (it owns the models folder and
reloads what is imported); without a daemon they work directly on this machine's models folder.
pull always runs here: it is the one command that downloads, and only when a person runs it.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from rushes.cli.common import add_common, connect, message_to_dict, print_json, print_table
from rushes.errors import RushesError

FIELDS = ("name", "version", "task", "source", "licence", "dimensions", "present", "path", "detail", "fallback")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="models: list, verify, pull (online), import (air-gapped)")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    for name, text in (("list", "models known, present or missing, and fallbacks in use"),
                       ("verify", "check files (size, sha256) and load each present model")):
        q = msub.add_parser(name, help=text)
        add_common(q)
        q.add_argument("--local", action="store_true", help="do not ask the daemon; read this machine's models folder")
        q.set_defaults(func=run)
    q = msub.add_parser("pull", help="download a model (needs a package index, or internet for the image-text model)")
    add_common(q)
    q.add_argument("name", nargs="?", help="model to pull (see `rushes models list`)")
    q.add_argument("--defaults", action="store_true",
                   help="pull every model the defaults use (what `make run` and `make test` do on a fresh machine)")
    q.set_defaults(func=run)
    q = msub.add_parser("import", help="copy a model folder in (air-gapped machines), after checking it loads")
    add_common(q)
    q.add_argument("name")
    q.add_argument("dir", help="folder holding the model files (or, for models from PyPI wheels, the wheels)")
    q.add_argument("--local", action="store_true", help="do not ask the daemon; copy into this machine's models folder")
    q.set_defaults(func=run)


def _as_dict(m: Any) -> dict[str, Any]:
    d = m.to_dict() if hasattr(m, "to_dict") else message_to_dict(m)
    return {k: d.get(k) for k in FIELDS}


def _print_models(models: list[dict[str, Any]], fallbacks: list[str], as_json: bool) -> None:
    if as_json:
        print_json({"models": models, "fallbacks": fallbacks})
        return
    rows = [[m["name"], m["task"], "yes" if m["present"] else "no", m["dimensions"] or "", m["version"],
             (m["detail"] or "")[:90]] for m in models]
    print_table(rows, ["model", "task", "present", "dim", "version", "detail"])
    for f in fallbacks:
        print(f"fallback: {f}")


def _print_model(m: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(m)
    else:
        print(f"{m['name']} {m['version']}: {m['detail']}")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except RushesError as exc:
        print(f"rushes: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from rushes.jobs.wiring import register_model_checks
    from rushes.models import registry
    from rushes.settings import load_settings

    register_model_checks()        # verify/import without a daemon load models as the daemon does
    action = args.models_command
    client = None if action == "pull" or getattr(args, "local", False) else connect(args, require=False)
    if action in ("list", "verify"):
        if client is not None:
            from rushes_proto.v1 import rushes_pb2 as pb

            if action == "list":
                resp = client.call("ListModels", pb.ListModelsRequest())
            else:
                resp = client.call("VerifyModels", pb.VerifyModelsRequest(), timeout=600.0, retries=1)
            models = [_as_dict(m) for m in resp.models]
            fallbacks = list(client.health().fallbacks)
        else:
            settings = load_settings()
            infos = registry.list_models(settings) if action == "list" else registry.verify(settings)
            models = [_as_dict(m) for m in infos]
            fallbacks = registry.fallbacks(settings)
        _print_models(models, fallbacks, args.json)
        return 1 if action == "verify" and any((m["detail"] or "").startswith("FAILED") for m in models) else 0
    if action == "pull" and args.defaults:
        settings = load_settings()
        infos = [registry.pull(name, settings) for name in registry.default_models()]
        if args.json:
            print_json({"models": [_as_dict(i) for i in infos]})
        else:
            for i in infos:
                _print_model(_as_dict(i), False)
        return 0
    if action == "pull":
        if not args.name:
            print("rushes: models pull needs a model name, or --defaults", file=sys.stderr)
            return 2
        info = registry.pull(args.name, load_settings())
        daemon = connect(args, require=False) if info.task == "scene" else None
        if daemon is not None:
            # Hand the pulled folder to the running daemon as an import: it re-checks it and
            # queues re-embedding of the media analysed with the previous scene model.
            from rushes_proto.v1 import rushes_pb2 as pb

            m = daemon.call("ImportModel", pb.ImportModelRequest(name=args.name, path=info.path), timeout=600.0, retries=1)
            _print_model(_as_dict(m), args.json)
        else:
            _print_model(_as_dict(info), args.json)
        return 0
    # import
    folder = os.path.abspath(os.path.expanduser(args.dir))
    if client is not None:
        from rushes_proto.v1 import rushes_pb2 as pb

        m = client.call("ImportModel", pb.ImportModelRequest(name=args.name, path=folder), timeout=600.0, retries=1)
        _print_model(_as_dict(m), args.json)
    else:
        _print_model(_as_dict(registry.import_model(args.name, folder, load_settings())), args.json)
    return 0
