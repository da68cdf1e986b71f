"""Point-spread functions of camera blur: a straight motion smear and a defocus disc.

Used to deconvolve a blurred MRZ band (:mod:`screening.imaging.deblur`) and, by the
training script ``models/train_ocrb.py``, to blur the glyphs the cell classifier learns
from, so both sides use the same model of a blur. Kernels are drawn anti-aliased on an
8x finer grid and normalised to sum 1.
"""

from __future__ import annotations

import cv2
import numpy as np

SUPERSAMPLE = 8


def motion_kernel(length: float, angle_deg: float) -> np.ndarray:
    """A straight smear in direction ``angle_deg`` (from +x, turning towards -y, i.e.
    counter-clockwise as seen on screen): a one-pixel-wide line whose ends lie ``length``
    pixels apart, with round ends (its spread is that of a box about 0.5 px longer)."""
    size = int(np.ceil(length)) + 3
    size += 1 - size % 2
    big = size * SUPERSAMPLE
    canvas = np.zeros((big, big), np.float32)
    theta = np.deg2rad(angle_deg)
    half = max(float(length), 1.0) / 2 * SUPERSAMPLE
    c = (big - 1) / 2
    dx, dy = half * np.cos(theta), -half * np.sin(theta)
    start, end = (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy))
    cv2.line(canvas, start, end, 1.0, SUPERSAMPLE, cv2.LINE_AA)
    kernel = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)
    return kernel / max(float(kernel.sum()), 1e-9)


def disc_kernel(radius: float) -> np.ndarray:
    """Defocus: a uniform disc of ``radius`` pixels."""
    size = 2 * int(np.ceil(radius)) + 3
    big = size * SUPERSAMPLE
    canvas = np.zeros((big, big), np.float32)
    centre = big // 2
    cv2.circle(canvas, (centre, centre), max(1, round(radius * SUPERSAMPLE)), 1.0, -1, cv2.LINE_AA)
    kernel = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)
    return kernel / max(float(kernel.sum()), 1e-9)
