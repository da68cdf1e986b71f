"""The booklet report: one object per passport (``booklet --json``, ``batch``).

Keys (a contract, like ``scan``'s): ``file``, ``verdict``, ``document`` (as in ``scan``,
from the data page), ``edition`` (the booklet facts used: page count, number on every
page), ``data_page``, ``pages``, ``stamps``, ``route``, ``findings``, ``timings``,
``elapsed_ms``, ``lists``; ``error`` when the input could not be read at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from screening.findings import Finding, Verdict, derive_verdict, sort_findings


@dataclass(slots=True)
class PageRecord:
    index: int  # scan order, 0-based
    source: str
    source_index: int  # page inside a TIFF/PDF, 0 for an image file
    side: str  # single | left | right | top | bottom
    region: tuple[int, int, int, int]  # [x, y, w, h] in the source image
    kind: str = "unknown"  # data | cover | stamps | blank
    number: int | None = None
    number_read: bool = False  # read on the page (False: inferred from the neighbours)
    number_confidence: float = 0.0
    passport_number: str | None = None
    stamps: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "number": self.number,
            "number_read": self.number_read,
            "number_confidence": round(self.number_confidence / 100.0, 2),
            "kind": self.kind,
            "source": self.source,
            "source_index": self.source_index,
            "side": self.side,
            "region": list(self.region),
            "passport_number": self.passport_number,
            "stamps": self.stamps,
        }


@dataclass(slots=True)
class BookletReport:
    file: str
    verdict: Verdict | None = None
    document: dict[str, Any] | None = None
    edition: dict[str, Any] | None = None
    data_page: int | None = None
    pages: list[PageRecord] = field(default_factory=list)
    stamps: list[dict[str, Any]] = field(default_factory=list)
    route: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    lists: dict[str, Any] | None = None
    error: str | None = None

    def finish(self) -> BookletReport:
        self.verdict = None if self.error else derive_verdict(self.findings)
        return self

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "verdict": None if self.verdict is None else str(self.verdict),
            "document": self.document,
            "edition": self.edition,
            "data_page": self.data_page,
            "pages": [p.to_dict() for p in self.pages],
            "stamps": self.stamps,
            "route": self.route,
            "findings": [f.to_dict() for f in sort_findings(self.findings)],
            "elapsed_ms": round(self.elapsed_ms, 1),
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "lists": self.lists,
        }
        if self.error is not None:
            out["error"] = self.error
        return out
