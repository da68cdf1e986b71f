"""ICAO 9303 Part 3 country codes, read from ``screening/data/icao_codes.csv``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class CountryCode:
    code: str
    name: str
    kind: str  # "state", "special", "specimen" or "withdrawn"


@cache
def country_codes() -> dict[str, CountryCode]:
    text = resources.files("screening.data").joinpath("icao_codes.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["code"]: CountryCode(row["code"], row["name"], row["kind"]) for row in rows}


def lookup_country(field: str) -> CountryCode | None:
    """The code in a 3-character MRZ field (``D<<`` is Germany), or ``None`` if unknown."""
    return country_codes().get(field.rstrip("<"))
