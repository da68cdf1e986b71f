"""Matching one document number against the active list version.

One call = the exact number plus its near-hit candidates (candidates.py), looked up
together: one batched key lookup and, when the version holds series, one batched range
lookup. Each record found is classified:

- ``hit``: the listed number is the document's number and the document type agrees
  (or the query gave no type);
- ``possible``: the listed number is one confusable/altered character away, or the
  number is listed for another document type. A possible match is for an officer to
  look at (refer); it never raises an alert by itself.

Records past their review date (``review_on`` before ``settings.today``) drop out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from screening.errors import ListStoreError
from screening.lists.candidates import Candidate, near_candidates
from screening.lists.hashing import DOCUMENT_TYPES, key_fingerprint, keyed_hash
from screening.lists.model import ListMatch, ListRecord, ListVersion
from screening.lists.normalize import checked_query, split_series_number, state_key
from screening.lists.store import ListStore


@dataclass(frozen=True, slots=True)
class MatchResult:
    version: ListVersion | None
    matches: tuple[ListMatch, ...]

    @property
    def status(self) -> str:
        if self.version is None:
            return "not_checked"
        if any(m.kind == "hit" for m in self.matches):
            return "hit"
        return "possible" if self.matches else "none"


def find_matches(
    store: ListStore,
    issuing_state: str,
    document_type: str | None,
    document_number: str,
    *,
    today: date,
    near: bool = True,
    key: bytes | None = None,
) -> MatchResult:
    """Raises BadArgumentsError for a query no list can hold (see ``checked_query``) and
    ListStoreError when the store cannot answer (unreadable, or a hashed store and a
    missing or wrong key: a wrong key would answer "none" for every listed number)."""
    state, dtype, number = checked_query(issuing_state, document_type, document_number)
    state3 = state_key(state)
    candidates: dict[str, Candidate] = near_candidates(number) if near else {}
    numbers = [number, *candidates]
    with store.read_snapshot():
        version = store.active_version()
        if version is None:
            return MatchResult(None, ())
        hashed = store.mode()[0] == "hashed"
        key_to: dict[str, tuple[str, str | None]] = {}
        if hashed:
            if key is None:
                raise ListStoreError(
                    "this list store holds keyed hashes; the list key is needed to check it",
                    hint="pass --key-file or set SCREENING_LISTS_KEY",
                )
            if key_fingerprint(key) != store.mode()[1]:
                raise ListStoreError(
                    "the list key does not match the key this store was built with; "
                    "nothing was checked",
                    hint="use the key file of the import (lists status shows the store's mode)",
                )
            for n in numbers:
                # The type is inside the hash: try every common type for the exact
                # number (a listed type mismatch is a possible match), and for near
                # candidates the document's own type when known.
                types = DOCUMENT_TYPES if (n == number or dtype is None) else (dtype,)
                for t in types:
                    key_to[keyed_hash(key, state3, t, n)] = (n, t)
        else:
            for n in numbers:
                key_to[state3 + n] = (n, None)
        probes: list[tuple[str, int, int]] = []
        probe_numbers: list[str] = []
        if not hashed:
            for n in numbers:
                split = split_series_number(n)
                if split is not None and split[2] <= 18:
                    probes.append((state3 + split[0], split[2], split[1]))
                    probe_numbers.append(n)
        records, series = store.lookup(version, list(key_to), probes)
    found: list[tuple[str, ListRecord]] = []
    for record in records:
        listed = record.document_number or key_to[record.key_hash or ""][0]
        found.append((listed, record))
    for probe_index, record in series:
        found.append((probe_numbers[probe_index], record))
    matches = []
    for listed, record in found:
        if record.review_on is not None and record.review_on < today.isoformat():
            continue
        matches.append(_classify(number, dtype, listed, record, candidates, version.id))
    matches.sort(key=lambda m: (m.kind != "hit", m.matched_number or "", m.record.status))
    # One match per record: a series holding the number is not also reported as a
    # near hit through its neighbouring numbers.
    seen: set[ListRecord] = set()
    unique = []
    for match in matches:
        if match.record not in seen:
            seen.add(match.record)
            unique.append(match)
    return MatchResult(version, tuple(unique))


def _classify(
    number: str,
    dtype: str | None,
    listed: str,
    record: ListRecord,
    candidates: dict[str, Candidate],
    version_id: int,
) -> ListMatch:
    type_ok = dtype is None or record.document_type == dtype
    type_note = (
        "" if type_ok else f"; listed as document type {record.document_type}, document is {dtype}"
    )
    where = f" in series {record.document_number}-{record.number_to}" if record.is_series else ""
    if listed == number:
        kind = "hit" if type_ok else "possible"
        reason = f"number {number} is listed{where}{type_note}"
    else:
        kind = "possible"
        reason = candidates[listed].reason() + where + type_note
    return ListMatch(kind, record, listed, reason, version_id)
