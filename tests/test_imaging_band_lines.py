"""The lines of a band: one reading direction for all, and a TD1 line glare left short."""

from __future__ import annotations

import numpy as np
import pytest

from screening.imaging.locate import TextLine, _along, _with_faded_line

UP = (1.0, 0.0)


def _line(x: float, y: float, length: float = 600.0, height: float = 20.0) -> TextLine:
    return TextLine(center=(x, y), direction=UP, length=length, height=height)


@pytest.mark.parametrize("tilt_deg", [-1.5, 0.0, 1.5])
def test_a_line_pointing_the_other_way_is_turned_to_the_bands_direction(tilt_deg: float) -> None:
    # Lines of a page turned by a quarter run along y; a degree either side of vertical
    # gave two lines of one band opposite signs.
    t = np.deg2rad(90.0 + tilt_deg)
    first = TextLine((0.0, 0.0), (float(np.cos(t)), float(np.sin(t))), 600.0, 20.0)
    flipped = TextLine((40.0, 0.0), (-float(np.cos(t)), -float(np.sin(t))), 600.0, 20.0)
    assert np.dot(_along(flipped, first).direction, first.direction) > 0.99
    assert _along(first, first) is first


def test_a_short_line_at_the_bands_spacing_completes_a_td1() -> None:
    a, b = _line(500, 300), _line(500, 335)
    faded = _line(600, 265, length=300)  # the right half of the first line, above a
    band = _with_faded_line((a, b), [a, b, faded])
    assert band is not None and len(band) == 3
    third = band[0]
    assert third.length == pytest.approx(600.0)
    assert third.center == pytest.approx((500.0, 265.0))
    assert band[1:] == (a, b)


def test_a_short_line_below_the_band_completes_it_below() -> None:
    a, b = _line(500, 300), _line(500, 335)
    band = _with_faded_line((a, b), [a, b, _line(420, 370, length=250)])
    assert band is not None and band[:2] == (a, b)
    assert band[2].center == pytest.approx((500.0, 370.0))


@pytest.mark.parametrize(
    "other",
    [
        _line(600, 240, length=300),  # not at the band's spacing
        _line(900, 265, length=300),  # reaching past the band's end: other text
        _line(500, 265, length=100),  # a speck, not a line
        _line(500, 265, length=600),  # a full line: an ordinary 3-line band
        _line(600, 265, length=300, height=60),  # a title, not an MRZ line
    ],
)
def test_other_text_near_a_band_is_no_faded_line(other: TextLine) -> None:
    a, b = _line(500, 300), _line(500, 335)
    assert _with_faded_line((a, b), [a, b, other]) is None
