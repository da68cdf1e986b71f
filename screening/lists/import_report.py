"""What one import did: counts, rejects, repeats and timings (plain data)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from screening.lists.store import Repeats
from screening.lists.validation import RowError


@dataclass
class ImportReport:
    version: int | None
    kind: str
    feed: str
    digest: str | None = None
    rows_read: int = 0
    records_added: int = 0
    series_added: int = 0
    removed: int = 0
    not_found: int = 0
    rejected: int = 0
    reject_reasons: Counter[str] = field(default_factory=Counter)
    rejects: list[RowError] = field(default_factory=list)
    status_counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    index_seconds: float = 0.0
    active_records: int = 0
    active_series: int = 0
    repeats: Repeats = field(default_factory=Repeats)

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "kind": self.kind,
            "feed": self.feed,
            "digest": self.digest,
            "rows_read": self.rows_read,
            "records_added": self.records_added,
            "series_added": self.series_added,
            "removed": self.removed,
            "not_found": self.not_found,
            "rejected": self.rejected,
            "reject_reasons": dict(self.reject_reasons.most_common()),
            "rejects": [{"row": r.row, "reason": r.reason} for r in self.rejects],
            "status_counts": dict(self.status_counts),
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "index_and_activate_seconds": round(self.index_seconds, 3),
            "rows_per_second": round(self.rows_per_second),
            "active_records": self.active_records,
            "active_series": self.active_series,
            "repeated": self.repeats.repeated,
            "conflicting": self.repeats.conflicting,
            "repeated_examples": list(self.repeats.examples),
        }


def reason_class(reason: str) -> str:
    """Group reasons for the summary: the text before the first quoted value."""
    return reason.split(" '")[0].split(' "')[0]
