"""Finding the MRZ band: pages at any angle, and lines run together by blur."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from screening.imaging.locate import ALL_ANGLES, FAST_ANGLES, find_bands, text_map
from screening.imaging.psf import motion_kernel
from screening.imaging.read import read_mrz

FONT = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
LINES = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)


@cache
def _page() -> np.ndarray:
    """A plain page at about 200 dpi: a few lines of printed text and the MRZ."""
    image = Image.new("L", (1000, 700), 225)
    draw = ImageDraw.Draw(image)
    label = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 22)
    for k, text in enumerate(("PASSPORT  UTOPIA", "ERIKSSON", "ANNA MARIA", "12 AUG 1974")):
        draw.text((380, 90 + 60 * k), text, font=label, fill=50)
    mrz = ImageFont.truetype(FONT, 25)  # 2.54 mm pitch at about 200 dpi
    for k, line in enumerate(LINES):
        draw.text((50, 520 + 33 * k), line, font=mrz, fill=30)
    return np.asarray(image)


def _turned(gray: np.ndarray, angle: float) -> np.ndarray:
    h, w = gray.shape
    side = int(np.hypot(h, w)) + 20
    canvas = np.full((side, side), 110, np.uint8)
    y0, x0 = (side - h) // 2, (side - w) // 2
    canvas[y0 : y0 + h, x0 : x0 + w] = gray
    turn = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    return cv2.warpAffine(canvas, turn, (side, side), borderValue=110)


@pytest.mark.parametrize("angle", [0, 20, 45, 70, 135, 200, 290])
def test_a_page_at_any_angle_is_read(angle: float) -> None:
    gray = _turned(_page(), angle)
    read = read_mrz(gray, robust=True)
    assert read is not None
    assert read.texts == list(LINES)


def test_upright_and_quarter_turned_pages_need_only_the_fast_angles() -> None:
    assert FAST_ANGLES == (0.0, 90.0)
    assert set(FAST_ANGLES) < set(ALL_ANGLES)
    for angle in (0, 90, 180, 270):
        read = read_mrz(_turned(_page(), angle))
        assert read is not None and read.texts == list(LINES)


def test_a_page_at_45_degrees_is_missed_by_the_fast_angles_alone() -> None:
    read = read_mrz(_turned(_page(), 45))
    assert read is None or read.texts != list(LINES)


def test_lines_run_together_by_a_smear_across_them_are_split() -> None:
    smeared = cv2.filter2D(_page(), -1, motion_kernel(16, 90))
    text = text_map(smeared)

    def two_line_bands(split: bool) -> list[tuple[float, float]]:
        bands = find_bands(smeared, 6, 0.0, text, split_rows=split)
        return [
            (band.lines[0].center[1], band.lines[1].center[1])
            for band in bands
            if len(band.lines) == 2 and band.lines[0].length > 700
        ]

    assert two_line_bands(split=False) == []
    found = two_line_bands(split=True)
    assert found
    top, bottom = sorted(found[0])
    # The rows of the two MRZ lines (their glyph centres are about 533 and 566).
    assert top == pytest.approx(533, abs=6) and bottom == pytest.approx(566, abs=6)
