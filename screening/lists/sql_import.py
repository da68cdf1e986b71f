"""One import into an SQL store: staging rows, the index, repeats, activation.

Split from :mod:`screening.lists.sql_common` (the store itself); the store hands
:meth:`SqlListStore.begin_import`'s caller one :class:`SqlImportSession`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from screening.errors import ListStoreError
from screening.lists.model import ListVersion
from screening.lists.store import (
    RECORD_COLUMNS,
    SERIES_COLUMNS,
    ImportSession,
    RecordGroup,
    Repeats,
    records_table,
    series_table,
    utc_now,
)

if TYPE_CHECKING:
    from screening.lists.sql_common import SqlListStore

EXAMPLES = 5
LOOKUP_BATCH = 500  # keys per lookup query (SQLite allows 32,766 bound values)


def _repeats(
    repeated: Collection[tuple[Any, ...]], conflicting: Collection[tuple[Any, ...]], mode: str
) -> Repeats:
    """Counts and a few readable examples (none in a hashed store: no numbers there)."""
    examples: list[str] = []
    if mode != "hashed":
        for ident in sorted(repeated, key=str)[:EXAMPLES]:
            if len(ident) == 2:  # (key, doc_type): key = state padded to 3 + number
                key, doc_type = ident
                examples.append(f"{key[:3].rstrip('<')} {doc_type} {key[3:]}")
            else:  # a series: (prefix_key, width, num_from, num_to, doc_type)
                prefix_key, width, first, last, doc_type = ident
                prefix = prefix_key[3:]
                examples.append(
                    f"{prefix_key[:3].rstrip('<')} {doc_type} "
                    f"{prefix}{int(first):0{int(width)}d}-{prefix}{int(last):0{int(width)}d}"
                )
    return Repeats(len(repeated), len(conflicting), tuple(examples))


def visible(chain: Sequence[int], alias: str = "") -> str:
    """SQL predicate: the row exists in a version whose chain is ``chain``."""
    ids = ",".join(str(int(v)) for v in chain)
    p = f"{alias}." if alias else ""
    return f"{p}added_in IN ({ids}) AND ({p}removed_in IS NULL OR {p}removed_in NOT IN ({ids}))"


class SqlImportSession(ImportSession):
    def __init__(
        self,
        store: SqlListStore,
        version_id: int,
        kind: str,
        base: int,
        parent: ListVersion | None,
        chain: tuple[int, ...],
    ) -> None:
        self.store = store
        self.version_id = version_id
        self.kind = kind
        self.base = base
        self.parent = parent
        self.chain = chain
        self._done = False
        self._prepared = False
        self._records = records_table(base)
        self._series = series_table(base)
        self._visible = visible(chain)
        # A delta's own repeats (a full import's are counted in SQL by ``repeats``).
        self._repeated: set[tuple[Any, ...]] = set()
        self._conflicting: set[tuple[Any, ...]] = set()

    def _write(self, sql: str, seq: Sequence[Sequence[Any]]) -> int:
        if not seq:
            return 0
        self.store._begin()
        try:
            n = self.store._executemany(sql, seq)
            self.store._commit()
        except BaseException:
            self.store._rollback()
            raise
        return n

    def _insert(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        if not rows:
            return
        self.store._begin()
        try:
            self.store._bulk_insert(table, (*columns, "added_in"), rows)
            self.store._commit()
        except BaseException:
            self.store._rollback()
            raise

    def add_records(self, rows: Sequence[tuple[Any, ...]], *, upsert: bool) -> int:
        if upsert:
            rows = self._last_of_each(rows, 2)
            keys = list({r[0] for r in rows})
            mine = f"added_in = {self.version_id} AND removed_in IS NULL"
            earlier = [
                row
                for i in range(0, len(keys), LOOKUP_BATCH)
                for row in self.store._lookup_keys(self._records, keys[i : i + LOOKUP_BATCH], mine)
            ]
            given = {(r[0], r[1]): r[2] for r in rows}
            for key, doc_type, status, *_ in earlier:
                if (key, doc_type) in given:
                    self._note_repeat((key, doc_type), status != given[key, doc_type])
        retired = self.remove_records([(r[0], r[1]) for r in rows]) if upsert else 0
        self._insert(self._records, RECORD_COLUMNS, rows)
        return retired

    def _last_of_each(self, rows: Sequence[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
        """A delta's rows with one row per number (its first ``width`` columns), the last
        given: a later add of the same number replaces an earlier one. Repeats noted."""
        last: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        status = RECORD_COLUMNS.index("status") if width == 2 else SERIES_COLUMNS.index("status")
        for row in rows:
            ident = tuple(row[:width])
            if ident in last:
                self._note_repeat(ident, last[ident][status] != row[status])
            last[ident] = row
        return list(last.values())

    def _note_repeat(self, ident: tuple[Any, ...], conflicting: bool) -> None:
        self._repeated.add(ident)
        if conflicting:
            self._conflicting.add(ident)

    def add_record_groups(self, groups: Sequence[RecordGroup], *, upsert: bool) -> int:
        if upsert or not groups:  # a delta first retires what it replaces, row by row
            return super().add_record_groups(groups, upsert=upsert)
        self.store._begin()
        try:
            self.store._bulk_insert_groups(self._records, groups, self.version_id)
            self.store._commit()
        except BaseException:
            self.store._rollback()
            raise
        return 0

    def add_series(self, rows: Sequence[tuple[Any, ...]], *, upsert: bool) -> int:
        if upsert:
            rows = self._last_of_each(rows, 5)
        keys = [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
        retired = self.remove_series(keys) if upsert else 0
        self._insert(self._series, SERIES_COLUMNS, rows)
        return retired

    def remove_records(self, keys: Sequence[tuple[str, str]]) -> int:
        sql = (
            f"UPDATE {self._records} SET removed_in = {self.version_id} "
            f"WHERE key = ? AND doc_type = ? AND {self._visible}"
        )
        return self._write(sql, keys)

    def remove_series(self, keys: Sequence[tuple[str, int, int, int, str]]) -> int:
        sql = (
            f"UPDATE {self._series} SET removed_in = {self.version_id} WHERE prefix_key = ? "
            f"AND width = ? AND num_from = ? AND num_to = ? AND doc_type = ? AND {self._visible}"
        )
        return self._write(sql, keys)

    def prepare(self) -> None:
        if not self._prepared and self.kind == "full":
            self.store._index_generation(self.base)
        self._prepared = True

    def repeats(self) -> Repeats:
        if self.kind == "delta":
            return _repeats(self._repeated, self._conflicting, self.store._meta_cached_mode())
        records = (
            f"SELECT key, doc_type, COUNT(DISTINCT status) FROM {self._records} "
            f"WHERE key IN (SELECT key FROM {self._records} GROUP BY key HAVING COUNT(*) > 1) "
            "GROUP BY key, doc_type HAVING COUNT(*) > 1 ORDER BY key"
        )
        series = (
            f"SELECT prefix_key, width, num_from, num_to, doc_type, COUNT(DISTINCT status) "
            f"FROM {self._series} GROUP BY prefix_key, width, num_from, num_to, doc_type "
            "HAVING COUNT(*) > 1 ORDER BY prefix_key"
        )
        repeated: list[tuple[Any, ...]] = []
        conflicting: list[tuple[Any, ...]] = []
        for sql in (records, series):
            for row in self.store._iter_query(sql):
                repeated.append(tuple(row[:-1]))
                if int(row[-1]) > 1:
                    conflicting.append(tuple(row[:-1]))
        return _repeats(repeated, conflicting, self.store._meta_cached_mode())

    def activate(self, summary: dict[str, Any]) -> ListVersion:
        store = self.store
        try:
            self.prepare()
            store._begin()
            current = store._meta("active_version")
            expected = None if self.parent is None else str(self.parent.id)
            if current != expected:
                raise ListStoreError(
                    "the active list changed during the import; nothing was activated",
                    hint="run the import again",
                )
            store._execute("UPDATE versions SET state = 'superseded' WHERE state = 'active'")
            store._execute(
                "UPDATE versions SET state = 'active', finished_at = ?, digest = ?, "
                "records = ?, series = ?, added = ?, removed = ?, rejected = ?, "
                "max_span = ?, status_counts = ?, note = ? WHERE id = ?",
                (
                    utc_now(),
                    summary["digest"],
                    summary["records"],
                    summary["series"],
                    summary["added"],
                    summary["removed"],
                    summary["rejected"],
                    summary["max_span"],
                    json.dumps(summary["status_counts"], sort_keys=True),
                    summary.get("note"),
                    self.version_id,
                ),
            )
            store._set_meta("active_version", str(self.version_id))
            store._commit()
        except BaseException:
            store._rollback()
            self.abort("activation failed")
            raise
        self._done = True
        store._release()
        version = store._version(self.version_id)
        assert version is not None
        if self.kind == "full":
            # If another import started meanwhile, gc waits for a later run.
            with contextlib.suppress(ListStoreError):
                store.gc(keep=1)
        return version

    def abort(self, note: str) -> None:
        if self._done:
            return
        self._done = True
        store = self.store
        try:
            store._rollback()
            if self.kind == "full":
                store._drop_generation(self.base)
            store._begin()
            store._execute(
                "UPDATE versions SET state = 'failed', finished_at = ?, note = ? WHERE id = ?",
                (utc_now(), note, self.version_id),
            )
            store._commit()
        finally:
            store._release()
