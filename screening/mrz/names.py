"""The MRZ name field: ``PRIMARY<<SECONDARY``, components joined by ``<``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParsedName:
    surname: str
    given_names: str
    no_primary: bool  # the field starts with a filler: no primary identifier
    possibly_truncated: bool
    digits: tuple[int, ...]  # 0-based indexes of digits in the field
    extra_separators: int  # further "<<" after the primary/secondary one
    empty: bool


def parse_name(field: str) -> ParsedName:
    body = field.rstrip("<")
    primary, _, secondary = body.partition("<<")
    # A run of three or more fillers inside the name, or a second "<<", is not a
    # structure ICAO 9303 produces; keep the text but count it for a warning.
    extra = secondary.count("<<")
    surname = " ".join(part for part in primary.split("<") if part)
    given = " ".join(part for part in secondary.split("<") if part)
    return ParsedName(
        surname=surname,
        given_names=given,
        no_primary=field.startswith("<") and not field.startswith("<" * len(field)),
        possibly_truncated=bool(field) and field[-1] != "<",
        digits=tuple(i for i, c in enumerate(field) if c.isdigit()),
        extra_separators=extra,
        empty=not body.strip("<"),
    )
