"""Folds and stubs on drawn arrays: a spread splits at its fold, a single page does not,
a torn edge beside the fold is a stub and background lines are not."""

from __future__ import annotations

import numpy as np
import pytest

from screening.booklet.geometry import PX_PER_MM, split_pages
from screening.booklet.stubs import StubEvidence, find_stub, repeated_edges


def _paper(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    page = np.full((h, w, 3), (226, 232, 238), np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    page -= 10 * (np.sin(xx / 9.0 + np.sin(yy / 23.0)) > 0.9)[..., None]  # wavy print
    page += rng.normal(0, 1.5, size=(h, w, 1))
    return page


def _on_bed(page: np.ndarray) -> np.ndarray:
    bed = np.full((page.shape[0] + 60, page.shape[1] + 60, 3), 250, np.float32)
    bed[30:-30, 30:-30] = page
    return np.clip(bed, 0, 255).astype(np.uint8)


def test_a_spread_splits_at_its_fold() -> None:
    rng = np.random.default_rng(3)
    h, w = 500, 352  # a 125 x 88 mm page at 4 px/mm
    spread = np.concatenate([_paper(h, w, rng), _paper(h, w, rng)], axis=1)
    xs = np.arange(2 * w)
    spread *= (1 - 0.3 * np.exp(-np.abs(xs - w) / 8.0))[None, :, None]
    split = split_pages(_on_bed(spread))
    assert [p.side for p in split.pages] == ["left", "right"]
    assert split.fold_band is not None
    left_w = split.pages[0].region[2]
    assert abs(left_w - w) < 0.05 * w


def test_a_single_page_stays_whole() -> None:
    rng = np.random.default_rng(4)
    split = split_pages(_on_bed(_paper(500, 352, rng)))
    assert [p.side for p in split.pages] == ["single"]
    assert min(split.pages[0].bgr.shape[:2]) == pytest.approx(88 * PX_PER_MM, abs=2)


def _band(rng: np.random.Generator) -> np.ndarray:
    h, w = 1000, int(2 * 16 * PX_PER_MM)
    band = np.full((h, w), 228.0) + rng.normal(0, 2, size=(h, w))
    yy, xx = np.mgrid[0:h, 0:w]
    band -= 14 * (np.sin(yy / 6.0 + 0.3 * xx) > 0.95)  # background lines
    band[:, w // 2 - 2 : w // 2 + 2] -= 40  # the fold
    return band


def test_a_torn_edge_beside_the_fold_is_a_stub() -> None:
    rng = np.random.default_rng(5)
    band = _band(rng)
    fold = band.shape[1] // 2
    edge = fold + (5 * PX_PER_MM + np.cumsum(rng.normal(0, 0.4, band.shape[0]))).astype(int)
    for y, x in enumerate(edge):
        band[y, fold + 2 : x] = 238  # the stub's paper
        band[y, x : x + 3] -= 45  # its shadow on the page below
    evidence = find_stub(band.astype(np.uint8))
    assert evidence is not None and evidence.found and evidence.side == "right"
    assert 2.0 < evidence.distance_mm[0] < evidence.distance_mm[1] < 10.0


def test_background_print_is_no_stub() -> None:
    evidence = find_stub(_band(np.random.default_rng(6)).astype(np.uint8))
    assert evidence is not None and not evidence.found


def test_the_gutter_shading_is_no_stub() -> None:
    """The fold's shadow darkens steadily towards the fold on both pages: its strongest
    gradient lies at the fold, so no path beside it is a crest."""
    band = _band(np.random.default_rng(7))
    xs = np.abs(np.arange(band.shape[1]) - band.shape[1] // 2) / PX_PER_MM
    band *= (1 - 0.45 * np.exp(-xs / 1.6))[None, :]
    evidence = find_stub(np.clip(band, 0, 255).astype(np.uint8))
    assert evidence is not None and not evidence.found


def test_a_rule_printed_on_both_pages_is_no_stub() -> None:
    band = _band(np.random.default_rng(8))
    fold = band.shape[1] // 2
    for x in (fold - int(6 * PX_PER_MM), fold + int(6 * PX_PER_MM)):
        band[:, x : x + 3] -= 60  # the page design's frame line at the inner margin
    evidence = find_stub(np.clip(band, 0, 255).astype(np.uint8))
    assert evidence is not None and evidence.mirrored and not evidence.found


def _stub(middle_mm: float) -> StubEvidence:
    return StubEvidence("right", 6.0, 0.9, (middle_mm - 1.0, middle_mm + 1.0))


@pytest.mark.parametrize(
    ("middles", "binding"),
    [
        ([5.0, None, None, None, None, None], set()),  # one torn leaf
        ([5.0, None, 9.0, None, None, None], set()),  # two, apart
        ([5.0, 5.5, 4.8, None, 5.2, None], {0, 1, 2, 4}),  # the same edge on most spreads
        ([5.0, 5.5, 4.8, None, None, None, None, None], set()),  # three of eight: not most
    ],
)
def test_an_edge_on_most_spreads_is_the_binding(
    middles: list[float | None], binding: set[int]
) -> None:
    found = [None if m is None else _stub(m) for m in middles]
    assert repeated_edges(found) == binding


def test_a_quarter_turned_data_page_shows_its_mrz_at_90_degrees() -> None:
    """A phone held the other way: the data page lies on its side. Its MRZ lines run
    along y; the booklet looks for them there when no page showed them upright."""
    import cv2

    from fixtures.identity import random_spec
    from fixtures.specimens import render_specimen
    from screening.booklet.geometry import mrz_band

    spec = random_spec(np.random.default_rng(11), format="TD3", dpi=150)
    gray = cv2.cvtColor(render_specimen(spec, seed=11).image, cv2.COLOR_BGR2GRAY)
    assert mrz_band(gray) is not None
    turned = cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE)
    assert mrz_band(turned) is None
    _, _, w, h = mrz_band(turned, angle=90.0) or (0, 0, 0, 0)
    assert h > 3 * w > 0  # a band along the page's long side, now upright in the image
