"""Property tests: what we compose validates; check digits catch what ICAO guarantees."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.findings import Verdict
from screening.mrz import MrzData, check_mrz, compose_mrz
from screening.mrz.checkdigit import char_value
from screening.mrz.formats import FORMATS_BY_NAME
from screening.settings import Settings

TODAY = date(2026, 11, 28)
SETTINGS = Settings(today=TODAY)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATES = ["KGZ", "KAZ", "TJK", "UZB", "RUS", "BGD", "PAK", "AFG", "IND", "CHN", "IRQ", "LKA", "D"]
DOC_TYPES = {
    "TD1": ["I", "ID", "AC", "IR"],
    "TD2": ["I", "ID", "AC"],
    "TD3": ["P", "PN", "PO"],
    "MRVA": ["V", "VN"],
    "MRVB": ["V", "VC"],
}


def yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


@st.composite
def mrz_data(draw: st.DrawFn, max_number: int = 9) -> MrzData:
    fmt = draw(st.sampled_from(sorted(FORMATS_BY_NAME)))
    expiry = draw(st.dates(TODAY, TODAY + timedelta(days=365 * 9)))
    birth = draw(st.dates(date(1930, 1, 1), TODAY - timedelta(days=1)))
    optional_len = {"TD1": 15, "TD2": 7, "TD3": 14, "MRVA": 16, "MRVB": 8}[fmt]
    number = draw(st.text(ALNUM, min_size=1, max_size=max_number))
    if len(number) > 9:
        optional_len = max(0, optional_len - (len(number) - 9) - 2)
    return MrzData(
        format=fmt,
        document_type=draw(st.sampled_from(DOC_TYPES[fmt])),
        issuing_country=draw(st.sampled_from(STATES)),
        surname=draw(st.text(LETTERS, min_size=1, max_size=25)),
        given_names=draw(st.text(LETTERS + " ", max_size=20)),
        document_number=number,
        nationality=draw(st.sampled_from(STATES)),
        birth_date=yymmdd(birth),
        sex=draw(st.sampled_from("MF<")),
        expiry_date=yymmdd(expiry),
        optional_data=draw(st.text(ALNUM, max_size=optional_len)),
    )


@settings(max_examples=300, deadline=None)
@given(mrz_data(max_number=12))
def test_every_composed_mrz_validates(data: MrzData) -> None:
    if data.format in ("TD3", "MRVA", "MRVB") and len(data.document_number) > 9:
        data = dataclasses.replace(data, document_number=data.document_number[:9])
    report = check_mrz(compose_mrz(data), SETTINGS)
    assert report.mrz_valid, [f.to_dict() for f in report.findings]
    assert report.verdict is Verdict.CLEAR, [f.to_dict() for f in report.findings]
    assert report.fields["document_number"] == data.document_number.rstrip("<")
    assert report.fields["birth_date_raw"] == data.birth_date


@settings(max_examples=400, deadline=None)
@given(mrz_data(), st.data())
def test_single_substitution_in_a_checked_field_is_caught(
    data: MrzData, draw: st.DataObject
) -> None:
    """7-3-1 weights are coprime to 10, so a substitution is caught exactly when the two
    characters' values differ by a non-multiple of 10 (Doc 9303 Part 3, 4.9). Changes such
    as A<->K (10 vs 20) or 0<->< (0 vs 0) are the documented blind spot, not tested here."""
    lines = compose_mrz(data)
    fmt = FORMATS_BY_NAME[data.format]
    check = draw.draw(st.sampled_from([c for c in fmt.checks if c.name != "composite"]))
    line, start, end = check.spans[0]
    index = draw.draw(st.integers(start, end - 1))
    old = lines[line][index]
    new = draw.draw(
        st.sampled_from([c for c in ALNUM + "<" if (char_value(c) - char_value(old)) % 10])
    )
    mutated = list(lines)
    mutated[line] = lines[line][:index] + new + lines[line][index + 1 :]
    report = check_mrz(mutated, SETTINGS)
    assert not report.check_digits[check.name]["valid"] or (
        check.name == "optional_data"
        and (
            # An emptied personal number may legitimately carry '<' or '0'.
            set(mutated[line][start:end]) == {"<"}
        )
    )
    assert report.verdict is Verdict.ALERT
