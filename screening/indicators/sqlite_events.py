"""SQLite backend of the event store: one file beside the list store (a checkpoint PC).

WAL journal and ``synchronous=NORMAL``: a recorded scan costs one short transaction,
and the report reads while a checkpoint keeps recording.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from screening.errors import EventStoreError
from screening.indicators.store import EventStore
from screening.lists.sqlite_store import sqlite_path


class SqliteEventStore(EventStore):
    def __init__(self, url: str) -> None:
        try:
            self.path = sqlite_path(url)
        except Exception as error:  # ListStoreError: the same URL rules, another store
            raise EventStoreError(f"no file path in event store URL {url!r}") from error
        self.url = url if url.startswith("sqlite:") else f"sqlite:///{self.path}"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=10.0)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._init_schema()
        except (sqlite3.Error, OSError) as error:
            raise EventStoreError(f"cannot open the event store {self.path}: {error}") from error

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise EventStoreError(f"event store {self.path}: {error}") from error

    def _insert_ignoring_duplicates(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> int:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT DO NOTHING"
        try:
            before = self._conn.total_changes
            self._conn.execute("BEGIN")
            self._conn.executemany(sql, rows)
            self._conn.execute("COMMIT")
            return self._conn.total_changes - before
        except sqlite3.Error as error:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise EventStoreError(f"event store {self.path}: {error}") from error

    def close(self) -> None:
        self._conn.close()
