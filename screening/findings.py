"""The finding model shared by every stage, and the one rule that turns findings into a verdict.

A finding is one observation about a document: a stable ``code`` (documented in
``docs/findings.md``), a ``severity`` fixed by the code's catalogue entry
(``screening/data/findings.toml``), a message an officer understands, and the evidence
(which field, which characters, which image region).

The verdict rule table (also in the catalogue file) maps the most severe finding to
``clear``, ``refer`` (look closer) or ``alert`` (stop).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ALERT = "alert"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ALERT: 2}


class Verdict(StrEnum):
    CLEAR = "clear"
    REFER = "refer"
    ALERT = "alert"


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    code: str
    severity: Severity
    title: str
    action: str
    stage: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a finding comes from. Every part is optional; fill what is known.

    ``line`` is the 1-based MRZ line, ``positions`` the 1-based inclusive character
    range on that line (ICAO numbering), ``region`` an image box ``[x, y, w, h]`` in
    pixels of the input image.
    """

    field: str | None = None
    value: str | None = None
    expected: str | None = None
    line: int | None = None
    positions: tuple[int, int] | None = None
    region: tuple[int, int, int, int] | None = None
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("field", "value", "expected", "line"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.positions is not None:
            out["positions"] = list(self.positions)
        if self.region is not None:
            out["region"] = [int(v) for v in self.region]
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    evidence: Evidence = dataclasses.field(default_factory=Evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "evidence": self.evidence.to_dict(),
        }


@cache
def catalog() -> dict[str, CatalogEntry]:
    """Every finding code the project knows, read once from the data file."""
    raw = tomllib.loads(
        resources.files("screening.data").joinpath("findings.toml").read_text("utf-8")
    )
    return {
        code: CatalogEntry(
            code=code,
            severity=Severity(entry["severity"]),
            title=entry["title"],
            action=entry["action"],
            stage=entry["stage"],
        )
        for code, entry in raw["codes"].items()
    }


@cache
def verdict_rules() -> dict[str, Verdict]:
    raw = tomllib.loads(
        resources.files("screening.data").joinpath("findings.toml").read_text("utf-8")
    )
    return {key: Verdict(value) for key, value in raw["verdict"].items()}


def make_finding(
    code: str,
    message: str,
    *,
    field: str | None = None,
    value: str | None = None,
    expected: str | None = None,
    line: int | None = None,
    positions: tuple[int, int] | None = None,
    region: tuple[int, int, int, int] | None = None,
    **extra: Any,
) -> Finding:
    """Create a finding; its severity comes from the catalogue, so a code means one thing.

    An unknown code raises ``KeyError``: every code must be catalogued and documented.
    """
    entry = catalog()[code]
    evidence = Evidence(
        field=field,
        value=value,
        expected=expected,
        line=line,
        positions=positions,
        region=region,
        extra=extra,
    )
    return Finding(code=code, severity=entry.severity, message=message, evidence=evidence)


def derive_verdict(findings: Iterable[Finding]) -> Verdict:
    """Apply the verdict rule table: the most severe finding decides."""
    rules = verdict_rules()
    worst: Severity | None = None
    for finding in findings:
        if worst is None or finding.severity.rank > worst.rank:
            worst = finding.severity
    return rules["none"] if worst is None else rules[str(worst)]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then by code: the order an officer should read them in."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.code))
