"""Pages that do not belong to the booklet. Pure: works on what was measured per page.

- **number**: where the edition prints the passport number on every page, the number
  read on a page is compared with the data page's. OCR confuses look-alikes (A/4, O/0,
  B/8...) and may lose a character at either end, so a read counts as a different number
  only when, at its best alignment with the data page's number, at least two characters
  differ that no OCR confusion explains.
- **tint**, **pattern**, **font**: a page whose paper colour, background-print spectrum
  or page-number glyphs stand far out from the booklet's other pages (robust z-score
  against the median and spread of all pages, with a floor on the spread so that a
  booklet of near-identical pages does not turn noise into signs).

A visual sign alone is weak (stamps, a capture that differs image to image, a smudged
page number all move it), and a page never leaves a booklet alone: a leaf from another
booklet brings both its sides. So a page is reported when its leaf partner (the other
side of the same leaf) shows a sign of the same kind; where the partner is not in the
scan or its number is unknown, when the page shows two signs or one very strong one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from screening.booklet.paper import PaperFeatures

CONFUSABLE = [set(p) for p in ("A4", "0OQD", "1IL7T", "5S", "8B", "2Z", "6G", "9g")]
MIN_DIFFERENT = 2
Z_SIGN = 4.5
Z_STRONG = 9.0
FLOORS = {"tint": 0.0025, "pattern": 0.03, "font": 0.05}
MIN_PAGES = 5  # fewer pages than this: no basis for "stands out"


@dataclass(slots=True)
class PageEvidence:
    index: int  # page index in the booklet (scan order)
    number: int | None  # page number (read or inferred)
    passport_number: str | None
    passport_confidence: float
    paper: PaperFeatures | None
    font: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Verdict:
    index: int
    number_mismatch: str | None = None  # the foreign number read
    signs: dict[str, float] = field(default_factory=dict)  # sign -> z-score

    @property
    def visual(self) -> list[str]:
        return [s for s in ("tint", "pattern", "font") if s in self.signs]


def _confusable(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in CONFUSABLE)


def number_differs(read: str, expected: str) -> bool:
    """True when ``read`` cannot be ``expected`` misread (see the module docstring)."""
    read, expected = read.upper(), expected.upper()
    best = None
    for shift in range(-2, 3):
        overlap = 0
        differ = 0
        for i, ch in enumerate(read):
            j = i + shift
            if 0 <= j < len(expected):
                overlap += 1
                differ += not _confusable(ch, expected[j])
        if overlap >= min(6, len(expected)):
            best = differ if best is None else min(best, differ)
    return best is not None and best >= MIN_DIFFERENT


def _robust_z(values: np.ndarray, floor: float) -> np.ndarray:
    """How far each page stands from the booklet's median, in robust spreads."""
    centre = np.median(values, axis=0)
    distance = (
        np.linalg.norm(values - centre, axis=1) if values.ndim > 1 else np.abs(values - centre)
    )
    typical = float(np.median(distance))
    spread = 1.4826 * float(np.median(np.abs(distance - typical)))
    return (distance - typical) / max(spread, floor)


def judge(pages: list[PageEvidence], passport_number: str | None) -> list[Verdict]:
    """A verdict per page that shows any sign (pages without signs are left out)."""
    verdicts = {p.index: Verdict(p.index) for p in pages}
    if passport_number:
        for page in pages:
            if page.passport_number and number_differs(page.passport_number, passport_number):
                verdicts[page.index].number_mismatch = page.passport_number
    measured = [p for p in pages if p.paper is not None]
    if len(measured) >= MIN_PAGES:
        tints = np.array([p.paper.tint for p in measured])  # type: ignore[union-attr]
        patterns = np.array([p.paper.pattern for p in measured])  # type: ignore[union-attr]
        for name, values in (("tint", tints), ("pattern", patterns)):
            z = _robust_z(values, FLOORS[name])
            for page, score in zip(measured, z, strict=True):
                if score >= Z_SIGN:
                    verdicts[page.index].signs[name] = round(float(score), 1)
    fonted = [p for p in pages if p.font]
    if len(fonted) >= MIN_PAGES:
        keys = ("stroke_ratio", "width_ratio", "height_mm")
        values = np.array([[p.font[k] for k in keys] for p in fonted])
        values = values / np.maximum(np.median(values, axis=0), 1e-6)
        z = _robust_z(values, FLOORS["font"])
        for page, score in zip(fonted, z, strict=True):
            if score >= Z_SIGN:
                verdicts[page.index].signs["font"] = round(float(score), 1)
    return [v for v in verdicts.values() if v.number_mismatch or v.signs]


def foreign_pages(verdicts: list[Verdict], numbers: dict[int, int | None]) -> list[Verdict]:
    """The verdicts strong enough to report as a page from elsewhere (visual signs)."""
    by_number = {numbers.get(v.index): v for v in verdicts if numbers.get(v.index) is not None}
    in_scan = {n for n in numbers.values() if n is not None}
    out = []
    for verdict in verdicts:
        signs = verdict.visual
        if not signs:
            continue
        number = numbers.get(verdict.index)
        partner_number = None if number is None else number + 1 if number % 2 else number - 1
        partner = by_number.get(partner_number)
        if partner is not None and set(partner.visual) & set(signs):
            out.append(verdict)
        elif partner_number not in in_scan:
            strong = any(verdict.signs[s] >= Z_STRONG for s in signs)
            if len(signs) >= 2 or strong:
                out.append(verdict)
    return out
