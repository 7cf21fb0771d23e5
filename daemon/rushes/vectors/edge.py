"""The embedded engine: Qdrant Edge in-process, one shard per collection.

Qdrant Edge has no collections, only shards: a shard is a folder with its config, segments and
a write-ahead log. So collection "scene" is the shard folder `<vectors_dir>/scene/`. Shards are
opened lazily on first use and kept open (a shard holds a lock on its WAL, so one process owns
the folder: a second daemon on the same RUSHES_HOME gets a clear error). Every update goes
through the WAL, so points written before a crash are there after a restart.
"""
from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable

import qdrant_edge as qe

from rushes.diskspace import DiskGuard

from .base import (
    INDEXED_FIELDS,
    SCROLL_PAGE,
    Filter,
    Hit,
    Point,
    VectorLike,
    VectorStore,
    VectorStoreError,
    VectorStoreUnavailable,
    as_vector,
    check_id,
    check_name,
    filter_terms,
    in_asked_order,
    to_point,
)

_CONFIG_FILE = "edge_config.json"  # written by Qdrant Edge into every shard folder
INDEX_MIN_POINTS = 20_000  # payload indexes and quantized search pay off only past this many points
#: Quantized search of a big shard: TurboQuant 4-bit codes (1/8 of the float32 vectors) are
#: scanned, then the best `limit x OVERSAMPLING` are rescored with the original vectors, so the
#: scores returned are exact and only the candidate choice is approximate. Edge builds no HNSW
#: unless optimize() is called, and that build took >15 min for 100k vectors on the shared
#: 2-core box; the 4-bit scan answers 1M 384-d vectors in tens of ms with recall@10 ~1.0
#: (bench/search.py --part vectors, bench/RESULTS.md).
OVERSAMPLING = 4.0
#: Edge scans each segment on one thread, so a shard in one segment answers on one core whatever
#: `max_search_threads` says: 1M 384-d points took 40 ms CPU p50 / 58 ms p99 a query. Once this
#: many points past INDEX_MIN_POINTS sit outside an optimised segment, the shard is optimised
#: into sealed segments (no HNSW graph: m=0, so it is a re-layout, ~3-13 s per 100k-point round
#: at 1M) and both cores scan in parallel: 1M then answers in 20-27 ms p50 / 27-41 ms p99 wall
#: on 2 cores (bench/search.py --part vectors, bench/RESULTS.md).
SPLIT_EVERY = 100_000
#: Optimising holds the Python binding's GIL for its whole run (a Python thread ticking every
#: millisecond got 2 ticks in 21 s), which would freeze every RPC of the daemon; so it runs in a
#: child process on the closed shard, and the daemon reopens the shard after.
_OPTIMIZE_CHILD = "import sys, qdrant_edge as qe; s = qe.EdgeShard.load(sys.argv[1], None); s.optimize(); s.close()"
OPTIMIZE_TIMEOUT_S = 3600.0

log = logging.getLogger(__name__)


def _edge_filter(flt: Filter | None, name: str) -> qe.Filter | None:
    terms = filter_terms(flt, name)
    if not terms:
        return None
    must = [
        qe.FieldCondition(key, match=qe.MatchAny(value) if is_any else qe.MatchValue(value))
        for key, value, is_any in terms
    ]
    return qe.Filter(must=must)


