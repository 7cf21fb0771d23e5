"""What both vector engines share: the value types, the interface, and input checking.

The checks live here, not in each engine, so both engines refuse the same bad input with the
same message (the shared test suite relies on that), and an engine only translates.
"""
from __future__ import annotations

import math
import re
import threading
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Sequence, Union

import numpy as np

from rushes.errors import RushesError

#: A payload filter: key -> value (equality) or key -> list of values (any of); keys are ANDed.
Filter = Mapping[str, Any]
VectorLike = Union[np.ndarray, Sequence[float]]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: Points per page when scrolling a whole collection: big enough to be quick, small enough
#: that one page of 512-d float vectors stays around a megabyte.
SCROLL_PAGE = 512
#: Payload keys every Rushes point may carry that filters use all the time, with their type.
#: Engines index them when a collection is made: a filtered search over 20k 512-d vectors went
#: from 7.9 ms to 0.12 ms on Qdrant Edge with the media_id index.
INDEXED_FIELDS: dict[str, type] = {"media_id": int, "shot_id": int, "track_id": int, "model": str}


class VectorStoreError(RushesError, RuntimeError):
    """A vector operation failed; the message names the collection (or folder/URL) and the fix.

    A RushesError, so the server answers FAILED_PRECONDITION with this message, not a trace.
    """

    code = "FAILED_PRECONDITION"


class VectorStoreUnavailable(VectorStoreError):
    """The storage itself cannot be reached: a Qdrant server down, or a shard another process holds."""

    code = "UNAVAILABLE"


@dataclass
class Point:
    """One stored vector. `id` is the catalog id of what it describes (keyframe, face...).

    `vector` is None when read back without vectors. Engines store cosine vectors
    unit-normalised, so a vector read back is the direction of the one written, not its length.
    """

    id: int
    vector: np.ndarray | None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """A search result: cosine similarity in [-1, 1], higher is closer."""

    id: int
    score: float
    payload: dict[str, Any]


def check_name(name: str) -> str:
    """Collection names become folder names (edge) or collection names (server): keep them tame."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise VectorStoreError(
            f"bad collection name {name!r}: use lower-case letters, digits and '_', starting with a letter"
        )
    return name


def check_id(value: Any, name: str) -> int:
    """Point ids are catalog ids: non-negative integers (bool is refused, it is not an id)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise VectorStoreError(f"collection {name!r}: point id {value!r} is not a non-negative integer")
    return int(value)


def as_vector(value: VectorLike, name: str, dim: int | None, point_id: int | None = None) -> np.ndarray:
    """A 1-d finite non-zero float32 vector of the collection's dimension, or VectorStoreError."""
    what = f"collection {name!r}" + (f", point {point_id}" if point_id is not None else "")
    try:
        vec = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise VectorStoreError(f"{what}: vector is not numeric: {exc}") from None
    if vec.ndim != 1:
        raise VectorStoreError(f"{what}: vector must be 1-d, got shape {vec.shape}")
    if dim is not None and vec.shape[0] != dim:
        raise VectorStoreError(
            f"{what}: vector has dimension {vec.shape[0]}, the collection holds {dim}-d vectors "
            f"(a different model? drop the collection and re-embed)"
        )
    if not np.all(np.isfinite(vec)):
        raise VectorStoreError(f"{what}: vector contains NaN or infinity")
    if not np.any(vec):
        raise VectorStoreError(f"{what}: zero vector has no direction, cosine cannot compare it")
    return vec


def clean_payload(payload: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    """JSON-safe payload: numpy scalars become Python numbers, tuples become lists."""
    if payload is None:
        return {}
    if not isinstance(payload, Mapping):
        raise VectorStoreError(f"collection {name!r}: payload must be a dict, got {type(payload).__name__}")
    return {str(k): _plain(v, name) for k, v in payload.items()}


def _plain(value: Any, name: str) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise VectorStoreError(f"collection {name!r}: payload value {value!r} is not JSON")
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return _plain(float(value), name)
    if isinstance(value, np.ndarray):
        return [_plain(v, name) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v, name) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v, name) for k, v in value.items()}
    raise VectorStoreError(f"collection {name!r}: payload value {value!r} ({type(value).__name__}) is not JSON")


def filter_terms(flt: Filter | None, name: str) -> list[tuple[str, Any, bool]]:
    """(key, value-or-values, is_any) for each key of a filter, checked.

    Qdrant matches keywords, integers and booleans exactly; floats cannot be matched for
    equality, so they are refused here rather than silently matching nothing.
    """
    if not flt:
        return []
    if not isinstance(flt, Mapping):
        raise VectorStoreError(f"collection {name!r}: filter must be a dict of key -> value or list")
    terms: list[tuple[str, Any, bool]] = []
    for key, value in flt.items():
        if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
            values = [_match_value(v, key, name) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
            if not values:
                raise VectorStoreError(f"collection {name!r}: filter {key!r} has an empty any-of list")
            kinds = {type(v) for v in values}
            if len(kinds) > 1 or bool in kinds:
                raise VectorStoreError(
                    f"collection {name!r}: filter {key!r} any-of list must be all strings or all integers"
                )
            terms.append((str(key), values, True))
        else:
            terms.append((str(key), _match_value(value, key, name), False))
    return terms


def _match_value(value: Any, key: str, name: str) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, str):
        return value
    raise VectorStoreError(
        f"collection {name!r}: filter {key!r} = {value!r}: only strings, integers and booleans can be matched"
    )


