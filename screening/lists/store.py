"""The list store: one interface, two backends (SQLite embedded, PostgreSQL shared).

Data model (the same tables in both backends)::

    meta(name, value)            active_version, mode (clear|hashed), key_fingerprint
    versions(id, kind, base, chain, state, ...)   one row per import
    records_g<B>(key, doc_type, status, <optional fields>, added_in, removed_in)
    series_g<B>(prefix_key, width, num_from, num_to, doc_type, status, ..., added_in, removed_in)

A **full** import B writes a fresh pair of tables ``*_g<B>`` (no copy of the old list,
no index maintenance while loading; the index is built once at the end). A **delta**
import D on top of the active version writes into the active generation's tables:
its additions carry ``added_in = D``, its removals set ``removed_in = D``. A version sees
a row when ``added_in`` is in its ``chain`` (B and the deltas up to it) and
``removed_in`` is not. Activation is a single transaction that moves the
``active_version`` pointer; until then a staging version's rows are invisible, and an
interrupted import leaves only invisible rows that ``gc`` removes.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from typing import Any, NamedTuple

from screening.errors import ImportRejectedError, ListStoreError
from screening.lists.model import ListRecord, ListVersion, Status
from screening.lists.validation import EXTRA_SEPARATOR
from screening.safe_text import excerpt

RECORD_FIELDS = (
    "reporting_state",
    "issued_on",
    "expires_on",
    "reported_on",
    "review_on",
    "reference",
    "source",
)
# Column order of a record row as the importer hands it to the store. The optional
# fields travel packed in one ``extra`` column (RECORD_FIELDS joined by U+001F, NULL when
# all are empty): most bulk rows have none, and binding one NULL instead of seven is a
# large part of the import rate.
RECORD_COLUMNS = ("key", "doc_type", "status", "extra")
SERIES_COLUMNS = ("prefix_key", "width", "num_from", "num_to", "doc_type", "status", "extra")

VERSION_COLUMNS = (
    "id",
    "kind",
    "base",
    "chain",
    "state",
    "source",
    "digest",
    "feed_name",
    "started_at",
    "finished_at",
    "records",
    "series",
    "added",
    "removed",
    "rejected",
    "max_span",
    "status_counts",
    "note",
)
SCHEMA_VERSION = "1"


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def records_table(base: int) -> str:
    return f"records_g{int(base)}"


def series_table(base: int) -> str:
    return f"series_g{int(base)}"


def _version_from_row(row: Sequence[Any]) -> ListVersion:
    d = dict(zip(VERSION_COLUMNS, row, strict=True))
    d["chain"] = tuple(int(x) for x in str(d["chain"]).split(",") if x)
    d["status_counts"] = json.loads(d["status_counts"]) if d["status_counts"] else {}
    for name in ("records", "series", "added", "removed", "rejected", "max_span"):
        d[name] = int(d[name] or 0)
    return ListVersion(**d)


def pack_extra(values: Sequence[str | None]) -> str | None:
    if not any(values):
        return None
    return EXTRA_SEPARATOR.join(v or "" for v in values)


def unpack_extra(extra: str | None) -> dict[str, str | None]:
    if not extra:
        return dict.fromkeys(RECORD_FIELDS)
    values = extra.split(EXTRA_SEPARATOR)
    return {name: (v or None) for name, v in zip(RECORD_FIELDS, values, strict=False)}


def record_from_row(row: Sequence[Any], *, hashed: bool, series: bool) -> ListRecord:
    """Decode a row selected with ``_RECORD_SELECT`` / ``_SERIES_SELECT``."""
    if series:
        prefix_key, width, num_from, num_to, doc_type, status, *rest = row
        state, prefix = prefix_key[:3].rstrip("<"), prefix_key[3:]
        number = f"{prefix}{int(num_from):0{int(width)}d}"
        number_to = f"{prefix}{int(num_to):0{int(width)}d}"
        key_hash = None
    else:
        key, doc_type, status, *rest = row
        number_to = None
        if hashed:
            state, number, key_hash = None, None, key
        else:
            state, number, key_hash = key[:3].rstrip("<"), key[3:], None
    extra, added_in = rest
    return ListRecord(
        issuing_state=state,
        document_type=doc_type,
        document_number=number,
        status=Status(int(status)),
        number_to=number_to,
        **unpack_extra(extra),
        added_in=added_in,
        key_hash=key_hash,
    )


class RecordGroup(NamedTuple):
    """Record rows that share document type and status, in the compact form of the bulk
    import path: one JSON array of keys, or of [key, extra] pairs when some row carries
    optional fields. A store may insert it without building a tuple per row."""

    doc_type: str
    status: int
    rows_json: str
    with_extras: bool

    def records(self, version: int) -> list[tuple[Any, ...]]:
        """The same rows as ``RECORD_COLUMNS`` + added_in tuples."""
        items = json.loads(self.rows_json)
        doc_type, status = self.doc_type, self.status
        if self.with_extras:
            return [(key, doc_type, status, extra, version) for key, extra in items]
        return list(zip(items, repeat(doc_type), repeat(status), repeat(None), repeat(version)))


@dataclass(frozen=True, slots=True)
class Repeats:
    """Numbers (or series) that one import lists more than once under one document type:
    kept as given, and reported, since a feed that repeats a number (or lists it as lost
    and as stolen) has a problem its issuer must hear about."""

    repeated: int = 0  # numbers/series given more than once
    conflicting: int = 0  # of those, given with different statuses
    examples: tuple[str, ...] = ()  # a few, e.g. "KGZ P AN1234567" (none in a hashed store)

    def describe(self) -> str:
        examples = f" (e.g. {', '.join(self.examples)})" if self.examples else ""
        return (
            f"{self.repeated:,} number(s) listed more than once, {self.conflicting:,} of them "
            f"with conflicting statuses{examples}"
        )


class ImportSession(ABC):
    """Writes one staging version; ``activate`` publishes it, ``abort`` discards it."""

    version_id: int
    kind: str
    base: int
    parent: ListVersion | None

    @abstractmethod
    def add_records(self, rows: Sequence[tuple[Any, ...]], *, upsert: bool) -> int:
        """Insert record rows (``RECORD_COLUMNS`` order); with ``upsert`` first retire
        visible rows with the same key and type. Returns how many were retired."""

    def add_record_groups(self, groups: Sequence[RecordGroup], *, upsert: bool) -> int:
        """``add_records`` for rows in the bulk path's grouped form; stores that can
        insert the groups directly override it."""
        rows = [row for group in groups for row in group.records(self.version_id)]
        return self.add_records(rows, upsert=upsert)

    @abstractmethod
    def add_series(self, rows: Sequence[tuple[Any, ...]], *, upsert: bool) -> int: ...

    @abstractmethod
    def remove_records(self, keys: Sequence[tuple[str, str]]) -> int:
        """Retire visible rows matching (key, doc_type); returns how many."""

    @abstractmethod
    def remove_series(self, keys: Sequence[tuple[str, int, int, int, str]]) -> int: ...

    @abstractmethod
    def prepare(self) -> None:
        """Everything activation needs but the switch itself (a full import's index);
        ``activate`` calls it when the importer has not."""

    def repeats(self) -> Repeats:
        """Numbers this (full) import listed more than once; call after ``prepare``."""
        return Repeats()

    @abstractmethod
    def activate(self, summary: dict[str, Any]) -> ListVersion: ...

    @abstractmethod
    def abort(self, note: str) -> None: ...


class ListStore(ABC):
    """What the importer, the matcher and the CLI need from a store."""

    url: str

    @abstractmethod
    def active_version(self) -> ListVersion | None: ...

    @abstractmethod
    def versions(self) -> list[ListVersion]: ...

    @abstractmethod
    def mode(self) -> tuple[str | None, str | None]:
        """(``clear`` | ``hashed`` | None when nothing was ever imported, key fingerprint)."""

    @abstractmethod
    def lookup(
        self,
        version: ListVersion,
        keys: Sequence[str],
        probes: Sequence[tuple[str, int, int]],
    ) -> tuple[list[ListRecord], list[tuple[int, ListRecord]]]:
        """Records whose key is in ``keys``, and (probe index, series) pairs for each
        probe (prefix_key, width, number) inside a series, as seen by ``version``."""

    @abstractmethod
    def begin_import(
        self,
        kind: str,
        *,
        source: str | None,
        feed_name: str | None,
        mode: str,
        fingerprint: str | None,
    ) -> ImportSession: ...

    @abstractmethod
    def gc(self, keep: int = 1) -> dict[str, int]: ...

    @abstractmethod
    def rollback(self, to: int | None = None) -> tuple[ListVersion, ListVersion]:
        """Reactivate an earlier kept version; (the version left, the one now active)."""

    @abstractmethod
    def iter_records(self, version: ListVersion) -> Iterable[ListRecord]: ...

    @abstractmethod
    def close(self) -> None: ...

    def read_snapshot(self) -> AbstractContextManager[Any]:
        """Context in which the active version and lookups see one consistent state."""
        return nullcontext(self)

    def size_bytes(self) -> int | None:
        return None

    def __enter__(self) -> ListStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_mode(current: tuple[str | None, str | None], mode: str, fingerprint: str | None) -> None:
    """A store is either clear or hashed with one key, for life (until re-created)."""
    stored_mode, stored_fp = current
    if stored_mode is None:
        return
    if stored_mode != mode:
        raise ImportRejectedError(
            f"this list store holds {stored_mode} records; cannot import a {mode} list into it",
            hint="use another --lists URL for the other mode",
        )
    if mode == "hashed" and stored_fp != fingerprint:
        raise ImportRejectedError(
            "the list key does not match the key this store was built with",
            hint="use the same key file as for the first import",
        )


def open_store(url: str, *, create: bool = True) -> ListStore:
    """Open the store named by ``url``: ``sqlite:///path/lists.db`` (or a plain file
    path) or ``postgresql://user@host/db`` (add ``?options=-csearch_path%3Dschema`` to
    use a schema other than ``public``)."""
    if url.startswith(("postgresql://", "postgres://")):
        from screening.lists.postgres_store import PostgresListStore

        return PostgresListStore(url)
    if url.startswith("sqlite:") or "://" not in url:
        from screening.lists.sqlite_store import SqliteListStore, sqlite_path

        return SqliteListStore(sqlite_path(url), url=url, create=create)
    raise ListStoreError(
        f"unsupported list store URL {excerpt(url)}",
        hint="use sqlite:///path/lists.db or postgresql://user@host/dbname",
    )
