"""What a page's paper looks like, to tell a page from another booklet: its tint and the
texture of its background print.

- tint: the paper's chromaticity (r, g, b shares of the median paper colour), which a
  change of brightness (uneven light, exposure) leaves alone;
- pattern: the background print's spectrum (magnitude of the 2-D Fourier transform of
  the high-passed page, in bands of spatial frequency and direction), ink masked out.

Both are compared between the pages of one booklet (:mod:`screening.booklet.integrity`),
never against fixed values: every edition has its own paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from screening.booklet.geometry import PX_PER_MM
from screening.booklet.stamps import PageInk, page_ink

WORK_PX_PER_MM = PX_PER_MM / 2  # the ink map's resolution
RADIAL_BANDS = (0.15, 0.3, 0.5, 0.75, 1.05, 1.4, 2.0)  # cycles per mm
ANGLE_BANDS = 6
TILE_PX = 64  # 16 mm tiles at WORK_PX_PER_MM


@dataclass(frozen=True, slots=True)
class PaperFeatures:
    tint: tuple[float, float]  # r and g shares of the paper colour
    pattern: np.ndarray  # unit vector of log band energies
    paper_fraction: float  # share of the page that is bare paper (not ink)


def paper_features(bgr: np.ndarray, ink_map: PageInk | None = None) -> PaperFeatures:
    """Tint and print spectrum of a page (at PX_PER_MM), from its half-resolution ink map."""
    ink_map = ink_map or page_ink(bgr)
    h, w = ink_map.bgr.shape[:2]
    m = int(4 * WORK_PX_PER_MM)  # leave the page edges (shadows, the fold)
    small = ink_map.bgr[m : h - m, m : w - m]
    strength = ink_map.strength[m : h - m, m : w - m]
    bare = strength < 30
    bare = cv2.erode(bare.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    fraction = float(bare.mean())
    if bare.sum() < 100:
        bare = np.ones_like(bare)
    colour = np.median(small[bare][::7].astype(np.float32), axis=0)  # B, G, R
    total = float(colour.sum()) or 1.0
    tint = (float(colour[2] / total), float(colour[1] / total))
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
    high = gray - cv2.GaussianBlur(gray, (0, 0), 2.0 * WORK_PX_PER_MM)
    # Power spectrum averaged over tiles of bare paper: stamps and print stay out of it.
    t = TILE_PX
    window = np.outer(np.hanning(t), np.hanning(t)).astype(np.float32)
    rows, cols = high.shape[0] // t, high.shape[1] // t
    tiles = high[: rows * t, : cols * t].reshape(rows, t, cols, t).swapaxes(1, 2)
    bare_share = bare[: rows * t, : cols * t].reshape(rows, t, cols, t).mean(axis=(1, 3))
    chosen = tiles[bare_share >= 0.97]  # (tiles, t, t), all transformed in one call
    if not len(chosen):
        chosen = high[None, :t, :t]
    spectrum = np.fft.fftshift(np.abs(np.fft.fft2(chosen * window)).mean(axis=0))
    bands, count = _band_index((t, t))
    sums = np.bincount(bands.ravel(), weights=spectrum.ravel(), minlength=count + 1)[:count]
    sizes = np.bincount(bands.ravel(), minlength=count + 1)[:count]
    energies = sums / np.maximum(sizes, 1)
    vector = np.log1p(np.asarray(energies))
    vector -= vector.mean()
    norm = float(np.linalg.norm(vector)) or 1.0
    return PaperFeatures(tint, vector / norm, fraction)


@cache
def _band_index(shape: tuple[int, int]) -> tuple[np.ndarray, int]:
    """Band number of every spectrum cell (radial x direction); ``count`` for none."""
    fy = np.fft.fftshift(np.fft.fftfreq(shape[0], d=1 / WORK_PX_PER_MM))
    fx = np.fft.fftshift(np.fft.fftfreq(shape[1], d=1 / WORK_PX_PER_MM))
    yy, xx = np.meshgrid(fy, fx, indexing="ij")
    radius = np.hypot(xx, yy)
    angle = np.minimum((np.arctan2(yy, xx) % np.pi) / np.pi * ANGLE_BANDS, ANGLE_BANDS - 1).astype(
        int
    )
    ring = np.digitize(radius, RADIAL_BANDS) - 1
    count = (len(RADIAL_BANDS) - 1) * ANGLE_BANDS
    index = np.where(
        (ring >= 0) & (ring < len(RADIAL_BANDS) - 1), ring * ANGLE_BANDS + angle, count
    )
    return index.astype(np.int64), count
