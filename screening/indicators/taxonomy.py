"""Finding codes -> European document-fraud categories (``data/taxonomy.toml``). Pure.

:func:`classify` turns one event's finding codes into its categories and one *primary*
category (the first fraud category in the taxonomy's precedence; else the first non-fraud
one present; ``none`` for an event without findings), so that every event is counted
once in a table comparable with other countries' statistics.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

NO_FINDINGS = "none"
UNCLASSIFIED = "unclassified"  # a code the taxonomy does not know (imported from elsewhere)


@dataclass(frozen=True, slots=True)
class CodeClass:
    code: str
    category: str
    also: tuple[str, ...]
    capture_dependent: bool
    basis: str


@dataclass(frozen=True, slots=True)
class Taxonomy:
    codes: dict[str, CodeClass]
    precedence: tuple[str, ...]
    fraud: tuple[str, ...]
    not_fraud: tuple[str, ...]
    capture_quality: frozenset[str]

    def categories(self) -> tuple[str, ...]:
        return (*self.fraud, *self.not_fraud, UNCLASSIFIED, NO_FINDINGS)


@dataclass(frozen=True, slots=True)
class Classification:
    primary: str
    categories: tuple[str, ...]  # every category present, fraud ones first
    fraud_codes: tuple[str, ...]  # the codes that made it fraud (empty when not)
    discounted: bool = False  # fraud signs set aside as a likely misread

    @property
    def is_fraud(self) -> bool:
        return bool(self.fraud_codes)


@cache
def load_taxonomy() -> Taxonomy:
    text = resources.files("screening.indicators.data").joinpath("taxonomy.toml").read_text()
    raw = tomllib.loads(text)
    codes = {
        code: CodeClass(
            code,
            entry["category"],
            tuple(entry.get("also", ())),
            bool(entry.get("capture_dependent", False)),
            entry.get("basis", ""),
        )
        for code, entry in raw["codes"].items()
    }
    return Taxonomy(
        codes=codes,
        precedence=tuple(raw["precedence"]),
        fraud=tuple(raw["fraud"]),
        not_fraud=tuple(raw["not_fraud"]),
        capture_quality=frozenset(raw["capture_quality"]),
    )


def classify(codes: Iterable[str], taxonomy: Taxonomy | None = None) -> Classification:
    """Categories of one event from its finding codes.

    Fraud signs that an image misread can produce (``capture_dependent``) are set aside
    when the same event carries a capture-quality finding and no other fraud sign: a
    blurred photo with a wrong check digit is a technical event, not a forgery.
    """
    tax = taxonomy or load_taxonomy()
    codes = sorted(set(codes))
    if not codes:
        return Classification(NO_FINDINGS, (), ())
    fraud_set = set(tax.fraud)
    present: dict[str, list[str]] = {}
    for code in codes:
        entry = tax.codes.get(code)
        present.setdefault(entry.category if entry else UNCLASSIFIED, []).append(code)
    fraud_codes = [c for cat, cs in present.items() if cat in fraud_set for c in cs]
    discounted = False
    if (
        fraud_codes
        and tax.capture_quality.intersection(codes)
        and all(tax.codes[c].capture_dependent for c in fraud_codes)
    ):
        for code in fraud_codes:
            present[tax.codes[code].category].remove(code)
        present = {cat: cs for cat, cs in present.items() if cs}
        present.setdefault("technical", []).extend(fraud_codes)
        fraud_codes, discounted = [], True
    order = [*tax.precedence, *tax.not_fraud, UNCLASSIFIED]
    categories = tuple(cat for cat in order if cat in present)
    return Classification(categories[0], categories, tuple(sorted(fraud_codes)), discounted)
