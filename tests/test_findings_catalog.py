"""The finding catalogue is complete, consistent and documented."""

from __future__ import annotations

import re

from screening.findings import Severity, Verdict, catalog, derive_verdict, make_finding
from tests.conftest import REPO

DOC = (REPO / "docs" / "findings.md").read_text("utf-8")


def test_every_code_is_documented_with_its_severity() -> None:
    for code, entry in catalog().items():
        rows = [line for line in DOC.splitlines() if line.startswith(f"| `{code}` |")]
        assert rows, f"{code} is not documented in docs/findings.md"
        assert f"| {entry.severity} |" in rows[0], f"{code}: severity differs from the catalogue"


def test_documented_codes_exist() -> None:
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", DOC, flags=re.MULTILINE))
    assert documented <= set(catalog()), documented - set(catalog())


def test_codes_are_stable_identifiers() -> None:
    for code, entry in catalog().items():
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", code), code
        assert entry.title and entry.action and entry.stage


def test_verdict_rule_table() -> None:
    def finding(severity: Severity):
        code = next(c for c, e in catalog().items() if e.severity is severity)
        return make_finding(code, "test")

    assert derive_verdict([]) is Verdict.CLEAR
    assert derive_verdict([finding(Severity.INFO)]) is Verdict.CLEAR
    assert derive_verdict([finding(Severity.INFO), finding(Severity.WARNING)]) is Verdict.REFER
    assert derive_verdict([finding(Severity.WARNING), finding(Severity.ALERT)]) is Verdict.ALERT


def test_unknown_code_is_a_programming_error() -> None:
    import pytest

    with pytest.raises(KeyError):
        make_finding("NOT_A_CODE", "x")
