"""Compose MRZ lines from field values, with correct check digits.

Used by the specimen generator and by property tests; the inverse of :mod:`parse`.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from screening.mrz.checkdigit import MRZ_ALPHABET, compute_check_digit
from screening.mrz.formats import FORMATS_BY_NAME, MrzFormat


@dataclass(frozen=True, slots=True)
class MrzData:
    """Field values of one MRZ, in MRZ form (uppercase, ``YYMMDD`` dates)."""

    format: str
    document_type: str
    issuing_country: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: str
    sex: str
    expiry_date: str
    optional_data: str = ""
    optional_data_2: str = ""


@cache
def _cyrillic_table() -> dict[str, str]:
    text = resources.files("screening.data").joinpath("transliteration.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    table = {row["source"]: row["mrz"] for row in rows}
    table.update({k.lower(): v for k, v in list(table.items())})
    return table


def to_mrz_text(text: str) -> str:
    """Transliterate free text to MRZ characters (ICAO 9303 Part 3, section 6).

    Cyrillic by the ICAO table, Latin diacritics dropped, apostrophes removed, spaces and
    hyphens become fillers.
    """
    table = _cyrillic_table()
    out: list[str] = []
    for char in text:
        if char in table:
            out.append(table[char])
            continue
        if char in "'’`":
            continue
        if char in " -,.":
            out.append("<")
            continue
        base = unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in base if c.isascii()).upper())
    result = "".join(out)
    return "".join(c for c in result if c in MRZ_ALPHABET)


def name_field(surname: str, given_names: str, width: int) -> str:
    """``SURNAME<<GIVEN<NAMES`` padded with fillers, truncated to ``width``."""
    primary = _components(surname)
    secondary = _components(given_names)
    text = f"{primary}<<{secondary}" if secondary else primary
    return text[:width].ljust(width, "<")


def _components(name: str) -> str:
    """Name components joined by single fillers: runs of spaces or hyphens are one break."""
    return "<".join(part for part in to_mrz_text(name).split("<") if part)


def _pad(value: str, width: int) -> str:
    return value[:width].ljust(width, "<")


def _number_and_overflow(number: str) -> tuple[str, str, str]:
    """Number field, its check digit position, and overflow for TD1/TD2 long numbers.

    ICAO 9303 Part 5/6: the first nine characters go in the number field, ``<`` in the
    check-digit position, the rest at the start of the optional data followed by the check
    digit over the whole number and a filler that ends the number.
    """
    if len(number) <= 9:
        return _pad(number, 9), compute_check_digit(_pad(number, 9)), ""
    return number[:9], "<", number[9:] + compute_check_digit(number) + "<"


def compose_mrz(data: MrzData) -> list[str]:
    """MRZ lines for ``data`` with every check digit computed."""
    fmt: MrzFormat = FORMATS_BY_NAME[data.format]
    doc_type = _pad(data.document_type, 2)
    issuer = _pad(data.issuing_country, 3)
    nationality = _pad(data.nationality, 3)
    sex = data.sex or "<"
    birth, expiry = data.birth_date, data.expiry_date
    birth_cd, expiry_cd = compute_check_digit(birth), compute_check_digit(expiry)
    width = fmt.line_length

    if fmt.name == "TD1":
        number, number_cd, overflow = _number_and_overflow(data.document_number)
        optional = _pad(overflow + data.optional_data, 15)
        line1 = f"{doc_type}{issuer}{number}{number_cd}{optional}"
        optional2 = _pad(data.optional_data_2, 11)
        line2_head = f"{birth}{birth_cd}{sex}{expiry}{expiry_cd}{nationality}{optional2}"
        composite = compute_check_digit(
            line1[5:30] + line2_head[0:7] + line2_head[8:15] + line2_head[18:29]
        )
        line3 = name_field(data.surname, data.given_names, 30)
        return [line1, line2_head + composite, line3]

    line1 = f"{doc_type}{issuer}{name_field(data.surname, data.given_names, width - 5)}"
    if fmt.name in ("TD2",):
        number, number_cd, overflow = _number_and_overflow(data.document_number)
        optional = _pad(overflow + data.optional_data, 7)
    else:
        number = _pad(data.document_number, 9)
        number_cd = compute_check_digit(number)
        optional = data.optional_data
    head = f"{number}{number_cd}{nationality}{birth}{birth_cd}{sex}{expiry}{expiry_cd}"

    if fmt.name == "TD3":
        personal = _pad(optional, 14)
        personal_cd = compute_check_digit(personal) if personal.strip("<") else "<"
        body = head + personal + personal_cd
        composite = compute_check_digit(body[0:10] + body[13:20] + body[21:43])
        return [line1, body + composite]
    if fmt.name == "TD2":
        body = head + optional
        composite = compute_check_digit(body[0:10] + body[13:20] + body[21:35])
        return [line1, body + composite]
    # Visas: optional data to the end of the line, no composite.
    return [line1, head + _pad(optional, width - 28)]
