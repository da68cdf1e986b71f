"""Print texture inside the photo against the page around it.

A substituted photo is usually printed another way than the page: a halftone screen,
photo-paper grain, an inkjet's blur, the blocks of a compressed file. Texture lives in
the finest pixels, so it is measured at the input image's own resolution, on a central
patch of the photo and four patches of page just beyond its sides; ratios
inside/outside cancel the capture (blur, noise, JPEG).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from screening.documents.photo_crop import PhotoCrop, grey_of

TEXTURE_FEATURES = (
    "noise_ratio",
    "noise_inside",
    "fine_coarse_ratio",
    "fine_coarse_outside",
    "periodicity_inside",
    "periodicity_outside",
)


def _periodicity(patch: np.ndarray) -> float:
    if min(patch.shape) < 24:
        return 0.0
    patch = patch - ndimage.gaussian_filter(patch, 2.0)
    spectrum = np.abs(
        np.fft.rfft2(
            patch * np.hanning(patch.shape[0])[:, None] * np.hanning(patch.shape[1])[None, :]
        )
    )
    fy = np.abs(np.fft.fftfreq(patch.shape[0]))[:, None]
    fx = np.fft.rfftfreq(patch.shape[1])[None, :]
    band = np.hypot(fy, fx) > 0.08
    values = spectrum[band]
    if values.size == 0:
        return 0.0
    return float(np.log((values.max() + 1e-6) / (np.median(values) + 1e-6)))


def _texture_values(rgb: np.ndarray, box: tuple[int, int, int, int]) -> list[float]:
    """Texture at native resolution: the print texture lives in the finest pixels.

    Inside: a central patch of the photo (at most 160 x 160). Outside: four patches of
    page just beyond the photo's sides. Ratios inside/outside cancel the capture.
    """
    x, y, w, h = box
    gray = grey_of(rgb)
    H, W = gray.shape
    side = min(160, int(w * 0.76), int(h * 0.76))
    cx, cy = x + w // 2, y + h // 2
    inner = gray[cy - side // 2 : cy + side // 2, cx - side // 2 : cx + side // 2]
    gap, depth = 6, max(12, min(48, int(0.15 * w)))
    length = min(160, int(h * 0.6))
    patches = [
        gray[cy - length // 2 : cy + length // 2, max(0, x - gap - depth) : max(0, x - gap)],
        gray[cy - length // 2 : cy + length // 2, x + w + gap : min(W, x + w + gap + depth)],
        gray[max(0, y - gap - depth) : max(0, y - gap), cx - length // 2 : cx + length // 2],
        gray[y + h + gap : min(H, y + h + gap + depth), cx - length // 2 : cx + length // 2],
    ]
    patches = [p for p in patches if min(p.shape) >= 10]
    if inner.size < 400 or not patches:
        return [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]

    def noise_floor(img: np.ndarray) -> float:
        hp = img - ndimage.uniform_filter(img, 3)
        local = np.sqrt(np.maximum(ndimage.uniform_filter(hp * hp, 7), 0.0))  # rounding can go < 0
        return float(np.percentile(local, 20)) + 1e-3

    def fine_coarse(img: np.ndarray) -> float:
        g1 = ndimage.gaussian_filter(img, 0.8)
        fine = np.abs(img - g1)
        coarse = np.abs(g1 - ndimage.gaussian_filter(img, 2.5))
        return float(fine.mean() / (coarse.mean() + 1e-3))

    n_in = noise_floor(inner)
    n_out = float(np.median([noise_floor(p) for p in patches]))
    largest = max(patches, key=lambda p: p.size)
    return [
        n_in / n_out,
        n_in,
        fine_coarse(inner),
        float(np.median([fine_coarse(p) for p in patches])),
        _periodicity(inner[:128, :128]),
        _periodicity(largest[:128, :128]),
    ]


def texture_features(rgb: np.ndarray, crop: PhotoCrop) -> list[float]:
    """:data:`TEXTURE_FEATURES` for the portrait of ``crop``, measured in ``rgb`` (the
    input image) around the portrait's box there."""
    x, y, w, h = crop.box
    corners = np.array([[x, y, 1.0], [x + w, y, 1.0], [x + w, y + h, 1.0], [x, y + h, 1.0]])
    pts = corners @ crop.view.to_input.T
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    # A turned page makes the axis-aligned box larger than the portrait: shrink it back.
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    side_w = float(np.hypot(*(pts[1] - pts[0])))
    side_h = float(np.hypot(*(pts[3] - pts[0])))
    box = (round(cx - side_w / 2), round(cy - side_h / 2), round(side_w), round(side_h))
    H, W = rgb.shape[:2]
    if box[0] < 0 or box[1] < 0 or box[0] + box[2] > W or box[1] + box[3] > H:
        box = (
            max(0, box[0]),
            max(0, box[1]),
            min(W, box[0] + box[2]) - max(0, box[0]),
            min(H, box[1] + box[3]) - max(0, box[1]),
        )
    if box[2] < 16 or box[3] < 16:
        return [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    return _texture_values(rgb, box)  # type: ignore[arg-type]
