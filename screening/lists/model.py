"""Records, versions and match results of the lost/stolen list store (plain data)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any


class Status(IntEnum):
    """SLTD record status; the integer is what the store keeps (one byte per row)."""

    LOST = 1
    STOLEN = 2
    STOLEN_BLANK = 3
    REVOKED = 4
    INVALID = 5

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Status:
        return cls[label.strip().upper()]


STATUS_LABELS: dict[str, Status] = {status.label: status for status in Status}


@dataclass(frozen=True, slots=True)
class ListRecord:
    """One listed document or one stolen blank series, as found in the store.

    In a hashed store ``issuing_state``/``document_number`` are ``None`` (only the keyed
    hash is kept) and ``key_hash`` is set. ``number_to`` is set for a series.
    """

    issuing_state: str | None
    document_type: str
    document_number: str | None
    status: Status
    number_to: str | None = None
    reporting_state: str | None = None
    issued_on: str | None = None
    expires_on: str | None = None
    reported_on: str | None = None
    review_on: str | None = None
    reference: str | None = None
    source: str | None = None
    added_in: int | None = None
    key_hash: str | None = None

    @property
    def is_series(self) -> bool:
        return self.number_to is not None

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v is not None}
        out["status"] = self.status.label
        return out


@dataclass(frozen=True, slots=True)
class ListVersion:
    """One import. ``state`` is ``staging`` (being written or interrupted), ``active``,
    ``superseded`` or ``failed``; ``chain`` lists the versions whose rows it sees
    (the full import it is based on, then each delta up to itself)."""

    id: int
    kind: str  # "full" or "delta"
    base: int
    chain: tuple[int, ...]
    state: str
    source: str | None
    digest: str | None
    feed_name: str | None
    started_at: str | None
    finished_at: str | None
    records: int = 0
    series: int = 0
    added: int = 0
    removed: int = 0
    rejected: int = 0
    max_span: int = 0
    status_counts: dict[str, int] = field(default_factory=dict)
    note: str | None = None

    def ref(self) -> dict[str, Any]:
        """What a screening records about the version it was checked against."""
        return {
            "version": self.id,
            "kind": self.kind,
            "digest": self.digest,
            "source": self.source,
            "activated_at": self.finished_at,
        }

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["chain"] = list(self.chain)
        return out


@dataclass(frozen=True, slots=True)
class ListMatch:
    """A record found for a queried number: ``kind`` is ``hit`` (same number, same
    document type) or ``possible`` (one confusable/altered character, or another
    document type); ``reason`` says which, in words."""

    kind: str
    record: ListRecord
    matched_number: str | None
    reason: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reason": self.reason,
            "matched_number": self.matched_number,
            "list_version": self.version,
            "record": self.record.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class ListScreening:
    """The result of checking one document: findings plus the versions consulted."""

    status: str  # "hit", "possible", "none" or "not_checked"
    matches: tuple[ListMatch, ...]
    findings: tuple[Any, ...]  # screening.findings.Finding
    versions_checked: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "matches": [m.to_dict() for m in self.matches],
            "findings": [f.to_dict() for f in self.findings],
            "versions_checked": list(self.versions_checked),
        }
