"""The audit log's hash chain: pure functions, no storage.

Each entry's hash covers the previous entry's hash and the entry's own canonical JSON
(sequence number, time, actor, action, detail). Editing any stored field, deleting or
reordering an entry breaks the chain from that entry on; :func:`verify_chain` names the
first entry that does not verify. Deleting the *newest* entries leaves a shorter chain
that still verifies on its own, so the store also keeps the head (last sequence number
and hash), written in the same transaction as each entry; a head that the chain does not
reach is reported too. (Someone able to rewrite the head and every hash can rebuild a
chain: compare the head printed by ``audit verify`` with a copy kept elsewhere.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    time: str
    actor: str
    action: str
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "actor": self.actor,
            "action": self.action,
            "detail": dict(self.detail),
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class ChainCheck:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad: int | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "first_bad": self.first_bad,
            "reason": self.reason,
        }


def canonical_detail(detail: Mapping[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    prev_hash: str, seq: int, time: str, actor: str, action: str, detail_json: str
) -> str:
    body = json.dumps(
        [seq, time, actor, action, detail_json], separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def verify_chain(
    rows: Iterable[tuple[int, str, str, str, str, str, str]],
    head: tuple[int, str] | None,
) -> ChainCheck:
    """Check rows ``(seq, time, actor, action, detail_json, prev_hash, hash)`` in
    sequence order against each other and against the stored head."""
    expected_seq, prev, count = 1, GENESIS, 0
    for seq, time, actor, action, detail_json, prev_hash, stored in rows:
        count += 1
        if seq != expected_seq:
            return _bad(count, prev, expected_seq, f"entry {expected_seq} is missing (deleted)")
        if prev_hash != prev:
            return _bad(count, prev, seq, f"entry {seq} does not follow entry {seq - 1}")
        if entry_hash(prev, seq, time, actor, action, detail_json) != stored:
            return _bad(count, prev, seq, f"entry {seq} was altered after it was written")
        prev, expected_seq = stored, seq + 1
    last_seq = expected_seq - 1
    if head is not None and (head[0] != last_seq or head[1] != prev):
        return ChainCheck(
            ok=False,
            entries=count,
            head_seq=last_seq,
            head_hash=prev,
            first_bad=last_seq + 1,
            reason=f"the log ends at entry {last_seq} but entry {head[0]} was written: "
            "the newest entries were deleted",
        )
    if head is None and count:
        return _bad(count, prev, 1, "the log's head record is missing")
    return ChainCheck(ok=True, entries=count, head_seq=last_seq, head_hash=prev)


def _bad(count: int, prev: str, seq: int, reason: str) -> ChainCheck:
    return ChainCheck(
        ok=False, entries=count, head_seq=seq - 1, head_hash=prev, first_bad=seq, reason=reason
    )
