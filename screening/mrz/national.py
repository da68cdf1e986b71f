"""National MRZ layouts that are not ICAO 9303 formats but are common at borders.

Only the French national identity card (1988-2021 model, 2 x 36, ``IDFRA``) for now: its
lines have the TD2 shape but a different layout, so it is recognised before the TD2 rules
would reject it. Its layout is data (an :class:`MrzFormat`), checked with the same rules.
"""

from __future__ import annotations

from screening.findings import Finding, make_finding
from screening.mrz.dates import MrzDate, parse_birth_date
from screening.mrz.engine import (
    MrzReport,
    _check_digit_finding,
    _evaluate_check,
    date_findings,
    sex_findings,
)
from screening.mrz.formats import CheckSpec, FieldKind, FieldSpec, MrzFormat
from screening.mrz.names import parse_name
from screening.settings import Settings

K = FieldKind

FRENCH_ID = MrzFormat(
    name="FRENCH_ID",
    line_count=2,
    line_length=36,
    description="French national identity card (1988-2021 model)",
    doc_type_first=frozenset("I"),
    fields=(
        FieldSpec("document_type", 0, 0, 2, K.DOC_TYPE),
        FieldSpec("issuing_country", 0, 2, 5, K.COUNTRY),
        FieldSpec("surname", 0, 5, 30, K.NAME),
        FieldSpec("administrative_code", 0, 30, 36, K.NUMBER),
        FieldSpec("document_number", 1, 0, 12, K.NUMBER),
        FieldSpec("document_number_check", 1, 12, 13, K.CHECK),
        FieldSpec("given_names", 1, 13, 27, K.NAME),
        FieldSpec("birth_date", 1, 27, 33, K.DATE),
        FieldSpec("birth_date_check", 1, 33, 34, K.CHECK),
        FieldSpec("sex", 1, 34, 35, K.SEX),
        FieldSpec("composite_check", 1, 35, 36, K.CHECK),
        # No expiry in the MRZ; kept so the shared date rule has a field to point at.
        FieldSpec("expiry_date", 1, 27, 33, K.DATE),
    ),
    checks=(
        CheckSpec("document_number", 1, 12, ((1, 0, 12),), "document_number"),
        CheckSpec("birth_date", 1, 33, ((1, 27, 33),), "birth_date"),
        CheckSpec("composite", 1, 35, ((0, 0, 36), (1, 0, 35)), "composite"),
    ),
)


def check_national(
    lines: list[str], settings: Settings, findings: list[Finding]
) -> MrzReport | None:
    """A report for a recognised national layout, or ``None``."""
    if is_french_id(lines):
        return check_french_id(lines, settings, findings)
    return None


def is_french_id(lines: list[str]) -> bool:
    return len(lines) == 2 and all(len(line) == 36 for line in lines) and lines[0][:5] == "IDFRA"


def check_french_id(lines: list[str], settings: Settings, findings: list[Finding]) -> MrzReport:
    fmt = FRENCH_ID
    raw = {spec.name: lines[spec.line][spec.start : spec.end] for spec in fmt.fields}
    report = MrzReport(format=fmt.name, mrz_lines=lines, findings=findings)
    findings.append(
        make_finding(
            "MRZ_NATIONAL_FORMAT",
            "French national identity card (1988-2021 model): a national layout, not ICAO "
            "9303, checked with its own field positions and check digits. It carries no "
            "expiry date in the MRZ.",
            field="document_type",
            value=lines[0][:5],
        )
    )
    for spec in fmt.checks:
        result = _evaluate_check(lines, spec, allow_filler=False)
        report.check_digits[spec.name] = result
        if not result["valid"]:
            findings.append(_check_digit_finding(fmt, spec, result, lines))
    birth = parse_birth_date(raw["birth_date"], settings.today)
    no_expiry = MrzDate("", None)  # neither absent-by-filler nor an error: not encoded
    findings += date_findings(fmt, raw, birth, no_expiry, settings, None)
    findings += sex_findings(fmt, raw["sex"])
    report.fields = {
        "document_type": "ID",
        "issuing_country": "FRA",
        "surname": parse_name(raw["surname"]).surname,
        "given_names": " ".join(p for p in raw["given_names"].split("<") if p),
        "document_number": raw["document_number"],
        "nationality": "FRA",
        "birth_date": birth.value.isoformat() if birth.value else None,
        "birth_date_raw": raw["birth_date"],
        "sex": raw["sex"],
        "expiry_date": None,
        "expiry_date_raw": None,
        "optional_data": raw["administrative_code"].rstrip("<"),
        "issue_year_month": raw["document_number"][0:4],
    }
    return report


__all__ = ["FRENCH_ID", "CheckSpec", "check_national", "is_french_id"]
