"""The indicator event store: one interface, two backends (SQLite embedded, PostgreSQL
shared), chosen by URL like the list store (``sqlite:///path/events.db`` or
``postgresql://...``).

Tables (the same in both backends)::

    events(event_id PK, time, month, checkpoint, direction, issuing_state, nationality,
           document_type, edition, verdict, codes, list_hits, route, origin, doc_hash,
           source, recorded_at)
    source_rows(row_id PK, kind, source, period_from, period_to, nationality,
                checkpoint, route, measure, value, note)     external indicator tables
    meta(name PK, value)                                     schema version, key fingerprint

Append-only: an event id already stored is skipped (``ON CONFLICT DO NOTHING``), which
is what makes imports and resumed batches idempotent. Codes, list hits and routes are
stored as text (space-, space- and ``>``-separated) so that the report can group by them
in SQL.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from screening.errors import EventStoreError
from screening.indicators.event import ROUTE_SEPARATOR, ScreeningEvent

SCHEMA_VERSION = "1"
EVENT_COLUMNS = (
    "event_id",
    "time",
    "month",
    "checkpoint",
    "direction",
    "issuing_state",
    "nationality",
    "document_type",
    "edition",
    "verdict",
    "codes",
    "list_hits",
    "route",
    "origin",
    "doc_hash",
    "source",
    "recorded_at",
)
SOURCE_COLUMNS = (
    "row_id",
    "kind",
    "source",
    "period_from",
    "period_to",
    "nationality",
    "checkpoint",
    "route",
    "measure",
    "value",
    "note",
)
# The cell every indicator is counted in (GROUP BY keys of the report's queries).
CELL_COLUMNS = ("month", "checkpoint", "direction", "nationality", "route", "origin")

DDL = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS events ("
    + ", ".join(f"{c} TEXT PRIMARY KEY" if c == "event_id" else f"{c} TEXT" for c in EVENT_COLUMNS)
    + ")",
    "CREATE INDEX IF NOT EXISTS events_time ON events (time)",
    "CREATE TABLE IF NOT EXISTS source_rows ("
    + ", ".join(
        "row_id TEXT PRIMARY KEY"
        if c == "row_id"
        else ("value DOUBLE PRECISION" if c == "value" else f"{c} TEXT")
        for c in SOURCE_COLUMNS
    )
    + ")",
)


def utc_now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_row(event: ScreeningEvent, recorded_at: str) -> tuple[Any, ...]:
    return (
        event.event_id,
        event.time_text,
        event.time_text[:7],
        event.checkpoint,
        event.direction,
        event.issuing_state,
        event.nationality,
        event.document_type,
        event.edition,
        event.verdict,
        " ".join(event.codes),
        " ".join(event.list_hits),
        ROUTE_SEPARATOR.join(event.route),
        event.origin,
        event.doc_hash,
        event.source,
        recorded_at,
    )


@dataclass(frozen=True, slots=True)
class Window:
    """A report window: times from ``start`` (inclusive) to ``end`` (exclusive), as
    ISO texts comparable with the stored times."""

    start: str
    end: str


class EventStore(ABC):
    url: str

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    @abstractmethod
    def _insert_ignoring_duplicates(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> int:
        """Insert rows, skipping those whose primary key exists; returns how many were new."""

    @abstractmethod
    def close(self) -> None: ...

    def _init_schema(self) -> None:
        for statement in DDL:
            self._execute(statement)
        self._execute(
            "INSERT INTO meta (name, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
            (SCHEMA_VERSION,),
        )

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------
    def add_events(self, events: Iterable[ScreeningEvent]) -> int:
        """Store events; an event id already stored is skipped. Returns how many were new."""
        now = utc_now_text()
        rows = [event_row(e, now) for e in events]
        if not rows:
            return 0
        return self._insert_ignoring_duplicates("events", EVENT_COLUMNS, rows)

    def add_source_rows(self, rows: Sequence[tuple[Any, ...]]) -> int:
        return self._insert_ignoring_duplicates("source_rows", SOURCE_COLUMNS, rows)

    def set_meta(self, name: str, value: str) -> None:
        self._execute(
            "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, value),
        )

    def meta(self) -> dict[str, str]:
        return {str(n): str(v) for n, v in self._execute("SELECT name, value FROM meta")}

    # -- reading ---------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        ((count, first, last),) = self._execute("SELECT COUNT(*), MIN(time), MAX(time) FROM events")
        by_source = dict(self._execute("SELECT source, COUNT(*) FROM events GROUP BY source"))
        without = self._execute(
            "SELECT COUNT(*) FROM events WHERE checkpoint IS NULL OR direction IS NULL"
        )
        tables = dict(self._execute("SELECT kind, COUNT(*) FROM source_rows GROUP BY kind"))
        meta = self.meta()
        return {
            "store": self.url,
            "events": int(count or 0),
            "first": first,
            "last": last,
            "by_source": {str(k): int(v) for k, v in sorted(by_source.items(), key=str)},
            "without_checkpoint_or_direction": int(without[0][0]),
            "source_tables": {str(k): int(v) for k, v in sorted(tables.items())},
            "key_fingerprint": meta.get("key_fingerprint"),
            "schema_version": meta.get("schema_version"),
        }

    def cell_counts(self, window: Window) -> list[tuple[Any, ...]]:
        """(month, checkpoint, direction, nationality, route, origin, codes, events) for
        every combination seen in the window: the traffic and every code combination."""
        cells = ", ".join(CELL_COLUMNS)
        return list(
            self._execute(
                f"SELECT {cells}, codes, COUNT(*) FROM events "
                "WHERE time >= ? AND time < ? "
                f"GROUP BY {cells}, codes",
                (window.start, window.end),
            )
        )

    def flagged_documents(self, window: Window, code_sets: Sequence[str]) -> list[tuple[Any, ...]]:
        """(cell columns..., codes, doc_hash) of events in the window whose code text is
        one of ``code_sets``: the few events that carry a fraud sign, for distinct-document
        counts."""
        if not code_sets:
            return []
        cells = ", ".join(CELL_COLUMNS)
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(code_sets), 500):
            chunk = list(code_sets[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            found += list(
                self._execute(
                    f"SELECT {cells}, codes, doc_hash FROM events "
                    f"WHERE time >= ? AND time < ? AND codes IN ({marks})",
                    (window.start, window.end, *chunk),
                )
            )
        return found

    def source_rows(self) -> list[dict[str, Any]]:
        cols = ", ".join(SOURCE_COLUMNS)
        return [
            dict(zip(SOURCE_COLUMNS, row, strict=True))
            for row in self._execute(f"SELECT {cols} FROM source_rows ORDER BY kind, row_id")
        ]


def open_event_store(url: str) -> EventStore:
    """``sqlite:///path/events.db`` (or a plain path) or ``postgresql://user@host/db``."""
    if url.startswith(("postgresql://", "postgres://")):
        from screening.indicators.postgres_events import PostgresEventStore

        return PostgresEventStore(url)
    if url.startswith("sqlite:") or "://" not in url:
        from screening.indicators.sqlite_events import SqliteEventStore

        return SqliteEventStore(url)
    raise EventStoreError(
        f"unsupported event store URL {url!r}",
        hint="use sqlite:///path/events.db or postgresql://user@host/dbname",
    )