class EdgeStore(VectorStore):
    """Qdrant Edge shards under one folder. The binding's thread-safety is not documented, so
    every call holds the store's lock; Edge runs each search on its own thread pool anyway."""

    engine = "qdrant-edge"

    def __init__(self, folder: Path, threads: int | None = None, space: DiskGuard | None = None) -> None:
        super().__init__()
        # Edge writes through memory-mapped files: a write the disk cannot back is a SIGBUS that
        # kills the process, so every write first checks the free-space reserve (issue 11).
        self._space = space
        self.folder = Path(folder)
        self.location = str(self.folder)
        self._threads = threads
        self._shards: dict[str, qe.EdgeShard] = {}
        self._dims: dict[str, int | None] = {}
        self._indexed: dict[str, bool] = {}
        self._split_failed_at: dict[str, int] = {}  # shard size at a failed sealing: retry SPLIT_EVERY later
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VectorStoreError(f"{self.folder}: cannot create the vector folder: {exc}") from exc

    # -- shards -------------------------------------------------------------------------------
    def _path(self, name: str) -> Path:
        return self.folder / check_name(name)

    def _exists_on_disk(self, name: str) -> bool:
        return (self._path(name) / _CONFIG_FILE).is_file()

    def _config(self, dim: int | None) -> qe.EdgeConfig:
        """Vectors and payload Cold (memory-mapped, paged in on use).

        Edge's default (Cached) pre-faults every mapped page of a segment's 32 MiB vector chunk
        when a shard is created or loaded: on a tmpfs (RAM-backed, as /tmp often is) that
        allocates the whole chunk, 32 MiB per shard whatever it holds -- the 96 MB for 73
        vectors of issue 11 -- and on a nearly full disk the fault is a SIGBUS. Cold maps the
        same files without pre-faulting; the page cache keeps a small library in RAM anyway.
        TurboQuant 4-bit codes are kept beside the vectors (also Cold: 32 KiB more for a 73-vector
        shard), so a shard past INDEX_MIN_POINTS can be searched on the codes (see search()).
        Optimising (see _split) seals segments without an HNSW graph (m=0: the build took >15 min
        for 100k points on 2 cores) into two or more segments that searches scan in parallel.
        Edge stores the config given at load, so older shards take this one when opened.
        """
        vectors = (qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine, memory=qe.Memory.Cold)
                   if dim is not None else None)
        quant = qe.TurboQuantQuantizationConfig(bits=qe.TurboQuantBitSize.Bits4, memory=qe.Memory.Cold)
        no_graph = qe.HnswIndexConfig(m=0, ef_construct=100, full_scan_threshold=10_000)
        sealing = qe.EdgeOptimizersConfig(default_segment_number=2, indexing_threshold=1_000)
        return qe.EdgeConfig(vectors=vectors, max_search_threads=self._threads, payload_memory=qe.Memory.Cold,
                             quantization_config=quant, hnsw_config=no_graph, optimizers=sealing)

    def _is_current(self, name: str) -> bool:
        """Whether the shard on disk was made with today's layout (Cold, with 4-bit codes)."""
        try:
            data = json.loads((self._path(name) / _CONFIG_FILE).read_text(encoding="utf-8"))
            return data["vectors"][""].get("memory") == "cold" and "turbo" in (data.get("quantization_config") or {})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return True  # unreadable: leave it to Edge, never rewrite what we cannot read

    def _rewrite(self, name: str, dim: int) -> None:
        """A shard made by an older Rushes (before Cold, or before the 4-bit codes): copy its
        points into a shard of today's layout beside it, then swap the folders. Edge keeps a
        loaded segment as it was made, so only a rewrite stops the old pre-faulted chunk costing
        32 MiB and gives the old points their codes (a 100k-point shard: ~15 s, once)."""
        path = self._path(name)
        fresh = path.with_name(path.name + ".new-tmp")
        shutil.rmtree(fresh, ignore_errors=True)
        self._check_space()
        old = qe.EdgeShard.load(str(path), None)
        new = qe.EdgeShard.create(str(fresh), self._config(dim))
        offset = None
        while True:
            records, offset = old.scroll(qe.ScrollRequest(offset=offset, limit=SCROLL_PAGE, with_payload=True,
                                                          with_vector=True))
            points = [qe.Point(r.id, r.vector if not isinstance(r.vector, dict) else r.vector.get(""), r.payload)
                      for r in records]
            if points:
                new.update(qe.UpdateOperation.upsert_points(points))
            if offset is None:
                break
        new.flush()
        new.close()
        old.close()
        retired = path.with_name(path.name + ".old-tmp")
        shutil.rmtree(retired, ignore_errors=True)
        path.rename(retired)
        fresh.rename(path)
        shutil.rmtree(retired, ignore_errors=True)

    def _persisted_dim(self, name: str) -> int | None:
        """The dimension Edge recorded for the shard (None if unreadable: Edge still checks)."""
        try:
            data = json.loads((self._path(name) / _CONFIG_FILE).read_text(encoding="utf-8"))
            return int(data["vectors"][""]["size"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _open(self, name: str, dim: int | None = None, create: bool = False) -> qe.EdgeShard | None:
        """The open shard for `name`, loading it from disk (or creating it when `create`)."""
        shard = self._shards.get(name)
        if shard is not None:
            return shard
        path = self._path(name)
        try:
            if self._exists_on_disk(name):
                # Edge checks a given config against the shard: pass the asked (or recorded)
                # dimension so a mismatch is caught at open, and our thread cap applies.
                known = dim if dim is not None else self._persisted_dim(name)
                if known is not None and not self._is_current(name):
                    self._rewrite(name, known)
                shard = qe.EdgeShard.load(str(path), self._config(known) if known is not None else None)
            elif create:
                self._check_space()
                shard = qe.EdgeShard.create(str(path), self._config(dim))
            else:
                return None
        except Exception as exc:  # the binding raises bare Exception
            text = str(exc)
            if "WouldBlock" in text:
                raise VectorStoreUnavailable(
                    f"{path}: vector shard is in use by another process (is another `rushes serve` "
                    f"running on this RUSHES_HOME?)"
                ) from exc
            if "incompatible" in text.lower():
                raise VectorStoreError(
                    f"{path}: collection {name!r} holds {self._persisted_dim(name)}-d vectors, not {dim}-d "
                    f"(a different model? drop the collection and re-embed)"
                ) from exc
            raise VectorStoreError(f"{path}: cannot open vector shard: {text}") from exc
        self._shards[name] = shard
        self._dims[name] = dim if dim is not None else self._persisted_dim(name)
        self._index_fields(name, shard)
        return shard

    def _index_fields(self, name: str, shard: qe.EdgeShard) -> None:
        """Payload indexes for the keys filters use, only once the shard is big enough to need them.

        Each payload index costs Edge two fully written 1 MiB bitmaps per segment whatever the
        number of points (its null index), so four indexed keys made a 6-clip library take
        ~9 MiB per shard, ~96 MB for 73 vectors once segments multiplied (issue 11). Below
        INDEX_MIN_POINTS a filter simply scans the points (microseconds at that size), so small
        shards carry no index and an older shard below the threshold has its indexes dropped.
        """
        info = self._call(name, "info", shard.info)
        have = set(info.payload_schema)
        if self._space is not None and not self._space.ok():
            return  # no index change on a full disk; retried at the next write
        if int(info.points_count) < INDEX_MIN_POINTS:
            for key in sorted(have & set(INDEXED_FIELDS)):
                self._call(name, f"drop index {key}", shard.update, qe.UpdateOperation.delete_field_index(key))
            self._indexed[name] = False
            return
        for key, kind in INDEXED_FIELDS.items():
            if key not in have:
                schema = qe.PayloadSchemaType.Integer if kind is int else qe.PayloadSchemaType.Keyword
                self._call(name, f"index {key}", shard.update, qe.UpdateOperation.create_field_index(key, schema))
        self._indexed[name] = True

    def _check_space(self) -> None:
        if self._space is not None:
            self._space.check()

    def _call(self, name: str, what: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:
            raise VectorStoreError(f"{self._path(name)}: {what} failed: {exc}") from exc

    # -- collections --------------------------------------------------------------------------
    def ensure_collection(self, name: str, dim: int) -> None:
        dim = self._check_dim(name, dim)
        with self._guard():
            if name in self._shards:
                known = self._dims.get(name)
                if known is not None and known != dim:
                    raise VectorStoreError(
                        f"{self._path(name)}: collection {name!r} holds {known}-d vectors, not {dim}-d "
                        f"(a different model? drop the collection and re-embed)"
                    )
                self._dims[name] = dim
                return
            self._open(name, dim, create=True)

    def has_collection(self, name: str) -> bool:
        with self._guard():
            return name in self._shards or self._exists_on_disk(name)

    def collections(self) -> list[str]:
        with self._guard():
            on_disk = {p.name for p in self.folder.iterdir() if (p / _CONFIG_FILE).is_file()}
            return sorted(on_disk | set(self._shards))

    def dimension(self, name: str) -> int | None:
        with self._guard():
            if self._open(name) is None:
                return None
            return self._dims.get(name)

    def drop_collection(self, name: str) -> None:
        with self._guard():
            shard = self._shards.pop(name, None)
            self._dims.pop(name, None)
            self._indexed.pop(name, None)
            if shard is not None:
                self._call(name, "close", shard.close)
            path = self._path(name)
            if path.exists():
                try:
                    shutil.rmtree(path)
                except OSError as exc:
                    raise VectorStoreError(f"{path}: cannot remove collection folder: {exc}") from exc

    # -- points -------------------------------------------------------------------------------
    def upsert(self, name: str, points: Iterable[Point]) -> None:
        with self._guard():
            shard = self._open(name)
            if shard is None:
                raise VectorStoreError(f"no vector collection {name!r} in {self.folder}: call ensure_collection first")
            prepared = self._prepare_points(name, points, self._dims.get(name))
            if not prepared:
                return
            op = qe.UpdateOperation.upsert_points(
                [qe.Point(pid, vec.tolist(), payload) for pid, vec, payload in prepared]
            )
            self._check_space()
            self._call(name, "upsert", shard.update, op)
            if not self._indexed.get(name):
                self._index_fields(name, shard)  # index once the shard has grown past the threshold
            if self._indexed.get(name):
                info = self._call(name, "info", shard.info)
                points = int(info.points_count)
                if (points - int(info.indexed_vectors_count) >= SPLIT_EVERY
                        and points >= self._split_failed_at.get(name, 0) + SPLIT_EVERY):
                    self._split(name, points)

    def _split(self, name: str, points: int = 0) -> None:
        """Optimise a big shard into sealed segments that searches scan in parallel, in a child
        process (see _OPTIMIZE_CHILD). Called with the store's lock held, so other vector calls
        wait (seconds, once per SPLIT_EVERY points); RPCs that need no vectors go on. A failed
        or killed optimisation leaves the shard as it was (Edge optimises into new segments and
        swaps them in), searched on one core: logged, never raised, and tried again once another
        SPLIT_EVERY points have come (`points`: the shard's size now)."""
        path = self._path(name)
        if self._space is not None and not self._space.ok():
            return  # sealing writes the segments anew before it drops the old ones: not on a full disk
        shard = self._shards.pop(name)
        self._call(name, "flush", shard.flush)
        self._call(name, "close", shard.close)
        failure = None
        try:
            done = subprocess.run([sys.executable, "-c", _OPTIMIZE_CHILD, str(path)], capture_output=True,
                                  text=True, timeout=OPTIMIZE_TIMEOUT_S)
            if done.returncode:
                failure = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:500]
        except (OSError, subprocess.TimeoutExpired) as exc:
            failure = str(exc)
        finally:
            self._open(name, self._dims.get(name))
        if failure:
            self._split_failed_at[name] = points
            log.warning("vector shard %s: optimising into parallel segments failed (%s); searches stay "
                        "on one core until the next try", path, failure)

    def delete(self, name: str, ids: Iterable[int] | None = None, filter: Filter | None = None) -> None:
        if ids is None and not filter:
            raise VectorStoreError(f"collection {name!r}: delete needs ids or a filter (use drop_collection to empty it)")
        with self._guard():
            shard = self._open(name)
            if shard is None:
                return
            id_list = None if ids is None else [check_id(i, name) for i in ids]
            flt = _edge_filter(filter, name)
            if id_list is not None and flt is not None:
                op = qe.UpdateOperation.delete_points_by_filter(
                    qe.Filter(must=[*flt.must, qe.HasIdCondition(set(id_list))])
                )
            elif id_list is not None:
                if not id_list:
                    return
                op = qe.UpdateOperation.delete_points(id_list)
            else:
                op = qe.UpdateOperation.delete_points_by_filter(flt)
            self._check_space()  # a delete is a WAL write too
            self._call(name, "delete", shard.update, op)

    def search(
        self,
        name: str,
        vector: VectorLike,
        limit: int = 10,
        filter: Filter | None = None,
        score_threshold: float | None = None,
    ) -> list[Hit]:
        limit = self._check_limit(name, limit)
        with self._guard():
            shard = self._open(name)
            if shard is None:
                return []
            vec = as_vector(vector, name, self._dims.get(name))
            request = qe.QueryRequest(
                limit=limit,
                query=qe.Query.Nearest(vec.tolist()),
                filter=_edge_filter(filter, name),
                with_payload=True,
                with_vector=False,
                score_threshold=score_threshold,
                params=self._search_params(name),
            )
            found = self._call(name, "search", shard.query, request)
        return [Hit(int(p.id), float(p.score), dict(p.payload or {})) for p in found]

    def _search_params(self, name: str) -> qe.SearchParams:
        """Small shards are scanned exactly on the float vectors (sub-millisecond, and the same
        answers as qdrant-client's engine); big ones on the 4-bit codes with exact rescoring."""
        if self._indexed.get(name):
            return qe.SearchParams(quantization=qe.QuantizationSearchParams(rescore=True, oversampling=OVERSAMPLING))
        return qe.SearchParams(quantization=qe.QuantizationSearchParams(ignore=True))

    def scroll(self, name: str, filter: Filter | None = None, with_vectors: bool = False) -> list[Point]:
        with self._guard():
            shard = self._open(name)
            if shard is None:
                return []
            flt = _edge_filter(filter, name)
            out: list[Point] = []
            offset = None
            while True:
                request = qe.ScrollRequest(
                    offset=offset, limit=SCROLL_PAGE, filter=flt, with_payload=True, with_vector=bool(with_vectors)
                )
                records, offset = self._call(name, "scroll", shard.scroll, request)
                out.extend(to_point(r, with_vectors) for r in records)
                if offset is None:
                    return out

    def retrieve(self, name: str, ids: Iterable[int], with_vectors: bool = False) -> list[Point]:
        id_list = [check_id(i, name) for i in ids]
        with self._guard():
            shard = self._open(name)
            if shard is None or not id_list:
                return []
            records = self._call(name, "retrieve", shard.retrieve, id_list, True, bool(with_vectors))
        return in_asked_order(records, id_list, with_vectors)

    def count(self, name: str, filter: Filter | None = None) -> int:
        with self._guard():
            shard = self._open(name)
            if shard is None:
                return 0
            request = qe.CountRequest(exact=True, filter=_edge_filter(filter, name))
            return int(self._call(name, "count", shard.count, request))

    def optimize(self) -> None:
        """Edge runs no background optimiser: seal every open shard's new points now (upsert does
        it by itself every SPLIT_EVERY points)."""
        with self._guard():
            for name in list(self._shards):
                self._split(name)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            errors = []
            for name, shard in self._shards.items():
                try:
                    shard.flush()
                    shard.close()
                except Exception as exc:  # close every shard even if one fails
                    errors.append(f"{self._path(name)}: {exc}")
            self._shards.clear()
            self._closed = True
            if errors:
                raise VectorStoreError("closing vector shards failed: " + "; ".join(errors))
