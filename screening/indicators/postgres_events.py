"""PostgreSQL backend of the event store: the shared deployment (every checkpoint records
into one server). Bulk inserts go through COPY into a temporary table, then one
``INSERT ... ON CONFLICT DO NOTHING``. Select a schema with the libpq ``options``
parameter, as for the list store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from screening.errors import EventStoreError
from screening.indicators.store import EventStore
from screening.lists.postgres_store import _redact

CONNECT_TIMEOUT_S = 3  # an unreachable server must not hold a scan up for long


class PostgresEventStore(EventStore):
    def __init__(self, url: str) -> None:
        import psycopg

        self._psycopg = psycopg
        self.url = _redact(url)
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as error:
            raise EventStoreError(
                f"cannot connect to the event server {self.url}: {error}".strip()
            ) from error
        self._init_schema()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            cursor = self._conn.execute(sql.replace("?", "%s"), params or None)
            return cursor.fetchall() if cursor.description else []
        except self._psycopg.Error as error:
            raise EventStoreError(f"event server {self.url}: {error}") from error

    def _insert_ignoring_duplicates(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> int:
        cols = ", ".join(columns)
        try:
            with self._conn.transaction(), self._conn.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMP TABLE incoming (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
                )
                with cursor.copy(f"COPY incoming ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(
                    f"INSERT INTO {table} ({cols}) SELECT DISTINCT ON ({columns[0]}) {cols} "
                    f"FROM incoming ON CONFLICT DO NOTHING"
                )
                return int(cursor.rowcount)
        except self._psycopg.Error as error:
            raise EventStoreError(f"event server {self.url}: {error}") from error

    def close(self) -> None:
        self._conn.close()
