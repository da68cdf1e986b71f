"""Undo a hand-held phone's motion blur over the MRZ band.

A straight motion smear of length ``L`` in direction ``u`` leaves two marks that can be
measured on the band itself, with no reference image:

* **direction**: the smear averages the image along ``u``, so the derivative along ``u``
  carries the least energy of all directions (printed text alone is nearly isotropic
  by this measure: strokes run every way in OCR-B);
* **length**: that derivative is a difference of two copies of the page shifted by
  ``L`` along ``u`` (each edge of a glyph becomes a step up at one end of the smear and a
  step down at the other), so its autocorrelation along ``u`` dips most deeply at a lag
  of ``L``.

Given direction and length, a Wiener filter with a line point-spread function
(:func:`screening.imaging.psf.motion_kernel`) restores the glyphs well enough for the
cell classifier (trained on such restorations too, see ``models/train_ocrb.py``). The
reader (:mod:`screening.imaging.read`) tries the estimate and its neighbours and keeps
the read that passes the check digits best.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from screening.imaging.locate import BandCandidate
from screening.imaging.psf import motion_kernel

ANGLE_STEP = 5
MAX_LENGTH = 16
# Below this anisotropy of directional derivative energy (max / min over directions)
# the band shows no motion smear worth undoing (sharp print measures 1.05-1.2).
MIN_ANISOTROPY = 1.25
NOISE_TO_SIGNAL = 0.02
MARGIN = 16  # pixels of the patch border left out of the length measure


@dataclass(frozen=True, slots=True)
class MotionBlur:
    length: float  # pixels
    angle: float  # degrees from +x towards -y (as psf.motion_kernel)
    anisotropy: float  # directional derivative energy, max / min

    @property
    def smeared(self) -> bool:
        return self.anisotropy >= MIN_ANISOTROPY and self.length >= 2


def _derivative(gx: np.ndarray, gy: np.ndarray, angle: float) -> np.ndarray:
    theta = np.deg2rad(angle)
    return gx * np.cos(theta) - gy * np.sin(theta)


def estimate_motion(patch: np.ndarray) -> MotionBlur:
    """Direction and length of a straight motion smear over ``patch`` (grey)."""
    img = patch.astype(np.float32)
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    # Energy along direction a: E(a) = cos^2 Sxx - 2 sin cos Sxy + sin^2 Syy.
    sxx, syy, sxy = float(np.mean(gx * gx)), float(np.mean(gy * gy)), float(np.mean(gx * gy))
    angles = np.arange(0, 180, ANGLE_STEP, dtype=np.float64)
    c, s = np.cos(np.deg2rad(angles)), np.sin(np.deg2rad(angles))
    energy = c * c * sxx - 2 * s * c * sxy + s * s * syy
    best = int(np.argmin(energy))
    anisotropy = float(energy.max() / max(energy[best], 1e-6))
    angle = float(angles[best])
    deriv = _derivative(gx, gy, angle)
    h, w = deriv.shape
    if h <= 2 * MARGIN + 4 or w <= 2 * MARGIN + 4:
        return MotionBlur(0.0, angle, anisotropy)
    core = deriv[MARGIN:-MARGIN, MARGIN:-MARGIN]
    power = float(np.mean(core * core)) or 1.0
    ux, uy = np.cos(np.deg2rad(angle)), -np.sin(np.deg2rad(angle))
    lags = np.arange(1, MAX_LENGTH + 1)
    corr = []
    for lag in lags:
        shift = np.float32([[1, 0, -lag * ux], [0, 1, -lag * uy]])
        moved = cv2.warpAffine(deriv, shift, (w, h), flags=cv2.INTER_LINEAR)
        corr.append(float(np.mean(core * moved[MARGIN:-MARGIN, MARGIN:-MARGIN])) / power)
    length = float(lags[int(np.argmin(corr))])
    return MotionBlur(length, angle, anisotropy)


def wiener(patch: np.ndarray, kernel: np.ndarray, nsr: float = NOISE_TO_SIGNAL) -> np.ndarray:
    """Wiener deconvolution of ``patch`` (reflect-padded against edge ringing); float32."""
    pad = 2 * max(kernel.shape)
    img = cv2.copyMakeBorder(patch.astype(np.float32), pad, pad, pad, pad, cv2.BORDER_REFLECT)
    h, w = img.shape
    kh, kw = kernel.shape
    padded = np.zeros((h, w), np.float32)
    padded[:kh, :kw] = kernel
    padded = np.roll(padded, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    otf = np.fft.rfft2(padded)
    restored = np.fft.irfft2(np.fft.rfft2(img) * np.conj(otf) / (np.abs(otf) ** 2 + nsr), s=(h, w))
    return restored[pad:-pad, pad:-pad].astype(np.float32)


def deblurred(
    gray: np.ndarray, region: tuple[int, int, int, int], length: float, angle: float
) -> np.ndarray:
    """A copy of ``gray`` with ``region`` ([x, y, w, h]) deconvolved by a motion smear."""
    x, y, w, h = region
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, gray.shape[1]), min(y + h, gray.shape[0])
    out = gray.copy()
    if x1 - x0 < 8 or y1 - y0 < 8:
        return out
    restored = wiener(gray[y0:y1, x0:x1], motion_kernel(length, angle))
    out[y0:y1, x0:x1] = np.clip(restored, 0, 255).astype(np.uint8)
    return out


def band_region(gray: np.ndarray, band: BandCandidate) -> tuple[int, int, int, int]:
    """[x, y, w, h] around a band with two line heights of margin, inside the image."""
    x, y, w, h = band.region()
    m = round(2 * max(line.height for line in band.lines))
    x0, y0 = max(x - m, 0), max(y - m, 0)
    x1, y1 = min(x + w + m, gray.shape[1]), min(y + h + m, gray.shape[0])
    return (x0, y0, x1 - x0, y1 - y0)


def band_blur(gray: np.ndarray, band: BandCandidate) -> MotionBlur:
    """The motion smear measured over a located band."""
    x, y, w, h = band_region(gray, band)
    return estimate_motion(gray[y : y + h, x : x + w])
