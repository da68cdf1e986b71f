"""One small SQL connection for the station's own tables, on SQLite or PostgreSQL.

The web station and the CLI keep accounts, API tokens, screening history and the audit
log in one *station database*: a SQLite file by default (one booth PC), or PostgreSQL
when several stations share a server (``postgresql://...``; pick a schema with
``?options=-csearch_path%3Dname``). Queries use ``?`` placeholders on both.

One connection per :class:`Database`, guarded by a lock: the web server's worker
threads share it, and every write is a short transaction.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from screening.errors import StationDbError
from screening.lists.postgres_store import _redact as redact_url
from screening.lists.sqlite_store import sqlite_path
from screening.settings import Settings

URL_ENV = "SCREENING_STATION_DB"


def default_station_url(settings: Settings | None = None) -> str:
    """``$SCREENING_STATION_DB``, else ``station.db`` in the user's data directory."""
    if env := os.environ.get(URL_ENV):
        return env
    data_dir = (settings or Settings()).data_dir
    return f"sqlite:///{data_dir / 'station.db'}"


class Database:
    """A connection with ``execute``/``query`` and ``transaction()`` on either backend."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()
        self._in_transaction = False
        self.dialect = (
            "postgresql" if url.startswith(("postgresql://", "postgres://")) else "sqlite"
        )
        if self.dialect == "postgresql":
            self._open_postgres(url)
        elif url.startswith("sqlite:") or "://" not in url:
            self._open_sqlite(url)
        else:
            raise StationDbError(
                f"unsupported station database URL {url!r}",
                hint="use sqlite:///path/station.db or postgresql://user@host/dbname",
            )

    def _open_sqlite(self, url: str) -> None:
        path = sqlite_path(url)
        self._errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn: Any = sqlite3.connect(
                str(path), isolation_level=None, timeout=30.0, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        except (sqlite3.Error, OSError) as error:
            raise StationDbError(f"cannot open the station database {path}: {error}") from error

    def _open_postgres(self, url: str) -> None:
        import psycopg

        self._errors = (psycopg.Error,)
        try:
            self._conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            raise StationDbError(
                f"cannot connect to the station database {redact_url(url)}: {error}".strip()
            ) from error

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def ddl(self, sql: str) -> str:
        """Portable DDL: ``{id}`` an auto-increment key, ``{blob}`` a byte column."""
        if self.dialect == "postgresql":
            return sql.format(id="BIGSERIAL PRIMARY KEY", blob="BYTEA")
        return sql.format(id="INTEGER PRIMARY KEY AUTOINCREMENT", blob="BLOB")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            try:
                return self._conn.execute(self._sql(sql), tuple(params))
            except self._errors as error:
                raise StationDbError(f"station database: {error}".strip()) from error

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self.execute(sql, params).fetchall())

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def transaction(self, *, exclusive_table: str | None = None) -> Iterator[Database]:
        """One transaction; with ``exclusive_table`` other writers of that table wait
        (the audit chain's appends must be serial across processes and stations)."""
        with self._lock:
            if self._in_transaction:  # nested: part of the outer transaction
                yield self
                return
            if self.dialect == "sqlite":
                self.execute("BEGIN IMMEDIATE")
            else:
                self.execute("BEGIN")
                if exclusive_table:
                    self.execute(f"LOCK TABLE {exclusive_table} IN SHARE ROW EXCLUSIVE MODE")
            self._in_transaction = True
            try:
                yield self
            except BaseException:
                self._in_transaction = False
                self.execute("ROLLBACK")
                raise
            self._in_transaction = False
            self.execute("COMMIT")

    def close(self) -> None:
        with self._lock, contextlib.suppress(*self._errors):
            self._conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
