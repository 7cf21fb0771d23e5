"""The server engine: a Qdrant server or cluster through qdrant-client (RUSHES_QDRANT_URL).

`RUSHES_QDRANT_URL` is a URL (`http://host:6333`), or, for tests and single-user setups without
a server, qdrant-client's local mode: `:memory:` or `path:/some/folder`. Collections are real
Qdrant collections named `<prefix><name>` (prefix `rushes_` by default, setting
`qdrant_collection_prefix`) so a shared server can hold other data beside ours.
An API key, when the server wants one, comes from RUSHES_QDRANT_API_KEY.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from typing import Any, Iterable, Iterator

from qdrant_client import QdrantClient
from qdrant_client import models as qm

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


def _client_filter(flt: Filter | None, name: str) -> qm.Filter | None:
    terms = filter_terms(flt, name)
    if not terms:
        return None
    return qm.Filter(
        must=[
            qm.FieldCondition(key=key, match=qm.MatchAny(any=value) if is_any else qm.MatchValue(value=value))
            for key, value, is_any in terms
        ]
    )


def connect(url: str, api_key: str | None = None, timeout: int = 30) -> tuple[QdrantClient, bool, str]:
    """(client, is_local_mode, where) for a RUSHES_QDRANT_URL value."""
    try:
        if url == ":memory:":
            return QdrantClient(location=":memory:"), True, ":memory:"
        if url.startswith("path:"):
            folder = url[len("path:"):]
            if not folder:
                raise VectorStoreError("RUSHES_QDRANT_URL=path: needs a folder, e.g. path:/srv/rushes-qdrant")
            return QdrantClient(path=folder), True, folder
        # The store checks reachability itself at open (get_collections) and says what to do;
        # the client's own version probe would only add a second, vaguer warning.
        client = QdrantClient(url=url, api_key=api_key, timeout=timeout, check_compatibility=False)
        return client, False, url
    except VectorStoreError:
        raise
    except Exception as exc:
        raise VectorStoreUnavailable(f"RUSHES_QDRANT_URL={url}: cannot open Qdrant: {exc}") from exc


class ClientStore(VectorStore):
    """Qdrant through qdrant-client. Local mode is not thread-safe, so there calls hold the lock;
    against a server the client is, so calls run concurrently."""

    engine = "qdrant-client"

    def __init__(self, url: str, api_key: str | None = None, prefix: str = "rushes_") -> None:
        super().__init__()
        self.client, self._local, self.location = connect(url, api_key)
        self.prefix = prefix
        self._dims: dict[str, int] = {}
        if not self._local:
            # Fail at start, naming the URL, rather than on the first ingest.
            with self._errors("", "connect"):
                self.client.get_collections()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        with self._lock if self._local else nullcontext():
            if self._closed:
                raise VectorStoreError(f"vector store at {self.location} is closed")
            yield

    @contextmanager
    def _errors(self, name: str, what: str) -> Iterator[None]:
        try:
            yield
        except VectorStoreError:
            raise
        except Exception as exc:
            where = f"collection {name!r} at {self.location}" if name else f"Qdrant at {self.location}"
            if self._local:
                raise VectorStoreError(f"{where}: {what} failed: {exc}") from exc
            # Against a server, a failure is most often the server itself (down, restarting).
            hint = " (is the server up? unset RUSHES_QDRANT_URL to use the embedded store)"
            raise VectorStoreUnavailable(f"{where}: {what} failed: {exc}{hint}") from exc

    def _full(self, name: str) -> str:
        return self.prefix + check_name(name)

    def _dim(self, name: str) -> int | None:
        """Cached dimension; None when the collection does not exist."""
        if name in self._dims:
            return self._dims[name]
        with self._errors(name, "lookup"):
            if not self.client.collection_exists(self._full(name)):
                return None
            params = self.client.get_collection(self._full(name)).config.params.vectors
        size = params.size if isinstance(params, qm.VectorParams) else None
        if size is None:
            raise VectorStoreError(
                f"collection {self._full(name)!r} at {self.location} was not made by Rushes (named vectors)"
            )
        self._dims[name] = int(size)
        return self._dims[name]

    # -- collections --------------------------------------------------------------------------
    def ensure_collection(self, name: str, dim: int) -> None:
        dim = self._check_dim(name, dim)
        with self._guard():
            known = self._dim(name)
            if known is None:
                with self._errors(name, "create"):
                    try:
                        self.client.create_collection(
                            self._full(name), vectors_config=qm.VectorParams(size=dim, distance=qm.Distance.COSINE)
                        )
                    except Exception:
                        # Another thread or process may have created it meanwhile: check below.
                        if not self.client.collection_exists(self._full(name)):
                            raise
                    if not self._local:  # local mode has no payload indexes (and warns about them)
                        for key, kind in INDEXED_FIELDS.items():
                            schema = qm.PayloadSchemaType.INTEGER if kind is int else qm.PayloadSchemaType.KEYWORD
                            self.client.create_payload_index(self._full(name), key, field_schema=schema, wait=True)
                self._dims.pop(name, None)
                known = self._dim(name)
            if known != dim:
                raise VectorStoreError(
                    f"collection {name!r} at {self.location} holds {known}-d vectors, not {dim}-d "
                    f"(a different model? drop the collection and re-embed)"
                )

    def has_collection(self, name: str) -> bool:
        with self._guard():
            return self._dim(name) is not None

    def collections(self) -> list[str]:
        with self._guard(), self._errors("", "list collections"):
            names = [c.name for c in self.client.get_collections().collections]
        return sorted(n[len(self.prefix):] for n in names if n.startswith(self.prefix))

    def dimension(self, name: str) -> int | None:
        with self._guard():
            return self._dim(name)

    def drop_collection(self, name: str) -> None:
        with self._guard(), self._errors(name, "drop"):
            self._dims.pop(name, None)
            if self.client.collection_exists(self._full(name)):
                self.client.delete_collection(self._full(name))

    # -- points -------------------------------------------------------------------------------
    def upsert(self, name: str, points: Iterable[Point]) -> None:
        with self._guard():
            dim = self._dim(name)
            if dim is None:
                raise VectorStoreError(f"no vector collection {name!r} at {self.location}: call ensure_collection first")
            prepared = self._prepare_points(name, points, dim)
            if not prepared:
                return
            structs = [qm.PointStruct(id=pid, vector=vec.tolist(), payload=payload) for pid, vec, payload in prepared]
            with self._errors(name, "upsert"):
                self.client.upsert(self._full(name), points=structs, wait=True)

    def delete(self, name: str, ids: Iterable[int] | None = None, filter: Filter | None = None) -> None:
        if ids is None and not filter:
            raise VectorStoreError(f"collection {name!r}: delete needs ids or a filter (use drop_collection to empty it)")
        with self._guard():
            if self._dim(name) is None:
                return
            id_list = None if ids is None else [check_id(i, name) for i in ids]
            flt = _client_filter(filter, name)
            if id_list is not None and flt is not None:
                selector: Any = qm.FilterSelector(filter=qm.Filter(must=[*flt.must, qm.HasIdCondition(has_id=id_list)]))
            elif id_list is not None:
                if not id_list:
                    return
                selector = qm.PointIdsList(points=id_list)
            else:
                selector = qm.FilterSelector(filter=flt)
            with self._errors(name, "delete"):
                self.client.delete(self._full(name), points_selector=selector, wait=True)

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
            dim = self._dim(name)
            if dim is None:
                return []
            vec = as_vector(vector, name, dim)
            with self._errors(name, "search"):
                found = self.client.query_points(
                    self._full(name),
                    query=vec.tolist(),
                    limit=limit,
                    query_filter=_client_filter(filter, name),
                    with_payload=True,
                    with_vectors=False,
                    score_threshold=score_threshold,
                ).points
        return [Hit(int(p.id), float(p.score), dict(p.payload or {})) for p in found]

    def scroll(self, name: str, filter: Filter | None = None, with_vectors: bool = False) -> list[Point]:
        with self._guard():
            if self._dim(name) is None:
                return []
            flt = _client_filter(filter, name)
            out: list[Point] = []
            offset = None
            while True:
                with self._errors(name, "scroll"):
                    records, offset = self.client.scroll(
                        self._full(name),
                        scroll_filter=flt,
                        limit=SCROLL_PAGE,
                        offset=offset,
                        with_payload=True,
                        with_vectors=bool(with_vectors),
                    )
                out.extend(to_point(r, with_vectors) for r in records)
                if offset is None:
                    return out

    def retrieve(self, name: str, ids: Iterable[int], with_vectors: bool = False) -> list[Point]:
        id_list = [check_id(i, name) for i in ids]
        with self._guard():
            if self._dim(name) is None or not id_list:
                return []
            with self._errors(name, "retrieve"):
                records = self.client.retrieve(
                    self._full(name), ids=id_list, with_payload=True, with_vectors=bool(with_vectors)
                )
        return in_asked_order(records, id_list, with_vectors)

    def count(self, name: str, filter: Filter | None = None) -> int:
        with self._guard():
            if self._dim(name) is None:
                return 0
            with self._errors(name, "count"):
                return int(self.client.count(self._full(name), count_filter=_client_filter(filter, name), exact=True).count)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with self._errors("", "close"):
                self.client.close()
