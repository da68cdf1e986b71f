"""Backend-independent part of the SQL stores: versions, imports, activation, gc.

Backends supply the dialect: connection, DDL, bulk load, the two lookup queries and the
import lock. SQL here is written with ``?`` placeholders; the PostgreSQL backend turns
them into ``%s``.
"""

from __future__ import annotations

import contextlib
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

from screening.errors import ImportRejectedError, ListStoreError
from screening.lists.model import ListRecord, ListVersion
from screening.lists.sql_import import SqlImportSession, visible
from screening.lists.store import (
    RECORD_COLUMNS,
    SCHEMA_VERSION,
    SERIES_COLUMNS,
    VERSION_COLUMNS,
    ImportSession,
    ListStore,
    RecordGroup,
    _version_from_row,
    check_mode,
    record_from_row,
    records_table,
    series_table,
    utc_now,
)

RECORD_SELECT = ", ".join((*RECORD_COLUMNS, "added_in"))
SERIES_SELECT = ", ".join((*SERIES_COLUMNS, "added_in"))


class SqlListStore(ListStore):
    """Shared logic; subclasses implement the ``_``-prefixed dialect hooks."""

    url: str

    # -- dialect hooks ---------------------------------------------------------------
    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    @abstractmethod
    def _executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> int: ...

    @abstractmethod
    def _create_schema(self) -> None: ...

    @abstractmethod
    def _create_generation(self, base: int) -> None: ...

    @abstractmethod
    def _index_generation(self, base: int) -> None: ...

    @abstractmethod
    def _bulk_insert(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None: ...

    def _bulk_insert_groups(self, table: str, groups: Sequence[RecordGroup], version: int) -> None:
        """Insert grouped record rows (the bulk import path); by default as tuples."""
        rows = [row for group in groups for row in group.records(version)]
        self._bulk_insert(table, (*RECORD_COLUMNS, "added_in"), rows)

    @abstractmethod
    def _lookup_keys(self, table: str, keys: Sequence[str], where: str) -> list[tuple]: ...

    @abstractmethod
    def _lookup_series(
        self, table: str, probes: Sequence[tuple[str, int, int]], span: int, where: str
    ) -> list[tuple]: ...

    @abstractmethod
    def _try_lock(self) -> bool: ...

    @abstractmethod
    def _unlock(self) -> None: ...

    @abstractmethod
    def _tables(self) -> list[str]: ...

    @abstractmethod
    def _iter_query(self, sql: str) -> Iterator[tuple]: ...

    # -- import lock (re-entrant within one store object) ----------------------------
    def _lock(self) -> bool:
        depth = getattr(self, "_lock_depth", 0)
        if depth == 0 and not self._try_lock():
            return False
        self._lock_depth = depth + 1
        return True

    def _release(self) -> None:
        self._lock_depth -= 1
        if self._lock_depth == 0:
            self._unlock()

    # -- small helpers ---------------------------------------------------------------
    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        return self._execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return list(self._execute(sql, params).fetchall())

    def _begin(self) -> None:
        self._execute("BEGIN")

    def _commit(self) -> None:
        self._execute("COMMIT")

    def _rollback(self) -> None:
        with contextlib.suppress(ListStoreError):  # nothing to roll back
            self._execute("ROLLBACK")

    def _meta(self, name: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE name = ?", (name,))
        return None if row is None else str(row[0])

    def _set_meta(self, name: str, value: str) -> None:
        self._execute("DELETE FROM meta WHERE name = ?", (name,))
        self._execute("INSERT INTO meta (name, value) VALUES (?, ?)", (name, value))

    def _init_schema(self) -> None:
        self._create_schema()
        if self._meta("schema_version") is None:
            self._begin()
            self._set_meta("schema_version", SCHEMA_VERSION)
            self._commit()

    def _version(self, version_id: int) -> ListVersion | None:
        cols = ", ".join(VERSION_COLUMNS)
        row = self._one(f"SELECT {cols} FROM versions WHERE id = ?", (version_id,))
        return None if row is None else _version_from_row(row)

    # -- ListStore -------------------------------------------------------------------
    def active_version(self) -> ListVersion | None:
        cols = ", ".join(f"v.{c}" for c in VERSION_COLUMNS)
        row = self._one(
            f"SELECT {cols} FROM versions v JOIN meta m ON m.name = 'active_version' "
            "AND v.id = CAST(m.value AS INTEGER)"
        )
        return None if row is None else _version_from_row(row)

    def versions(self) -> list[ListVersion]:
        cols = ", ".join(VERSION_COLUMNS)
        rows = self._all(f"SELECT {cols} FROM versions ORDER BY id DESC")
        versions = [_version_from_row(r) for r in rows]
        if any(v.state == "staging" for v in versions) and getattr(self, "_lock_depth", 0) == 0:
            if not self._lock():
                return versions
            # Nobody is importing, so a staging version is an interrupted import.
            self._release()
            versions = [
                v if v.state != "staging" else _replace_state(v, "interrupted") for v in versions
            ]
        return versions

    def mode(self) -> tuple[str | None, str | None]:
        # The mode is fixed by the first import, so it is cached once known.
        cached = getattr(self, "_mode_pair", None)
        if cached is None:
            cached = (self._meta("mode"), self._meta("key_fingerprint"))
            if cached[0] is not None:
                self._mode_pair = cached
        return cached

    def lookup(
        self,
        version: ListVersion,
        keys: Sequence[str],
        probes: Sequence[tuple[str, int, int]],
    ) -> tuple[list[ListRecord], list[tuple[int, ListRecord]]]:
        hashed = self._meta_cached_mode() == "hashed"
        where = visible(version.chain)
        rows = self._lookup_keys(records_table(version.base), keys, where) if keys else []
        records = [record_from_row(r, hashed=hashed, series=False) for r in rows]
        series: list[tuple[int, ListRecord]] = []
        if probes and version.series > 0:
            where_s = visible(version.chain, "s")
            for row in self._lookup_series(
                series_table(version.base), probes, version.max_span, where_s
            ):
                series.append((int(row[0]), record_from_row(row[1:], hashed=False, series=True)))
        return records, series

    def _meta_cached_mode(self) -> str:
        return self.mode()[0] or "clear"

    def iter_records(self, version: ListVersion) -> Iterator[ListRecord]:
        hashed = self._meta_cached_mode() == "hashed"
        sql = f"SELECT {RECORD_SELECT} FROM {records_table(version.base)} WHERE "
        for row in self._iter_query(sql + visible(version.chain) + " ORDER BY key"):
            yield record_from_row(row, hashed=hashed, series=False)
        sql = f"SELECT {SERIES_SELECT} FROM {series_table(version.base)} WHERE "
        for row in self._iter_query(sql + visible(version.chain) + " ORDER BY prefix_key"):
            yield record_from_row(row, hashed=False, series=True)

    def begin_import(
        self,
        kind: str,
        *,
        source: str | None,
        feed_name: str | None,
        mode: str,
        fingerprint: str | None,
    ) -> ImportSession:
        if kind not in ("full", "delta"):
            raise ValueError(kind)
        if not self._lock():
            raise ListStoreError(
                "another import is running on this list store", hint="wait for it to finish"
            )
        try:
            check_mode(self.mode(), mode, fingerprint)
            self._fail_leftovers()
            parent = self.active_version()
            if kind == "delta" and parent is None:
                raise ImportRejectedError(
                    "a delta needs an active list to apply to; import a full list first"
                )
            row = self._one("SELECT COALESCE(MAX(id), 0) + 1 FROM versions")
            version_id = int(row[0]) if row else 1
            base = version_id if kind == "full" else parent.base  # type: ignore[union-attr]
            chain = (version_id,) if kind == "full" else (*parent.chain, version_id)  # type: ignore[union-attr]
            self._begin()
            self._execute(
                "INSERT INTO versions (id, kind, base, chain, state, source, feed_name, "
                "started_at, records, series, added, removed, rejected, max_span) "
                "VALUES (?, ?, ?, ?, 'staging', ?, ?, ?, 0, 0, 0, 0, 0, 0)",
                (version_id, kind, base, ",".join(map(str, chain)), source, feed_name, utc_now()),
            )
            if self._meta("mode") is None:
                self._set_meta("mode", mode)
                if fingerprint:
                    self._set_meta("key_fingerprint", fingerprint)
            self._commit()
            if kind == "full":
                self._create_generation(base)
        except BaseException:
            self._rollback()
            self._release()
            raise
        return SqlImportSession(self, version_id, kind, base, parent, chain)

    def _fail_leftovers(self) -> None:
        """Called with the import lock held: staging versions are interrupted imports."""
        leftovers = self._all("SELECT id, kind, base FROM versions WHERE state = 'staging'")
        for version_id, kind, base in leftovers:
            if kind == "full":
                self._drop_generation(int(base))
            self._begin()
            self._execute(
                "UPDATE versions SET state = 'failed', note = ? WHERE id = ?",
                ("interrupted (found unfinished by a later import)", version_id),
            )
            self._commit()

    def rollback(self, to: int | None = None) -> tuple[ListVersion, ListVersion]:
        """Reactivate an earlier version (``to``, default the latest superseded one whose
        tables are still kept); the active one becomes ``rolled_back``. Returns (the
        version left, the version now active)."""
        if not self._lock():
            raise ListStoreError("an import is running on this list store; roll back later")
        try:
            active = self.active_version()
            if active is None:
                raise ListStoreError("no list imported yet: nothing to roll back")
            kept = set(self._tables())
            candidates = [
                v
                for v in self.versions()
                if v.state == "superseded" and records_table(v.base) in kept
                if v.id < active.id or v.id == to
            ]
            target = next((v for v in candidates if to is None or v.id == to), None)
            if target is None:
                wanted = f"version {to} is not" if to is not None else "no earlier version is"
                raise ListStoreError(
                    f"{wanted} kept to roll back to (only superseded versions whose tables "
                    "gc kept can be reactivated)",
                    hint="lists status shows the versions; import the list again instead",
                )
            self._begin()
            self._execute(
                "UPDATE versions SET state = 'rolled_back', note = ? WHERE id = ?",
                (f"rolled back to v{target.id} at {utc_now()}", active.id),
            )
            self._execute("UPDATE versions SET state = 'active' WHERE id = ?", (target.id,))
            self._set_meta("active_version", str(target.id))
            self._commit()
        except BaseException:
            self._rollback()
            raise
        finally:
            self._release()
        now = self._version(target.id)
        left = self._version(active.id)
        assert now is not None and left is not None
        return left, now

    def _drop_generation(self, base: int) -> None:
        tables = set(self._tables())
        for table in (records_table(base), series_table(base)):
            if table in tables:
                self._begin()
                self._execute(f"DROP TABLE {table}")
                self._commit()

    def gc(self, keep: int = 1) -> dict[str, int]:
        """Drop generations no longer needed (keeping ``keep`` superseded full lists for
        rollback) and purge rows left by failed deltas in the kept generations."""
        if not self._lock():
            raise ListStoreError("an import is running on this list store; gc later")
        try:
            self._fail_leftovers()
            active = self.active_version()
            versions = self.versions()
            keep_bases: set[int] = set()
            if active is not None:
                keep_bases.add(active.base)
                older = sorted(
                    {v.base for v in versions if v.state == "superseded" and v.id < active.id},
                    reverse=True,
                )
                keep_bases.update(b for b in older[:keep] if b != active.base)
            dropped = 0
            for table in self._tables():
                if table.startswith(("records_g", "series_g")):
                    base = int(table.rsplit("_g", 1)[1])
                    if base not in keep_bases:
                        self._begin()
                        self._execute(f"DROP TABLE {table}")
                        self._commit()
                        dropped += 1
            self._begin()
            gone = [v.id for v in versions if v.base not in keep_bases and v.state != "collected"]
            for version_id in gone:
                self._execute(
                    "UPDATE versions SET state = CASE WHEN state IN ('failed', 'rolled_back') "
                    "THEN state ELSE 'collected' END WHERE id = ?",
                    (version_id,),
                )
            self._commit()
            purged = 0
            # Rows of failed deltas sit in a kept generation's tables: delete them once,
            # then mark the version 'discarded' so later runs skip the table scan.
            failed = [
                v.id
                for v in versions
                if v.state in ("failed", "interrupted", "rolled_back")
                and v.kind == "delta"
                and v.base in keep_bases
            ]
            if failed:
                ids = ",".join(map(str, failed))
                for base in keep_bases:
                    for table in (records_table(base), series_table(base)):
                        self._begin()
                        cur = self._execute(f"DELETE FROM {table} WHERE added_in IN ({ids})")
                        purged += max(cur.rowcount, 0)
                        self._execute(
                            f"UPDATE {table} SET removed_in = NULL WHERE removed_in IN ({ids})"
                        )
                        self._commit()
                self._begin()
                self._execute(f"UPDATE versions SET state = 'discarded' WHERE id IN ({ids})")
                self._commit()
            return {"tables_dropped": dropped, "rows_purged": purged}
        finally:
            self._release()


def _replace_state(version: ListVersion, state: str) -> ListVersion:
    from dataclasses import replace

    return replace(version, state=state)
