"""Check MRZ text against ICAO Doc 9303: the library call behind ``check-mrz`` and ``scan``.

:func:`check_mrz` takes the lines as read, detects the format, splits the fields and runs
every rule that can be checked from the text. Each rule is a pure function of the raw
fields returning findings; nothing here reads files other than the packaged data tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from screening.findings import (
    Finding,
    Severity,
    Verdict,
    derive_verdict,
    make_finding,
    sort_findings,
)
from screening.mrz.checkdigit import MRZ_ALPHABET, compute_check_digit, is_mrz_text
from screening.mrz.countries import lookup_country
from screening.mrz.dates import MrzDate, add_years, parse_birth_date, parse_expiry_date
from screening.mrz.formats import CheckSpec, MrzFormat, detect_format
from screening.mrz.names import parse_name
from screening.mrz.profiles import NationalProfile, profile_for
from screening.settings import Settings

# Findings that say the MRZ text itself breaks ICAO 9303 (as opposed to what the text
# says about the document, such as DOC_EXPIRED).
_STRUCTURAL_STAGE = "mrz"


@dataclass(slots=True)
class MrzReport:
    format: str | None
    mrz_lines: list[str]
    fields: dict[str, Any] = field(default_factory=dict)
    check_digits: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        return derive_verdict(self.findings)

    @property
    def mrz_valid(self) -> bool:
        """True when the text conforms: a known format and no MRZ-level alert.

        Facts about the document (expired, specimen) do not make the MRZ invalid.
        """
        return self.format is not None and not any(
            f.severity is Severity.ALERT and f.code.startswith("MRZ_") for f in self.findings
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "mrz_lines": list(self.mrz_lines),
            "fields": dict(self.fields),
            "check_digits": {k: dict(v) for k, v in self.check_digits.items()},
            "mrz_valid": self.mrz_valid,
            "verdict": str(self.verdict),
            "findings": [f.to_dict() for f in sort_findings(self.findings)],
        }


def normalize_lines(lines: Iterable[str]) -> list[str]:
    """Split on newlines, strip surrounding white space, drop blank lines.

    Nothing else is changed: lowercase letters or inner spaces are reported, not fixed.
    """
    out: list[str] = []
    for item in lines:
        for line in item.splitlines():
            stripped = line.strip()
            if stripped:
                out.append(stripped)
    return out


def check_mrz(lines: Iterable[str], settings: Settings) -> MrzReport:
    """Parse and validate MRZ lines; never raises on bad text, reports it instead."""
    from screening.mrz import national  # national formats reuse the rules below

    mrz_lines = normalize_lines(lines)
    findings = list(_charset_findings(mrz_lines))
    # National layouts first: the French card has the TD2 shape but not its layout.
    national_report = national.check_national(mrz_lines, settings, findings)
    if national_report is not None:
        return national_report
    fmt = detect_format(mrz_lines)
    if fmt is None:
        findings.append(_format_finding(mrz_lines))
        return MrzReport(format=None, mrz_lines=mrz_lines, findings=findings)
    return _check_icao(fmt, mrz_lines, settings, findings)


# --- format and character set --------------------------------------------------------

_SHAPES = "TD1 3x30, TD2 2x36, TD3 2x44, MRV-A 2x44, MRV-B 2x36"


def _format_finding(lines: list[str]) -> Finding:
    if not lines:
        return make_finding("MRZ_FORMAT", "No MRZ text was given.", value="")
    lengths = [len(line) for line in lines]
    shape = f"{len(lines)} line(s) of length {', '.join(map(str, lengths))}"
    hint = ""
    if len(lines) == 3 and lengths[0] == 30:
        hint = " It looks like a TD1 card with a line of the wrong length."
    elif len(lines) == 2 and lengths[0] in (36, 44):
        hint = f" It looks like a {lengths[0]}-character format with a line of the wrong length."
    elif len(lines) == 3 and lengths[0] == 9:
        hint = " It looks like an ISO 18013 (Swiss) driving licence, not a travel document."
    elif len(lines) == 1 and lengths[0] == 30:
        hint = " A single 30-character line is a driving-licence MRZ, not a travel document."
    return make_finding(
        "MRZ_FORMAT",
        f"The text has {shape}; no ICAO 9303 format fits ({_SHAPES}).{hint}",
        value="\n".join(lines)[:200],
        line_lengths=lengths,
    )


def _charset_findings(lines: list[str]) -> Iterable[Finding]:
    for number, line in enumerate(lines, start=1):
        bad = [(i, c) for i, c in enumerate(line) if c not in MRZ_ALPHABET]
        if not bad:
            continue
        chars = "".join(sorted({c for _, c in bad}))
        advice = ""
        if any(c.islower() for _, c in bad):
            advice = " An MRZ is written in capitals only."
        elif any(c.isspace() for _, c in bad):
            advice = " An MRZ has no spaces: fillers are '<'."
        yield make_finding(
            "MRZ_CHARSET",
            f"Line {number} holds {len(bad)} character(s) outside the MRZ alphabet "
            f"(A-Z, 0-9, <): {chars!r}.{advice}",
            line=number,
            positions=(bad[0][0] + 1, bad[-1][0] + 1),
            value=chars,
            bad_positions=[i + 1 for i, _ in bad],
        )


# --- the ICAO formats -----------------------------------------------------------------


def _raw_fields(fmt: MrzFormat, lines: list[str]) -> dict[str, str]:
    return {spec.name: lines[spec.line][spec.start : spec.end] for spec in fmt.fields}


def _check_icao(
    fmt: MrzFormat, lines: list[str], settings: Settings, findings: list[Finding]
) -> MrzReport:
    raw = _raw_fields(fmt, lines)
    profile = profile_for(raw["issuing_country"], raw["document_type"])
    report = MrzReport(format=fmt.name, mrz_lines=lines, findings=findings)

    findings += document_type_findings(fmt, raw["document_type"])
    findings += country_findings(fmt, raw)
    number, optional_data = _document_number_and_optional(fmt, lines, raw, report, profile)

    birth = parse_birth_date(raw["birth_date"], settings.today)
    window = settings.expiry_century_window
    expiry = parse_expiry_date(raw["expiry_date"], settings.today, window)
    findings += date_findings(fmt, raw, birth, expiry, settings, profile)
    findings += sex_findings(fmt, raw["sex"])
    findings += name_findings(fmt, raw["name"], profile)

    for spec in fmt.checks:
        if spec.name == "document_number":
            continue  # handled with the long-number rule above
        allow_filler = spec.may_be_filler_when_empty and _is_empty(_spanned_text(lines, spec))
        if spec.name == "expiry_date" and expiry.absent:
            allow_filler = bool(profile and profile.expiry_may_be_absent)
        result = _evaluate_check(lines, spec, allow_filler=allow_filler)
        report.check_digits[spec.name] = result
        if not result["valid"]:
            findings.append(_check_digit_finding(fmt, spec, result, lines))

    parsed_name = parse_name(raw["name"])
    report.fields = {
        "document_type": raw["document_type"].rstrip("<"),
        "issuing_country": raw["issuing_country"].rstrip("<"),
        "surname": parsed_name.surname,
        "given_names": parsed_name.given_names,
        "document_number": number,
        "nationality": raw["nationality"].rstrip("<"),
        "birth_date": birth.value.isoformat() if birth.value else None,
        "birth_date_raw": raw["birth_date"],
        "sex": raw["sex"],
        "expiry_date": expiry.value.isoformat() if expiry.value else None,
        "expiry_date_raw": raw["expiry_date"],
        "optional_data": optional_data,
    }
    if "optional_data_2" in raw:
        report.fields["optional_data_2"] = raw["optional_data_2"].rstrip("<")
    deviations = []
    if profile is not None:
        if profile.name_digits_allowed and parsed_name.digits:
            deviations.append("digits in the name")
        if profile.expiry_may_be_absent and expiry.absent:
            deviations.append("no expiry date")
    if profile is not None and deviations:
        findings.append(
            make_finding(
                "MRZ_NATIONAL_FORMAT",
                f"{profile.note} Allowed here: {', '.join(deviations)}.",
                field="document_type",
                value=raw["document_type"],
                profile=profile.id,
                source=profile.source,
            )
        )
    return report


def _is_empty(text: str) -> bool:
    return set(text) <= {"<"}


def _spanned_text(lines: list[str], spec: CheckSpec) -> str:
    return "".join(lines[line][start:end] for line, start, end in spec.spans)


def _evaluate_check(lines: list[str], spec: CheckSpec, *, allow_filler: bool) -> dict[str, Any]:
    text = _spanned_text(lines, spec)
    value = lines[spec.line][spec.index]
    expected = compute_check_digit(text) if is_mrz_text(text) else None
    valid = expected is not None and (value == expected or (allow_filler and value == "<"))
    return {
        "value": value,
        "expected": expected,
        "valid": valid,
        "line": spec.line + 1,
        "position": spec.index + 1,
    }


_CHECK_LABELS = {
    "document_number": "document number",
    "birth_date": "date of birth",
    "expiry_date": "date of expiry",
    "optional_data": "personal number / optional data",
    "composite": "composite (whole MRZ)",
}


def _check_digit_finding(
    fmt: MrzFormat, spec: CheckSpec, result: dict[str, Any], lines: list[str]
) -> Finding:
    label = _CHECK_LABELS[spec.name]
    code = "MRZ_COMPOSITE_CHECK_DIGIT" if spec.name == "composite" else "MRZ_CHECK_DIGIT"
    if result["expected"] is None:
        message = (
            f"The {label} check digit cannot be verified: the protected characters "
            f"include some outside the MRZ alphabet."
        )
    else:
        message = (
            f"The {label} check digit is {result['value']!r} but the characters it "
            f"protects give {result['expected']!r}."
        )
    return make_finding(
        code,
        message,
        field=spec.protects,
        value=result["value"],
        expected=result["expected"],
        line=spec.line + 1,
        positions=(spec.index + 1, spec.index + 1),
        protected_text=_spanned_text(lines, spec),
    )


def _document_number_and_optional(
    fmt: MrzFormat,
    lines: list[str],
    raw: dict[str, str],
    report: MrzReport,
    profile: NationalProfile | None,
) -> tuple[str, str]:
    """Document number (with TD1/TD2 overflow) and the rest of the optional data."""
    spec = next(c for c in fmt.checks if c.name == "document_number")
    number_field = raw["document_number"]
    optional = raw["optional_data"]
    check_char = lines[spec.line][spec.index]
    long_number = fmt.name in ("TD1", "TD2") and check_char == "<" and "<" not in number_field
    if not long_number:
        result = _evaluate_check(lines, spec, allow_filler=False)
        report.check_digits["document_number"] = result
        if not result["valid"]:
            report.findings.append(_check_digit_finding(fmt, spec, result, lines))
        return number_field.rstrip("<"), optional.rstrip("<")

    # ICAO 9303 Part 5/6: the number continues in the optional data, followed by the
    # check digit over the whole number, then a filler.
    overflow = optional.split("<", 1)[0]
    rest = optional[len(overflow) :].lstrip("<") if overflow else optional.lstrip("<")
    opt_spec = fmt.field("optional_data")
    if len(overflow) < 1:
        result = {
            "value": "<",
            "expected": None,
            "valid": False,
            "line": spec.line + 1,
            "position": spec.index + 1,
            "long_number": True,
        }
        report.check_digits["document_number"] = result
        report.findings.append(
            make_finding(
                "MRZ_CHECK_DIGIT",
                "The document number check digit is a filler but no continuation of a "
                "long document number follows in the optional data.",
                field="document_number",
                value="<",
                line=spec.line + 1,
                positions=(spec.index + 1, spec.index + 1),
            )
        )
        return number_field, rest.rstrip("<")
    number = number_field + overflow[:-1]
    digit = overflow[-1]
    expected = compute_check_digit(number) if is_mrz_text(number) else None
    result = {
        "value": digit,
        "expected": expected,
        "valid": digit == expected,
        "line": opt_spec.line + 1,
        "position": opt_spec.start + len(overflow),
        "long_number": True,
    }
    report.check_digits["document_number"] = result
    if not result["valid"]:
        where: dict[str, Any] = {
            "field": "document_number",
            "value": digit,
            "expected": expected,
            "line": opt_spec.line + 1,
            "positions": (result["position"], result["position"]),
        }
        with_filler = number_field + "<" + overflow[:-1]
        nonstandard = is_mrz_text(with_filler) and compute_check_digit(with_filler) == digit
        if nonstandard and profile is not None and profile.long_number_check_includes_filler:
            result["valid"] = True
            result["national_deviation"] = profile.id
            report.findings.append(
                make_finding(
                    "MRZ_CHECK_DIGIT_NONSTANDARD",
                    f"The long document number's check digit {digit!r} matches only when "
                    f"computed with the filler included ({profile.note})",
                    profile=profile.id,
                    **where,
                )
            )
        else:
            report.findings.append(
                make_finding(
                    "MRZ_CHECK_DIGIT",
                    f"The check digit of the long document number {number} is {digit!r} "
                    f"but the number gives {expected!r}.",
                    protected_text=number,
                    **where,
                )
            )
    return number, rest.rstrip("<")


# --- field rules (pure) ---------------------------------------------------------------


def document_type_findings(fmt: MrzFormat, doc_type: str) -> list[Finding]:
    findings: list[Finding] = []
    if not all(c.isalpha() or c == "<" for c in doc_type) or doc_type[:1] == "<":
        return [
            make_finding(
                "MRZ_FIELD_FORMAT",
                f"The document code {doc_type!r} must be a letter followed by a letter or '<'.",
                field="document_type",
                value=doc_type,
                line=1,
                positions=(1, 2),
            )
        ]
    first = doc_type[0]
    allowed = "".join(sorted(fmt.doc_type_first))
    if first not in fmt.doc_type_first:
        findings.append(
            make_finding(
                "MRZ_DOCUMENT_TYPE",
                f"A {fmt.description} starts with {allowed!r}; this one says {doc_type!r}.",
                field="document_type",
                value=doc_type,
                expected=allowed,
                line=1,
                positions=(1, 2),
            )
        )
    elif fmt.name in ("TD1", "TD2") and doc_type[1] == "V":
        findings.append(
            make_finding(
                "MRZ_DOCUMENT_TYPE",
                f"The document code {doc_type!r} is not allowed on cards: a second letter V "
                "is reserved for visas.",
                field="document_type",
                value=doc_type,
                line=1,
                positions=(1, 2),
            )
        )
    return findings


def country_findings(fmt: MrzFormat, raw: dict[str, str]) -> list[Finding]:
    findings: list[Finding] = []
    specimen_seen = False
    for name, label in (("issuing_country", "issuing state"), ("nationality", "nationality")):
        spec = fmt.field(name)
        value = raw[name]
        where = {"field": name, "value": value, "line": spec.line + 1, "positions": spec.positions}
        if not all(c.isalpha() or c == "<" for c in value) or value[:1] == "<":
            findings.append(
                make_finding(
                    "MRZ_FIELD_FORMAT",
                    f"The {label} {value!r} is not a three-letter code.",
                    **where,
                )
            )
            continue
        country = lookup_country(value)
        if country is None:
            findings.append(
                make_finding(
                    "MRZ_COUNTRY_CODE",
                    f"The {label} {value!r} is not an ICAO 9303 country code: no state or "
                    "organisation issues documents under it.",
                    **where,
                )
            )
        elif country.kind == "withdrawn":
            findings.append(
                make_finding(
                    "MRZ_COUNTRY_CODE_WITHDRAWN",
                    f"The {label} {value!r} ({country.name}) is a withdrawn code.",
                    **where,
                )
            )
        elif country.kind == "specimen" and not specimen_seen:
            specimen_seen = True
            findings.append(
                make_finding(
                    "DOC_SPECIMEN",
                    f"{country.name}: this is a specimen document, not a travel document. "
                    "The verdict reflects the other checks.",
                    **where,
                )
            )
    return findings


def date_findings(
    fmt: MrzFormat,
    raw: dict[str, str],
    birth: MrzDate,
    expiry: MrzDate,
    settings: Settings,
    profile: NationalProfile | None,
) -> list[Finding]:
    findings: list[Finding] = []
    birth_spec, expiry_spec = fmt.field("birth_date"), fmt.field("expiry_date")

    def where(spec: Any, value: str) -> dict[str, Any]:
        return {
            "field": spec.name,
            "value": value,
            "line": spec.line + 1,
            "positions": spec.positions,
        }

    if birth.error:
        findings.append(
            make_finding(
                "MRZ_DATE",
                f"The date of birth {birth.raw!r} is not valid: {birth.error}.",
                **where(birth_spec, birth.raw),
            )
        )
    elif birth.partial:
        findings.append(
            make_finding(
                "MRZ_BIRTH_DATE_PARTIAL",
                f"The date of birth {birth.raw!r} is partly unknown (fillers), as ICAO 9303 "
                "allows.",
                **where(birth_spec, birth.raw),
            )
        )

    if expiry.absent:
        if not (profile and profile.expiry_may_be_absent):
            findings.append(
                make_finding(
                    "MRZ_DATE",
                    "The date of expiry is empty; ICAO 9303 requires one.",
                    **where(expiry_spec, expiry.raw),
                )
            )
    elif expiry.error:
        findings.append(
            make_finding(
                "MRZ_DATE",
                f"The date of expiry {expiry.raw!r} is not valid: {expiry.error}.",
                **where(expiry_spec, expiry.raw),
            )
        )
    elif expiry.value is not None:
        findings += _expiry_findings(fmt, raw, expiry.value, settings, expiry_spec)

    if birth.value and expiry.value and birth.value >= expiry.value:
        findings.append(
            make_finding(
                "MRZ_DATE_INCONSISTENT",
                f"The date of birth ({birth.value.isoformat()}) is not before the date of "
                f"expiry ({expiry.value.isoformat()}).",
                field="birth_date",
                value=birth.raw,
                expected=f"before {expiry.value.isoformat()}",
                line=birth_spec.line + 1,
                positions=birth_spec.positions,
            )
        )
    return findings


def _expiry_findings(
    fmt: MrzFormat, raw: dict[str, str], expiry: date, settings: Settings, spec: Any
) -> list[Finding]:
    where = {
        "field": "expiry_date",
        "value": raw["expiry_date"],
        "line": spec.line + 1,
        "positions": spec.positions,
    }
    if expiry < settings.today:
        return [
            make_finding(
                "DOC_EXPIRED",
                f"The document expired on {expiry.isoformat()} "
                f"(screening date {settings.today.isoformat()}).",
                expected=f">= {settings.today.isoformat()}",
                **where,
            )
        ]
    years = settings.max_validity_years.get(raw["document_type"][:1])
    if years is not None and expiry > add_years(settings.today, years):
        return [
            make_finding(
                "MRZ_VALIDITY_SPAN",
                f"The document is valid until {expiry.isoformat()}, more than {years} years "
                f"after the screening date; documents of type {raw['document_type'][:1]!r} "
                f"are not issued for that long.",
                expected=f"<= {add_years(settings.today, years).isoformat()}",
                **where,
            )
        ]
    return []


def sex_findings(fmt: MrzFormat, sex: str) -> list[Finding]:
    spec = fmt.field("sex")
    where = {"field": "sex", "value": sex, "line": spec.line + 1, "positions": spec.positions}
    if sex in ("M", "F", "<"):
        return []
    if sex == "X":
        return [
            make_finding(
                "MRZ_SEX_X",
                "The sex field holds 'X'. ICAO 9303 writes '<' in the MRZ and X only on the "
                "printed page, but some states print X in the MRZ.",
                expected="M, F or <",
                **where,
            )
        ]
    return [
        make_finding(
            "MRZ_SEX",
            f"The sex field holds {sex!r}; the MRZ allows only M, F or <.",
            expected="M, F or <",
            **where,
        )
    ]


def name_findings(
    fmt: MrzFormat, field_text: str, profile: NationalProfile | None
) -> list[Finding]:
    spec = fmt.field("name")
    parsed = parse_name(field_text)
    where = {"field": "name", "value": field_text, "line": spec.line + 1}
    findings: list[Finding] = []
    if parsed.empty:
        return [make_finding("MRZ_NAME", "The name field is empty.", **where)]
    if parsed.digits and not (profile and profile.name_digits_allowed):
        first, last = parsed.digits[0], parsed.digits[-1]
        findings.append(
            make_finding(
                "MRZ_NAME",
                "The name field contains digits; MRZ names hold only letters and '<'.",
                positions=(spec.start + first + 1, spec.start + last + 1),
                **where,
            )
        )
    if parsed.no_primary:
        findings.append(
            make_finding(
                "MRZ_NAME_STRUCTURE",
                "The name field starts with a filler: there is no primary identifier (surname).",
                positions=(spec.start + 1, spec.start + 2),
                **where,
            )
        )
    if parsed.extra_separators:
        findings.append(
            make_finding(
                "MRZ_NAME_STRUCTURE",
                "The name field has more than one '<<' separator or a run of fillers inside "
                "the name.",
                **where,
            )
        )
    if parsed.possibly_truncated:
        findings.append(
            make_finding(
                "MRZ_NAME_TRUNCATED",
                "The name reaches the last position of the field and may be truncated; the "
                "printed page shows the full name.",
                positions=(spec.end, spec.end),
                **where,
            )
        )
    return findings
