"""Catalog connection handling.

SQLite in WAL mode so the gRPC threads can read while a job writes; every write goes through
`transaction()` so a crash never leaves half a result behind. Connections are per thread
because sqlite3 connections must not be shared across threads.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator


class CatalogError(RuntimeError):
    """The catalog could not be opened or upgraded; the message names the file."""


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every file in migrations/, in order."""
    found = []
    for entry in resources.files("rushes.catalog.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    return _migrations()[-1][0]


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)

    @classmethod
    def open(cls, path: Path, *, upto: int | None = None) -> "Catalog":
        """Open (creating if needed) and migrate to `upto` (default: the latest schema)."""
        cat = cls(path)
        cat.migrate(upto)
        return cat

    def connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            except sqlite3.Error as exc:
                raise CatalogError(f"{self.path}: cannot open catalog: {exc}") from exc
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception. Nested calls join the outer one."""
        conn = self.connect()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # Also when COMMIT itself fails (deferred foreign key, disk full): a transaction left
            # open would make every later write on this thread join it and never be committed.
            # SQLite may already have rolled back on its own; don't mask the real error then.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.connect().execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.connect().execute(sql, params).fetchone()

    def version(self) -> int:
        return int(self.connect().execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, upto: int | None = None) -> int:
        """Apply every migration newer than the file's user_version, each in its own transaction."""
        current = self.version()
        for version, name, sql in _migrations():
            if version <= current or (upto is not None and version > upto):
                continue
            conn = self.connect()
            # A migration that rebuilds a table (SQLite's way to change a constraint) must run
            # with foreign keys off, or dropping the old table would cascade into its children;
            # the pragma is a no-op inside a transaction, so it goes around it, and the keys
            # are checked before the commit instead.
            rebuilds = sql.lstrip().startswith(FOREIGN_KEYS_OFF)
            try:
                if rebuilds:
                    conn.execute("PRAGMA foreign_keys=OFF")
                conn.execute("BEGIN IMMEDIATE")
                for statement in _split_sql(sql):
                    conn.execute(statement)
                if rebuilds:
                    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise sqlite3.IntegrityError(f"{len(broken)} rows lost their parent, first {tuple(broken[0])}")
                conn.execute(f"PRAGMA user_version={version}")
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise CatalogError(f"{self.path}: migration {name} failed: {exc}") from exc
            finally:
                if rebuilds:
                    conn.execute("PRAGMA foreign_keys=ON")
            current = version
        return current

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


#: First line of a migration that must run with foreign keys off (it rebuilds a table).
FOREIGN_KEYS_OFF = "-- rushes: foreign_keys=off"


def _split_sql(sql: str) -> list[str]:
    """Statements of a migration file (ours hold no ';' inside literals or triggers)."""
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def now() -> float:
    return time.time()
