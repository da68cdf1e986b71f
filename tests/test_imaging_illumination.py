"""Light flattening (glare, shadows) and the MRZ reader's second, flattened attempt."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from screening.imaging.illumination import flatten_light
from screening.imaging.load import load_image
from screening.imaging.mrz_image import MrzStatus, _read_gray, read_image_mrz

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"


def _page_with_glare() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grey page, dark text on two lines, a strong glare spot over the right half of
    the text; and the masks of the glyph pixels inside and outside the glare."""
    page = np.full((400, 900), 200, np.uint8)
    for y in (150, 230):
        cv2.putText(
            page,
            "P<KGZOSMONOV<<ADILET<<<",
            (30, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            1.4,
            60,
            3,
            cv2.LINE_AA,
        )
    ink = page < 130
    yy, xx = np.mgrid[0:400, 0:900]
    spot = np.exp(-((xx - 650) ** 2 + (yy - 190) ** 2) / (2 * 110.0**2))
    lit = page + (255 - page) * 0.93 * spot
    glared = np.clip(lit, 0, 255).astype(np.uint8)
    in_glare = ink & (spot > 0.8)
    outside = ink & (spot < 0.05)
    return glared, in_glare, outside


def test_flattening_gives_faded_ink_its_contrast_back() -> None:
    glared, in_glare, outside = _page_with_glare()

    def depth(img: np.ndarray, mask: np.ndarray) -> float:
        return float(np.median(np.median(img[20:60, 20:200]) - img[mask].astype(float)))

    before = depth(glared, in_glare) / depth(glared, outside)
    assert before < 0.3  # the glare has washed the ink out
    flat = flatten_light(glared, 0.02)
    after = depth(flat, in_glare) / depth(flat, outside)
    assert after > 0.55 and after > 2.5 * before  # faded ink nearly as dark as the rest
    assert flat[20:60, 20:200].mean() > 200  # paper stays paper


def test_a_page_read_only_after_flattening_the_light() -> None:
    truth = json.loads((SAMPLES / "td3-kgz-hard-flattened.json").read_text("utf-8"))
    gray = load_image(SAMPLES / "td3-kgz-hard-flattened.jpg").gray
    assert _read_gray(gray, use_tesseract=True).status is not MrzStatus.FOUND
    result = read_image_mrz(gray)
    assert result.status is MrzStatus.FOUND and result.light_flattened
    assert result.lines == truth["mrz_lines"]


def test_under_glare_a_failing_check_digit_is_a_rescan_not_a_forgery() -> None:
    # A printed wrong check digit, read clearly: reported as found (then MRZ_CHECK_DIGIT)
    # on a first attempt; on a flattened attempt the same read is only "unreadable".
    gray = load_image(SAMPLES / "td2-lka-mild-wrong-birth.jpg").gray
    assert _read_gray(gray, use_tesseract=True).status is MrzStatus.FOUND
    assert _read_gray(gray, True, under_glare=True).status is MrzStatus.UNREADABLE
