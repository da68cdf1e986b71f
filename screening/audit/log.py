"""The append-only audit log in the station database (see :mod:`screening.audit.chain`).

Who screened, imported, exported, logged in or failed to: one row per event with the
time (UTC), the actor (an account name on the web station, the OS user for the CLI),
the action and a small JSON detail. Appends are serialised across processes and
stations (an exclusive transaction), so the chain stays a single line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from screening.audit.chain import (
    GENESIS,
    AuditEntry,
    ChainCheck,
    canonical_detail,
    entry_hash,
    verify_chain,
)
from screening.db import Database

_COLUMNS = "seq, time, actor, action, detail, prev_hash, hash"


def utc_timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class AuditLog:
    def __init__(self, db: Database, *, clock: Callable[[], str] = utc_timestamp) -> None:
        self.db = db
        self._clock = clock
        db.execute(
            "CREATE TABLE IF NOT EXISTS audit_log (seq BIGINT PRIMARY KEY, time TEXT NOT NULL, "
            "actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL, "
            "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY, "
            "seq BIGINT NOT NULL, hash TEXT NOT NULL)"
        )

    def append(
        self, actor: str, action: str, detail: Mapping[str, Any] | None = None
    ) -> AuditEntry:
        detail_json = canonical_detail(detail or {})
        with self.db.transaction(exclusive_table="audit_head"):
            head = self.db.query_one("SELECT seq, hash FROM audit_head WHERE id = 1")
            seq, prev = (int(head[0]) + 1, str(head[1])) if head else (1, GENESIS)
            time = self._clock()
            digest = entry_hash(prev, seq, time, actor, action, detail_json)
            self.db.execute(
                f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, time, actor, action, detail_json, prev, digest),
            )
            if head:
                self.db.execute(
                    "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest)
                )
            else:
                self.db.execute(
                    "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", (seq, digest)
                )
        return AuditEntry(seq, time, actor, action, json.loads(detail_json), prev, digest)

    def entries(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> Iterator[AuditEntry]:
        where, params = [], []
        for column, value in (("actor", actor), ("action", action)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if since:
            where.append("time >= ?")
            params.append(since)
        sql = f"SELECT {_COLUMNS} FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq" + (" DESC" if newest_first else "")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        for seq, time, who, what, detail, prev, digest in self.db.query(sql, params):
            yield AuditEntry(int(seq), time, who, what, json.loads(detail), prev, digest)

    def verify(self) -> ChainCheck:
        rows = self.db.query(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq")
        head = self.db.query_one("SELECT seq, hash FROM audit_head WHERE id = 1")
        return verify_chain(
            ((int(r[0]), *r[1:]) for r in rows),  # type: ignore[misc]
            None if head is None else (int(head[0]), str(head[1])),
        )
