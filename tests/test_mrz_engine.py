"""ICAO 9303 rules of the MRZ engine, one behaviour per test."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from screening.findings import Verdict
from screening.mrz import MrzData, check_mrz, compose_mrz
from screening.settings import Settings

UTO_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
KGZ_TD3 = MrzData(
    format="TD3",
    document_type="P",
    issuing_country="KGZ",
    surname="Токтосунов",
    given_names="Айбек",
    document_number="AC1234567",
    nationality="KGZ",
    birth_date="900315",
    sex="M",
    expiry_date="300101",
    optional_data="21503199000123",
)


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


def with_char(lines: list[str], line: int, index: int, char: str) -> list[str]:
    out = list(lines)
    out[line] = out[line][:index] + char + out[line][index + 1 :]
    return out


def test_clean_current_passport_is_clear(settings: Settings) -> None:
    report = check_mrz(compose_mrz(KGZ_TD3), settings)
    assert report.format == "TD3"
    assert report.findings == []
    assert report.verdict is Verdict.CLEAR
    assert report.fields["surname"] == "TOKTOSUNOV"
    assert report.fields["given_names"] == "AIBEK"
    assert report.fields["birth_date"] == "1990-03-15"
    assert report.fields["expiry_date"] == "2030-01-01"
    assert report.fields["optional_data"] == "21503199000123"


def test_icao_td3_vector_from_the_standard(settings: Settings) -> None:
    lines = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "HA672242<6YTO5802254M9601086<<<<<<<<<<<<<<08",
    ]
    report = check_mrz(lines, settings)
    assert all(v["valid"] for v in report.check_digits.values()), report.check_digits
    # YTO is not a code: the vector exercises digits, not countries.
    assert "MRZ_COUNTRY_CODE" in codes(report)


def test_specimen_state_is_reported_but_does_not_invalidate(settings: Settings) -> None:
    report = check_mrz(UTO_TD3, Settings(today=date(2011, 1, 1)))
    assert codes(report) == {"DOC_SPECIMEN"}
    assert report.mrz_valid
    assert report.verdict is Verdict.CLEAR


@pytest.mark.parametrize(
    ("index", "field"),
    [(9, "document_number"), (19, "birth_date"), (27, "expiry_date"), (42, "optional_data")],
)
def test_each_td3_check_digit_is_verified(settings: Settings, index: int, field: str) -> None:
    lines = compose_mrz(KGZ_TD3)
    wrong = str((int(lines[1][index]) + 1) % 10)
    report = check_mrz(with_char(lines, 1, index, wrong), settings)
    failing = [f for f in report.findings if f.code == "MRZ_CHECK_DIGIT"]
    assert [f.evidence.field for f in failing] == [field]
    assert failing[0].evidence.positions == (index + 1, index + 1)
    assert "MRZ_COMPOSITE_CHECK_DIGIT" in codes(report)
    assert report.verdict is Verdict.ALERT


def test_composite_alone(settings: Settings) -> None:
    lines = compose_mrz(KGZ_TD3)
    wrong = str((int(lines[1][43]) + 5) % 10)
    report = check_mrz(with_char(lines, 1, 43, wrong), settings)
    assert codes(report) == {"MRZ_COMPOSITE_CHECK_DIGIT"}


@pytest.mark.parametrize("digit", ["<", "0"])
def test_empty_personal_number_accepts_filler_or_zero(settings: Settings, digit: str) -> None:
    data = dataclasses.replace(KGZ_TD3, optional_data="")
    lines = compose_mrz(data)
    lines = with_char(lines, 1, 42, digit)
    # The composite covers position 43, so recompute it for the variant.
    from screening.mrz.checkdigit import compute_check_digit

    body = lines[1]
    lines[1] = body[:43] + compute_check_digit(body[0:10] + body[13:20] + body[21:43])
    assert check_mrz(lines, settings).findings == []


def test_td1_long_document_number_icao_example(settings: Settings) -> None:
    lines = [
        "I<UTOD23145890<7349<<<<<<<<<<<",
        "3407127M9507122UTO<<<<<<<<<<<2",
        "STEVENSON<<PETER<JOHN<<<<<<<<<",
    ]
    report = check_mrz(lines, Settings(today=date(1994, 1, 1)))
    assert report.fields["document_number"] == "D23145890734"
    assert report.check_digits["document_number"]["valid"]
    assert report.mrz_valid


def test_td1_long_number_wrong_digit(settings: Settings) -> None:
    lines = [
        "I<UTOD23145890<7348<<<<<<<<<<<",
        "3407127M9507122UTO<<<<<<<<<<<2",
        "STEVENSON<<PETER<JOHN<<<<<<<<<",
    ]
    report = check_mrz(lines, settings)
    assert any(
        f.code == "MRZ_CHECK_DIGIT" and f.evidence.field == "document_number"
        for f in report.findings
    )


def test_compose_then_check_td1_and_td2_long_numbers(settings: Settings) -> None:
    for fmt in ("TD1", "TD2"):
        data = dataclasses.replace(
            KGZ_TD3,
            format=fmt,
            document_type="ID",
            document_number="ID12345678901",
            optional_data="",
        )
        report = check_mrz(compose_mrz(data), settings)
        assert report.fields["document_number"] == "ID12345678901", fmt
        assert report.findings == [], (fmt, report.findings)


def test_visa_has_no_composite(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, format="MRVA", document_type="V", optional_data="")
    report = check_mrz(compose_mrz(data), settings)
    assert report.format == "MRVA"
    assert "composite" not in report.check_digits
    assert report.findings == []


@pytest.mark.parametrize(
    ("issuer", "expected"),
    [
        ("BOS", {"MRZ_COUNTRY_CODE"}),
        ("ANT", {"MRZ_COUNTRY_CODE_WITHDRAWN"}),
        ("D", set()),
        ("XXA", set()),
        ("UNO", set()),
        ("EUE", set()),
        ("UTO", {"DOC_SPECIMEN"}),
        ("K1G", {"MRZ_FIELD_FORMAT"}),
    ],
)
def test_issuing_state_codes(settings: Settings, issuer: str, expected: set[str]) -> None:
    data = dataclasses.replace(KGZ_TD3, issuing_country=issuer)
    assert codes(check_mrz(compose_mrz(data), settings)) == expected


def test_document_type_mismatch_is_a_warning(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, document_type="I")
    report = check_mrz(compose_mrz(data), settings)
    assert codes(report) == {"MRZ_DOCUMENT_TYPE"}
    assert report.verdict is Verdict.REFER


def test_card_code_with_v_is_reserved_for_visas(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, format="TD1", document_type="IV", optional_data="")
    assert "MRZ_DOCUMENT_TYPE" in codes(check_mrz(compose_mrz(data), settings))


def test_invalid_calendar_date_with_correct_check_digit(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, birth_date="900230")
    report = check_mrz(compose_mrz(data), settings)
    assert codes(report) == {"MRZ_DATE"}
    assert report.fields["birth_date"] is None


def test_birth_century_resolution(settings: Settings) -> None:
    young = dataclasses.replace(KGZ_TD3, birth_date="150101")
    old = dataclasses.replace(KGZ_TD3, birth_date="451231")
    assert check_mrz(compose_mrz(young), settings).fields["birth_date"] == "2015-01-01"
    assert check_mrz(compose_mrz(old), settings).fields["birth_date"] == "1945-12-31"


def test_partial_birth_date_is_allowed(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, birth_date="90<<<<")
    report = check_mrz(compose_mrz(data), settings)
    assert codes(report) == {"MRZ_BIRTH_DATE_PARTIAL"}
    assert report.verdict is Verdict.CLEAR


def test_birth_after_expiry(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, birth_date="250101", expiry_date="240101")
    report = check_mrz(compose_mrz(data), settings)
    assert "MRZ_DATE_INCONSISTENT" in codes(report)


def test_expired_document(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, expiry_date="261127")
    report = check_mrz(compose_mrz(data), settings)
    assert codes(report) == {"DOC_EXPIRED"}
    assert report.mrz_valid  # the MRZ is fine; the document is not valid for travel
    # ... and valid through its expiry day:
    data = dataclasses.replace(KGZ_TD3, expiry_date="261128")
    assert check_mrz(compose_mrz(data), settings).findings == []


def test_validity_longer_than_the_type_allows(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, expiry_date="450101")
    assert codes(check_mrz(compose_mrz(data), settings)) == {"MRZ_VALIDITY_SPAN"}


@pytest.mark.parametrize(
    ("sex", "expected"),
    [("M", set()), ("F", set()), ("<", set()), ("X", {"MRZ_SEX_X"}), ("Q", {"MRZ_SEX"})],
)
def test_sex_field(settings: Settings, sex: str, expected: set[str]) -> None:
    data = dataclasses.replace(KGZ_TD3, sex=sex)
    assert codes(check_mrz(compose_mrz(data), settings)) == expected


def test_sex_x_refers_but_does_not_alert(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, sex="X")
    assert check_mrz(compose_mrz(data), settings).verdict is Verdict.REFER


def test_digits_in_name(settings: Settings) -> None:
    lines = with_char(compose_mrz(KGZ_TD3), 0, 6, "0")
    report = check_mrz(lines, settings)
    name = [f for f in report.findings if f.code == "MRZ_NAME"]
    assert name and name[0].evidence.positions == (7, 7)


def test_truncated_name_is_info(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, surname="A" * 30, given_names="B" * 20)
    report = check_mrz(compose_mrz(data), settings)
    assert codes(report) == {"MRZ_NAME_TRUNCATED"}
    assert report.verdict is Verdict.CLEAR


def test_empty_name(settings: Settings) -> None:
    lines = compose_mrz(KGZ_TD3)
    lines[0] = lines[0][:5] + "<" * 39
    assert "MRZ_NAME" in codes(check_mrz(lines, settings))


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [""],
        ["P<UTO"],
        ["p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<", UTO_TD3[1]],
        ["P<UTOERIKSSON  ANNA MARIA<<<<<<<<<<<<<<<<<<<", UTO_TD3[1]],
        ["P<UTOÉRIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", UTO_TD3[1]],
        [f"junk line number {i} ~!@#$%^&*()" for i in range(10)],
        ["\x00\x01\x02", "\udcff"],
        [UTO_TD3[0], UTO_TD3[1][:-1]],
    ],
)
def test_bad_input_gets_findings_not_exceptions(settings: Settings, lines: list[str]) -> None:
    report = check_mrz(lines, settings)
    assert report.verdict is Verdict.ALERT
    assert codes(report) & {"MRZ_FORMAT", "MRZ_CHARSET"}
    assert not report.mrz_valid
    report.to_dict()  # renders


def test_surrounding_whitespace_and_blank_lines_are_ignored(settings: Settings) -> None:
    report = check_mrz(["", "  " + UTO_TD3[0] + "  ", "\n", UTO_TD3[1] + "\r\n"], settings)
    assert report.format == "TD3"
    assert report.check_digits["composite"]["valid"]


def test_one_string_with_newlines(settings: Settings) -> None:
    assert check_mrz(["\n".join(UTO_TD3)], settings).format == "TD3"


def test_format_finding_names_the_shape(settings: Settings) -> None:
    lines = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<",
    ]
    finding = next(f for f in check_mrz(lines, settings).findings if f.code == "MRZ_FORMAT")
    assert "TD1" in finding.message
    assert finding.evidence.extra["line_lengths"] == [30, 30, 28]


def test_composer_joins_name_components_with_single_fillers(settings: Settings) -> None:
    data = dataclasses.replace(KGZ_TD3, surname="Ali-  Khan", given_names="A  B - C")
    lines = compose_mrz(data)
    assert lines[0].startswith("P<KGZALI<KHAN<<A<B<C<")
    assert check_mrz(lines, settings).findings == []
