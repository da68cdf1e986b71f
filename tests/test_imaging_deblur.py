"""Motion smear: kernels, measuring it on an MRZ band, and undoing it."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from screening.imaging.deblur import estimate_motion, wiener
from screening.imaging.psf import disc_kernel, motion_kernel

FONT = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
LINES = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)


@cache
def _band() -> np.ndarray:
    """Two MRZ lines at about 150 dpi (13 px characters), dark ink on grey paper."""
    font = ImageFont.truetype(FONT, 18)
    image = Image.new("L", (640, 110), 215)
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(LINES):
        draw.text((16, 22 + 25 * k), line, font=font, fill=40)
    return np.asarray(image, dtype=np.float32)


def _smeared(length: float, angle: float, seed: int = 0) -> np.ndarray:
    blurred = cv2.filter2D(_band(), -1, motion_kernel(length, angle))
    noise = np.random.default_rng(seed).normal(0, 3, blurred.shape)
    return np.clip(blurred + noise, 0, 255).astype(np.float32)


def _angle_gap(a: float, b: float) -> float:
    gap = abs(a - b) % 180
    return min(gap, 180 - gap)


@pytest.mark.parametrize("length", [3, 7, 10])
@pytest.mark.parametrize("angle", [0, 35, 90, 150])
def test_kernel_is_a_normalised_line_of_the_given_length(length: int, angle: int) -> None:
    kernel = motion_kernel(length, angle)
    assert kernel.sum() == pytest.approx(1.0, abs=1e-5)
    ys, xs = np.indices(kernel.shape)
    theta = np.deg2rad(angle)
    along = (xs - kernel.shape[1] // 2) * np.cos(theta) - (ys - kernel.shape[0] // 2) * np.sin(
        theta
    )
    across = (xs - kernel.shape[1] // 2) * np.sin(theta) + (ys - kernel.shape[0] // 2) * np.cos(
        theta
    )
    mean = float((kernel * along).sum())
    # A uniform segment of length L has variance L^2 / 12 (the round ends add a little).
    spread = np.sqrt(12 * float((kernel * (along - mean) ** 2).sum()))
    assert length <= spread <= length + 1.2
    assert float((kernel * across**2).sum()) < 0.2  # one pixel wide
    assert disc_kernel(3.0).sum() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(
    ("length", "angle"), [(5, 0), (7, 30), (9, 90), (10, 135), (6, 170), (8, 60)]
)
def test_smear_is_measured_on_the_band(length: int, angle: int) -> None:
    blur = estimate_motion(_smeared(length, angle))
    assert blur.smeared
    assert abs(blur.length - length) <= 1
    assert _angle_gap(blur.angle, angle) <= 10


def test_a_sharp_band_shows_no_smear() -> None:
    assert not estimate_motion(_band()).smeared


def test_deconvolution_brings_the_glyphs_back() -> None:
    sharp = _band()
    smeared = _smeared(9, 40)
    restored = np.clip(wiener(smeared, motion_kernel(9, 40)), 0, 255)
    core = (slice(12, -12), slice(12, -12))

    def likeness(img: np.ndarray) -> float:
        return float(np.corrcoef(img[core].ravel(), sharp[core].ravel())[0, 1])

    assert likeness(smeared) < 0.75
    assert likeness(restored) > 0.85
