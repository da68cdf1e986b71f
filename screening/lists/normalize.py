"""Normalisation of the three identifying fields, shared by import and lookup.

Both sides must reduce a document to the same key, or a listed number is missed:

- issuing state: upper case, MRZ fillers dropped (``D<<`` -> ``D``); the store keys it
  padded back to three characters so that the key splits unambiguously.
- document type: only the **first letter** is kept. ICAO 9303 fixes the first letter
  (``P`` passport, ``I``/``A``/``C`` ID cards, ``V`` visa) but leaves the second to the
  issuer (``PN``, ``PD``, ``PO``, ``P<``); feeds usually carry ``P`` alone, so
  comparing full codes would miss a ``PN`` passport listed as ``P``.
- document number: upper case, spaces and trailing ``<`` fillers dropped.
"""

from __future__ import annotations

import re

from screening.errors import BadArgumentsError
from screening.mrz.countries import country_codes
from screening.safe_text import excerpt

NUMBER_RE = re.compile(r"[A-Z0-9]{1,24}")
_TAIL_DIGITS_RE = re.compile(r"^(.*?)(\d+)$")


def normalize_state(value: str) -> str:
    return value.strip().upper().rstrip("<")


def state_key(state: str) -> str:
    """Three characters, as in the MRZ (``D`` -> ``D<<``)."""
    return state.ljust(3, "<")


def normalize_type(value: str | None) -> str | None:
    """First letter of the document code, or ``None`` when unknown/empty."""
    if not value:
        return None
    first = value.strip().upper()[:1]
    return first if first.isalpha() and first.isascii() else None


def normalize_number(value: str) -> str:
    return "".join(value.split()).upper().rstrip("<")


def checked_query(
    issuing_state: str, document_type: str | None, document_number: str
) -> tuple[str, str | None, str]:
    """(state, type, number) of a lookup, normalised as at import, or BadArgumentsError.

    A query no list can hold is an error, never a clean "none": an unknown state code, a
    number with a character outside A-Z 0-9 (a Cyrillic look-alike letter), an empty
    number or one longer than any document number. Import refuses the same values.
    """
    # ASCII before upper-casing: 'ı'.upper() is 'I', and a look-alike is no code.
    state = normalize_state(issuing_state)
    if not issuing_state.isascii() or state not in country_codes():
        raise BadArgumentsError(f"issuing state {excerpt(issuing_state)} is not an ICAO code")
    number = normalize_number(document_number)
    if not (document_number.isascii() and NUMBER_RE.fullmatch(number)):
        raise BadArgumentsError(
            f"document number {excerpt(document_number)} must be 1-24 characters A-Z, 0-9"
        )
    dtype = normalize_type(document_type)
    if document_type and document_type.strip() and dtype is None:
        raise BadArgumentsError(
            f"document type {excerpt(document_type)} is not a document code (P, I, A, C, V...)"
        )
    return state, dtype, number


def split_series_number(number: str) -> tuple[str, int, int] | None:
    """``AN1234000`` -> (``AN``, 1234000, 7): prefix, numeric tail, tail width.

    The width keeps leading zeros meaningful: ``A0012`` and ``A12`` are different
    documents, so a series only matches numbers of the same width.
    """
    match = _TAIL_DIGITS_RE.match(number)
    if match is None:
        return None
    prefix, digits = match.groups()
    return prefix, int(digits), len(digits)


def format_series_number(prefix: str, value: int, width: int) -> str:
    return f"{prefix}{value:0{width}d}"
