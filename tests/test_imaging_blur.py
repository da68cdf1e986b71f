"""Phone photos with motion blur: house pages smeared 0-10 px in chosen directions.

Up to 7 px every page is read exactly; at 9-10 px a page is read exactly or refused
(MRZ_UNREADABLE: rescan), never reported with a wrong MRZ.
"""

from __future__ import annotations

import cv2
import pytest

from fixtures.blur import render_blurred
from screening.imaging.mrz_image import MrzStatus, read_image_mrz

# (format, smear px, direction deg, seed): every format, across directions.
CASES = [
    ("TD3", 0, 0, 11),
    ("TD1", 3, 37, 12),
    ("TD2", 5, 74, 13),
    ("TD3", 5, 120, 14),
    ("TD1", 7, 111, 15),
    ("TD2", 7, 153, 16),
    ("TD3", 7, 15, 17),
    ("TD1", 9, 148, 18),
    ("TD2", 9, 10, 19),
    ("TD3", 10, 89, 20),
    ("TD2", 10, 47, 21),
]


@pytest.mark.parametrize(
    ("fmt", "smear", "angle", "seed"), CASES, ids=[f"{c[0]}-{c[1]}px-{c[2]}deg" for c in CASES]
)
def test_blurred_phone_photo(fmt: str, smear: int, angle: int, seed: int) -> None:
    page = render_blurred(seed, fmt, motion_px=smear, angle_deg=angle)
    result = read_image_mrz(cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY))
    truth = page.truth["mrz_lines"]
    if smear <= 7:
        assert result.status is MrzStatus.FOUND
        assert result.lines == truth
    else:
        assert result.status is not MrzStatus.FOUND or result.lines == truth
