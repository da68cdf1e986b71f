"""MRZ dates (``YYMMDD``): calendar validation and century resolution.

The century is not encoded. A birth date is the latest century that does not put it in
the future; an expiry is read as 20YY unless that lies further ahead than any document's
validity could reach (then 19YY: an old, long-expired document).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class MrzDate:
    raw: str
    value: date | None
    partial: bool = False  # birth date with unknown parts filled with '<'
    absent: bool = False  # the whole field is fillers
    error: str | None = None


def _calendar_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_birth_date(raw: str, today: date) -> MrzDate:
    if raw == "<" * len(raw):
        return MrzDate(raw, None, partial=True)
    if "<" in raw:
        return _parse_partial_birth(raw)
    if not raw.isdigit():
        return MrzDate(raw, None, error=f"{raw!r} is not a YYMMDD date")
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:6])
    candidate = _calendar_date(2000 + yy, mm, dd)
    if candidate is None:
        return MrzDate(raw, None, error=f"{raw!r} is not a calendar date")
    if candidate > today:
        candidate = _calendar_date(1900 + yy, mm, dd)
        if candidate is None:  # 29 February of a year that is leap only in 20YY
            return MrzDate(raw, None, error=f"{raw!r} is not a calendar date")
    return MrzDate(raw, candidate)


def _parse_partial_birth(raw: str) -> MrzDate:
    """ICAO 9303 allows unknown parts of a birth date as fillers: ``74<<<<``, ``7408<<``."""
    parts = [raw[0:2], raw[2:4], raw[4:6]]
    known = [p for p in parts if p != "<<"]
    # Known parts must come first and be whole digits: "<<0812" is not a partial date.
    pattern_ok = all(p.isdigit() for p in known) and all(
        parts[i] == "<<" for i in range(len(known), 3)
    )
    if not pattern_ok:
        return MrzDate(raw, None, error=f"{raw!r} mixes digits and fillers")
    if len(known) >= 2 and not 1 <= int(parts[1]) <= 12:
        return MrzDate(raw, None, error=f"{raw!r} has month {parts[1]}")
    return MrzDate(raw, None, partial=True)


def parse_expiry_date(raw: str, today: date, window_years: int) -> MrzDate:
    if raw == "<" * len(raw):
        return MrzDate(raw, None, absent=True)
    if not raw.isdigit():
        return MrzDate(raw, None, error=f"{raw!r} is not a YYMMDD date")
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:6])
    year = 2000 + yy if 2000 + yy <= today.year + window_years else 1900 + yy
    candidate = _calendar_date(year, mm, dd)
    if candidate is None:
        return MrzDate(raw, None, error=f"{raw!r} is not a calendar date")
    return MrzDate(raw, candidate)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
