"""SQLite backend: one file, no server (``make demo``, a single checkpoint PC).

WAL journal mode, so screenings keep reading the active version while an import
writes; imports commit in chunks (bounded WAL, flat memory) into tables that no active
version can see until the activation transaction. The import lock is an OS file lock
next to the database (its resolved path: a symbolic link to it takes the same lock),
released by the kernel if the importing process dies.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from screening.errors import ListStoreError
from screening.lists.sql_common import RECORD_SELECT, SERIES_SELECT, SqlListStore
from screening.lists.store import RecordGroup, records_table, series_table
from screening.safe_text import excerpt

_OPTIONAL_DDL = "extra TEXT, added_in INTEGER NOT NULL, removed_in INTEGER"


# Lookups read through a memory map (fewer copies); imports do not, so that the
# process's memory stays what it really uses while writing gigabytes.
_MMAP_READS = "mmap_size=2147418112"


def sqlite_path(url: str) -> Path:
    """``sqlite:///abs/path.db`` (or ``sqlite:////abs``), ``sqlite:rel.db`` or a bare path."""
    rest = url[len("sqlite:") :] if url.startswith("sqlite:") else url
    if rest.startswith("//"):
        rest = rest[2:]
        if rest.startswith("/"):
            rest = "/" + rest.lstrip("/")
    if not rest:
        raise ListStoreError(f"no file path in list store URL {excerpt(url)}")
    return Path(rest)


class SqliteListStore(SqlListStore):
    def __init__(self, path: Path, *, url: str | None = None, create: bool = True) -> None:
        self.path = path
        self.url = url or f"sqlite:///{path}"
        if not create and not path.exists():
            raise ListStoreError(f"no list store at {path}", hint="import a list first")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(path), isolation_level=None, timeout=30.0, check_same_thread=False
            )
            for pragma in (
                "journal_mode=WAL",
                "synchronous=NORMAL",
                "cache_size=-65536",
                _MMAP_READS,
                "temp_store=FILE",
            ):
                self._conn.execute(f"PRAGMA {pragma}")
            self._init_schema()
        except sqlite3.Error as error:
            raise ListStoreError(f"cannot open the list store {path}: {error}") from error
        self._lock_fd: int | None = None
        self._cursor = self._conn.cursor()

    # -- dialect hooks ---------------------------------------------------------------
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as error:
            raise ListStoreError(f"list store {self.path}: {error}") from error

    def _executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> int:
        try:
            return self._conn.executemany(sql, seq).rowcount
        except sqlite3.Error as error:
            raise ListStoreError(f"list store {self.path}: {error}") from error

    def _create_schema(self) -> None:
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS versions (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
            "base INTEGER NOT NULL, chain TEXT NOT NULL, state TEXT NOT NULL, source TEXT, "
            "digest TEXT, feed_name TEXT, started_at TEXT, finished_at TEXT, records INTEGER, "
            "series INTEGER, added INTEGER, removed INTEGER, rejected INTEGER, "
            "max_span INTEGER, status_counts TEXT, note TEXT)"
        )

    def _create_generation(self, base: int) -> None:
        self._begin()
        self._execute(
            f"CREATE TABLE {records_table(base)} (key TEXT NOT NULL, doc_type TEXT NOT NULL, "
            f"status INTEGER NOT NULL, {_OPTIONAL_DDL})"
        )
        self._execute(
            f"CREATE TABLE {series_table(base)} (prefix_key TEXT NOT NULL, "
            "width INTEGER NOT NULL, num_from INTEGER NOT NULL, num_to INTEGER NOT NULL, "
            f"doc_type TEXT NOT NULL, status INTEGER NOT NULL, {_OPTIONAL_DDL})"
        )
        self._commit()

    def _index_generation(self, base: int) -> None:
        records, series = records_table(base), series_table(base)
        # A bigger page cache (256 MB, whatever the list size) and helper threads make
        # the one-off index sort faster.
        self._conn.execute("PRAGMA cache_size=-262144")
        self._conn.execute("PRAGMA threads=2")
        try:
            self._begin()
            self._execute(f"CREATE INDEX {records}_key ON {records} (key)")
            self._execute(f"CREATE INDEX {series}_range ON {series} (prefix_key, width, num_from)")
            self._commit()
        finally:
            self._conn.execute("PRAGMA cache_size=-65536")
        self._execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _bulk_insert(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        marks = ",".join("?" * len(columns))
        self._executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def _bulk_insert_groups(self, table: str, groups: Sequence[RecordGroup], version: int) -> None:
        # SQLite unpacks each group's JSON array itself: about a fifth of the cost of
        # binding a tuple per row.
        columns = f"INSERT INTO {table} (key, doc_type, status, extra, added_in) "
        plain = columns + "SELECT value, ?, ?, NULL, ? FROM json_each(?)"
        paired = columns + (
            "SELECT json_extract(value, '$[0]'), ?, ?, json_extract(value, '$[1]'), ? "
            "FROM json_each(?)"
        )
        for group in groups:
            sql = paired if group.with_extras else plain
            self._execute(sql, (group.doc_type, group.status, version, group.rows_json))

    def _lookup_keys(self, table: str, keys: Sequence[str], where: str) -> list[tuple]:
        marks = ",".join("?" * len(keys))
        sql = f"SELECT {RECORD_SELECT} FROM {table} WHERE key IN ({marks}) AND {where}"
        try:
            return self._cursor.execute(sql, keys).fetchall()
        except sqlite3.Error as error:
            raise ListStoreError(f"list store {self.path}: {error}") from error

    def _lookup_series(
        self, table: str, probes: Sequence[tuple[str, int, int]], span: int, where: str
    ) -> list[tuple]:
        values = ",".join("(?,?,?,?)" for _ in probes)
        params: list[Any] = []
        for i, (prefix_key, width, number) in enumerate(probes):
            params += (i, prefix_key, width, number)
        cols = ", ".join(f"s.{c.strip()}" for c in SERIES_SELECT.split(","))
        sql = (
            f"WITH c(i, pk, w, n) AS (VALUES {values}) SELECT c.i, {cols} FROM c "
            f"JOIN {table} s ON s.prefix_key = c.pk AND s.width = c.w "
            f"AND s.num_from BETWEEN c.n - {int(span)} AND c.n AND s.num_to >= c.n WHERE {where}"
        )
        try:
            return self._cursor.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise ListStoreError(f"list store {self.path}: {error}") from error

    def _try_lock(self) -> bool:
        # Named after the resolved path: two imports reaching one database through a
        # symbolic link (or a relative path) must take the same lock.
        fd = os.open(f"{self.path.resolve()}.import-lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._lock_fd = fd
        self._conn.execute("PRAGMA mmap_size=0")
        return True

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None
            self._conn.execute(f"PRAGMA {_MMAP_READS}")

    def _tables(self) -> list[str]:
        rows = self._all("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [r[0] for r in rows]

    def _iter_query(self, sql: str) -> Iterator[tuple]:
        cursor = self._conn.cursor()
        cursor.execute(sql)
        while batch := cursor.fetchmany(10_000):
            yield from batch

    def read_snapshot(self) -> _Snapshot:
        return _Snapshot(self)

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            p = Path(f"{self.path}{suffix}")
            if p.exists():
                total += p.stat().st_size
        return total

    def close(self) -> None:
        self._unlock()
        self._conn.close()


class _Snapshot:
    """A read transaction: the active version and its rows read from one snapshot."""

    def __init__(self, store: SqliteListStore) -> None:
        self.store = store

    def __enter__(self) -> SqliteListStore:
        self.store._conn.execute("BEGIN")
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store._conn.execute("COMMIT")
