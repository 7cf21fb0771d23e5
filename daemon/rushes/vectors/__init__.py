"""The vector store: one interface, two Qdrant engines.

Why two engines. An editor runs Rushes on one workstation with no database to install, so the
default is Qdrant Edge (`qdrant-edge-py`) running inside the daemon's process, storing under
`$RUSHES_HOME/vectors/`. A facility with several workstations, or a library too big for one
machine, already runs a Qdrant server or cluster; setting `RUSHES_QDRANT_URL` switches to it
through `qdrant-client`. Both speak Qdrant's model (points, payloads, filters, cosine), so one
interface (`VectorStore`) covers both and one test suite runs against both (the server path
against qdrant-client's local mode, `RUSHES_QDRANT_URL=:memory:` or `path:/folder`).

How collections map to storage. Qdrant Edge has no collections, only shards: each collection
("scene", "face", later "text") is one shard, the folder `$RUSHES_HOME/vectors/<collection>/`,
opened on first use and kept open. On a server, each is a Qdrant collection named
`rushes_<collection>`. Point ids are catalog ids (ints); every point's payload carries
media_id, shot_id, frame, model, model_version (+ box, track_id, quality for faces), so
filters like `{"media_id": [3, 4], "model": "clip-vit-b32"}` (any-of, equality, ANDed) work alike.

    store = open_store(settings)
    store.ensure_collection("scene", 512)
    store.upsert("scene", [Point(17, vec, {"media_id": 3, "shot_id": 9})])
    hits = store.search("scene", query_vec, limit=10, filter={"media_id": 3})
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Filter, Hit, Point, VectorStore, VectorStoreError, VectorStoreUnavailable

if TYPE_CHECKING:  # settings import stays cheap for callers that only want the types
    from rushes.settings import Settings

__all__ = ["Filter", "Hit", "Point", "VectorStore", "VectorStoreError", "VectorStoreUnavailable", "open_store"]


def open_store(settings: "Settings") -> VectorStore:
    """The embedded Qdrant Edge store, or the Qdrant server one when settings.qdrant_url is set.

    Engines are imported here, not at module import, so code that only needs the types does
    not load both Qdrant bindings.
    """
    if settings.qdrant_url:
        from .server import ClientStore

        return ClientStore(
            settings.qdrant_url,
            api_key=settings.get("qdrant_api_key") or None,
            prefix=str(settings.get("qdrant_collection_prefix", "rushes_")),
        )
    from rushes.diskspace import home_guard

    from .edge import EdgeStore

    return EdgeStore(settings.vectors_dir, threads=settings.threads, space=home_guard(settings, settings.vectors_dir))
