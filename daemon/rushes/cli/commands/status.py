"""`rushes status`: what the daemon is, where its data lives, its stores, models and queue."""
from __future__ import annotations

import argparse

from rushes.cli.common import add_common, connect, message_to_dict, print_json
from rushes_proto.v1 import rushes_pb2 as pb


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="daemon version, data folder, stores, models, queue")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    client = connect(args)
    health = client.call("Health", pb.HealthRequest())
    if args.json:
        print_json(message_to_dict(health))
        return 0
    print(f"rushes {health.version} at {health.address} ({health.threads} threads)")
    print(f"data folder: {health.data_folder}")
    for s in health.stores:
        size = f" ({s.bytes_on_disk / 1e6:.1f} MB on disk)" if s.bytes_on_disk else ""
        print(f"store {s.name}: {s.engine} {s.location} {'ok' if s.ok else 'NOT OK: ' + s.detail}{size}")
    present = [m.name for m in health.models if m.present]
    print(f"models present: {', '.join(present) or 'none'}")
    for f in health.fallbacks:
        print(f"fallback: {f}")
    print(f"jobs: {health.queue_depth} queued, {health.running_jobs} running")
    if health.memory_bytes:
        kept = ", ".join(health.loaded_models) or "none"
        after = (f"; let go after {health.models_idle_release_s / 60:g} min with no job"
                 if health.models_idle_release_s and health.loaded_models else "")
        print(f"memory: {health.memory_bytes / 1e6:.0f} MB (models loaded: {kept}{after})")
    if health.disk_full:
        print(health.disk_detail)
    else:
        print(f"disk: {health.disk_free_bytes / 1e6:.0f} MB free ({health.disk_reserve_bytes / 1e6:.0f} MB reserve)")
    return 0
