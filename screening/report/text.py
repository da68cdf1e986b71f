"""Plain-text rendering for the officer's terminal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from screening.findings import Finding, Verdict, sort_findings

_VERDICT_WORDS = {
    Verdict.CLEAR: "CLEAR  - no reason found to stop this document",
    Verdict.REFER: "REFER  - look closer before deciding",
    Verdict.ALERT: "ALERT  - stop: strong sign of fraud or an invalid document",
}


def verdict_line(verdict: Verdict) -> str:
    return f"Verdict: {_VERDICT_WORDS[verdict]}"


def findings_lines(findings: Iterable[Finding]) -> list[str]:
    lines = []
    for finding in sort_findings(findings):
        lines.append(f"  [{finding.severity.upper():7}] {finding.code}: {finding.message}")
    return lines or ["  (no findings)"]


def fields_lines(fields: Mapping[str, Any]) -> list[str]:
    width = max((len(k) for k in fields), default=0)
    return [f"  {key:<{width}}  {'' if value is None else value}" for key, value in fields.items()]
