"""Counts per cell, read from the store with two grouped queries: the input of the vector.

A *cell* is (month, checkpoint, direction, nationality, route, origin). For each cell the
cube holds the traffic (screenings), the events per indicator (``fraud_any`` and each
fraud category) and the distinct documents per indicator: a handful of travellers who
cross again and again with the same sign count once each, not once per crossing. An
event without a document hash (no MRZ read) counts as its own document.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from screening.indicators.event import ROUTE_SEPARATOR
from screening.indicators.store import EventStore, Window
from screening.indicators.taxonomy import Classification, Taxonomy, classify, load_taxonomy

FRAUD_ANY = "fraud_any"
UNKNOWN = "UNK"


class Cell(NamedTuple):
    month: str
    checkpoint: str | None
    direction: str | None
    nationality: str
    route: tuple[str, ...]
    origin: str | None

    @property
    def in_traffic(self) -> bool:
        """Counted in traffic baselines: we know where and which way it was screened."""
        return self.checkpoint is not None and self.direction is not None


@dataclass
class Cube:
    traffic: Counter[Cell] = field(default_factory=Counter)
    events: dict[Cell, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    documents: dict[Cell, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    primary: dict[Cell, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    codes: Counter[str] = field(default_factory=Counter)
    discounted: int = 0

    @property
    def months(self) -> list[str]:
        return sorted({cell.month for cell in self.traffic})

    @property
    def total(self) -> int:
        return sum(self.traffic.values())


def _cell(row: tuple) -> Cell:
    month, checkpoint, direction, nationality, route, origin = row[:6]
    return Cell(
        str(month),
        checkpoint or None,
        direction or None,
        nationality or UNKNOWN,
        tuple(route.split(ROUTE_SEPARATOR)) if route else (),
        origin or None,
    )


def indicators_of(classification: Classification) -> tuple[str, ...]:
    if not classification.is_fraud:
        return ()
    fraud = [c for c in classification.categories if c in load_taxonomy().fraud]
    return (FRAUD_ANY, *fraud)


def build_cube(store: EventStore, window: Window, taxonomy: Taxonomy | None = None) -> Cube:
    tax = taxonomy or load_taxonomy()
    cube = Cube()
    classes: dict[str, Classification] = {}
    for row in store.cell_counts(window):
        cell, codes, count = _cell(row), row[6] or "", int(row[7])
        if codes not in classes:
            classes[codes] = classify(codes.split(), tax)
        klass = classes[codes]
        cube.traffic[cell] += count
        cube.primary[cell][klass.primary] += count
        cube.discounted += count if klass.discounted else 0
        for code in codes.split():
            cube.codes[code] += count
        for indicator in indicators_of(klass):
            cube.events[cell][indicator] += count
    flagged = [codes for codes, klass in classes.items() if klass.is_fraud]
    for number, row in enumerate(store.flagged_documents(window, flagged)):
        cell, codes, doc_hash = _cell(row), row[6] or "", row[7]
        key = doc_hash or f"event:{number}"
        for indicator in indicators_of(classes[codes]):
            cube.documents[cell][indicator].add(key)
    return cube