class VectorStore(ABC):
    """One interface over Qdrant Edge (embedded) and Qdrant through qdrant-client.

    Reads of a collection that does not exist yet answer empty (a search before anything was
    embedded is not an error); writes need `ensure_collection` first, because only it knows
    the dimension.
    """

    #: "qdrant-edge" or "qdrant-client"; shown by health/status.
    engine: str = ""
    #: Folder or URL the store lives at; shown by health/status.
    location: str = ""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._closed = False

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Serialise calls where the engine is not thread-safe, and refuse use after close()."""
        with self._lock:
            if self._closed:
                raise VectorStoreError(f"vector store at {self.location} is closed")
            yield

    # -- collections --------------------------------------------------------------------------
    @abstractmethod
    def ensure_collection(self, name: str, dim: int) -> None:
        """Create the collection for `dim`-d cosine vectors, or check an existing one has `dim`."""

    @abstractmethod
    def has_collection(self, name: str) -> bool: ...

    @abstractmethod
    def collections(self) -> list[str]:
        """Names of the collections that exist, sorted."""

    @abstractmethod
    def dimension(self, name: str) -> int | None:
        """The collection's vector dimension, None when it does not exist."""

    @abstractmethod
    def drop_collection(self, name: str) -> None:
        """Remove a collection and all its points (e.g. before re-embedding with a new model)."""

    # -- points -------------------------------------------------------------------------------
    @abstractmethod
    def upsert(self, name: str, points: Iterable[Point]) -> None:
        """Insert or overwrite points (same id replaces vector and payload)."""

    @abstractmethod
    def delete(self, name: str, ids: Iterable[int] | None = None, filter: Filter | None = None) -> None:
        """Delete by ids, or by filter, or (both given) the ids that also match the filter."""

    @abstractmethod
    def search(
        self,
        name: str,
        vector: VectorLike,
        limit: int = 10,
        filter: Filter | None = None,
        score_threshold: float | None = None,
    ) -> list[Hit]:
        """Nearest points by cosine similarity, best first."""

    @abstractmethod
    def scroll(self, name: str, filter: Filter | None = None, with_vectors: bool = False) -> list[Point]:
        """Every point matching the filter, in id order."""

    @abstractmethod
    def retrieve(self, name: str, ids: Iterable[int], with_vectors: bool = False) -> list[Point]:
        """Points by id, in the order asked; ids that do not exist are left out."""

    @abstractmethod
    def count(self, name: str, filter: Filter | None = None) -> int:
        """Exact number of points matching the filter."""

    def optimize(self) -> None:
        """Compact and index segments after a large batch of writes; a no-op where the engine does it."""

    @abstractmethod
    def close(self) -> None:
        """Flush and release files/connections; the store refuses calls afterwards."""

    def __enter__(self) -> "VectorStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- shared helpers for engines -----------------------------------------------------------
    def _check_limit(self, name: str, limit: int) -> int:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise VectorStoreError(f"collection {name!r}: search limit must be a positive integer, got {limit!r}")
        return int(limit)

    def _check_dim(self, name: str, dim: int) -> int:
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
            raise VectorStoreError(f"collection {name!r}: dimension must be a positive integer, got {dim!r}")
        return int(dim)

    def _prepare_points(self, name: str, points: Iterable[Point], dim: int | None) -> list[tuple[int, np.ndarray, dict]]:
        prepared = []
        for p in points:
            pid = check_id(p.id, name)
            if p.vector is None:
                raise VectorStoreError(f"collection {name!r}, point {pid}: upsert needs a vector")
            prepared.append((pid, as_vector(p.vector, name, dim, pid), clean_payload(p.payload, name)))
        return prepared


def to_point(record: Any, with_vectors: bool) -> Point:
    """An engine's record (Qdrant Edge or qdrant-client: same fields) as our Point."""
    vec = to_array(record.vector) if with_vectors else None
    return Point(int(record.id), vec, dict(record.payload or {}))


def in_asked_order(records: Iterable[Any], ids: list[int], with_vectors: bool) -> list[Point]:
    """Retrieved records in the order the ids were asked, missing ids left out (engines sort by id)."""
    by_id = {int(r.id): to_point(r, with_vectors) for r in records}
    return [by_id[i] for i in ids if i in by_id]


def to_array(vector: Any) -> np.ndarray | None:
    """An engine's returned vector (list or dict with the default "" name) as float32."""
    if vector is None:
        return None
    if isinstance(vector, Mapping):
        vector = vector.get("", next(iter(vector.values()), None))
        if vector is None:
            return None
    return np.asarray(vector, dtype=np.float32)
