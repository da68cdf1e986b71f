"""Substituted pages: the passport number compared with OCR confusions allowed, and
visual signs judged against the booklet's own pages."""

from __future__ import annotations

import numpy as np
import pytest

from screening.booklet.integrity import PageEvidence, foreign_pages, judge, number_differs
from screening.booklet.paper import PaperFeatures


@pytest.mark.parametrize(
    ("read", "expected", "differs"),
    [
        ("A1328165", "A1328165", False),
        ("41328165", "A1328165", False),  # A read as 4
        ("A1328I65", "A1328165", False),  # 1 read as I
        ("1328165", "A1328165", False),  # first character lost
        ("A7217346", "A1328165", True),  # another booklet
        ("A1328175", "A1328165", False),  # one plain misread digit is not enough
        ("A1329175", "A1328165", True),
    ],
)
def test_number_differs(read: str, expected: str, differs: bool) -> None:
    assert number_differs(read, expected) is differs


def _page(
    i: int, tint: tuple[float, float], pattern: np.ndarray, stroke: float = 0.2
) -> PageEvidence:
    features = PaperFeatures(tint, pattern / np.linalg.norm(pattern), 0.8)
    font = {"height_mm": 2.6, "stroke_ratio": stroke, "width_ratio": 0.6}
    return PageEvidence(i, i + 3, None, 0.0, features, font)


def test_a_page_with_another_tint_and_font_is_foreign() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=36)
    pages = [
        _page(i, (0.345 + rng.normal(0, 0.0005), 0.337), base + rng.normal(0, 0.01, 36))
        for i in range(12)
    ]
    # Pages 9 and 10 (indices 6 and 7) are the two sides of one leaf from elsewhere.
    pages[6] = _page(6, (0.36, 0.33), base + rng.normal(0, 0.01, 36), stroke=0.3)
    pages[7] = _page(7, (0.36, 0.331), base + rng.normal(0, 0.01, 36), stroke=0.3)
    verdicts = judge(pages, None)
    flagged = foreign_pages(verdicts, {p.index: p.number for p in pages})
    assert [v.index for v in flagged] == [6, 7]
    assert set(flagged[0].visual) == {"tint", "font"}


@pytest.mark.parametrize("partner_in_scan", [True, False])
def test_a_page_standing_out_alone_needs_its_leaf_partner(partner_in_scan: bool) -> None:
    # Page 9 shows two signs; its leaf partner, page 10, shows none: a leaf cannot be half
    # foreign, so the signs are taken for noise unless page 10 is not there to ask.
    rng = np.random.default_rng(3)
    base = rng.normal(size=36)
    pages = [
        _page(i, (0.345 + rng.normal(0, 0.0005), 0.337), base + rng.normal(0, 0.01, 36))
        for i in range(12)
    ]
    pages[6] = _page(6, (0.36, 0.33), base + rng.normal(0, 0.01, 36), stroke=0.3)
    numbers = {p.index: p.number for p in pages}
    if not partner_in_scan:
        numbers[7] = None
    flagged = foreign_pages(judge(pages, None), numbers)
    assert [v.index for v in flagged] == ([] if partner_in_scan else [6])


def test_alike_pages_raise_nothing() -> None:
    rng = np.random.default_rng(2)
    base = rng.normal(size=36)
    pages = [
        _page(i, (0.345 + rng.normal(0, 0.0005), 0.337), base + rng.normal(0, 0.01, 36))
        for i in range(12)
    ]
    assert foreign_pages(judge(pages, None), {p.index: p.number for p in pages}) == []


def test_number_mismatch_is_judged_per_page() -> None:
    pages = [PageEvidence(i, i + 3, "A1328165", 90.0, None) for i in range(6)]
    pages[2] = PageEvidence(2, 5, "A7217346", 90.0, None)
    verdicts = judge(pages, "A1328165")
    assert [(v.index, v.number_mismatch) for v in verdicts] == [(2, "A7217346")]
