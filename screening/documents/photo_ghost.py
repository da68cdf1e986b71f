"""The ghost portrait: a second, smaller, faded copy of the portrait printed elsewhere on
many data pages. Printed with the page, it survives when the main photo is replaced, and
then shows the original face.

:func:`ghost_features` searches the page (upright, see :mod:`screening.documents.upright`)
for a small copy of the main portrait by normalised cross-correlation, at the sizes
ghosts are printed (a quarter to three fifths of the portrait's height), away from the
portrait itself. Two templates are matched: the portrait itself (sharp: it matches only
the same face) and the portrait heavily blurred (its silhouette: head and shoulders,
which any ghost of any face matches). A genuine ghost matches both; a ghost of another
face matches the silhouette but not the face; a page without a ghost matches neither.
Normalised correlation ignores a ghost's faded contrast and tint.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.signal import fftconvolve

from screening.documents.upright import Upright

GHOST_SCALES = (0.3, 0.4, 0.52)  # ghost height / portrait height
SEARCH_PX_PER_MM = 2.0
GHOST_FEATURES = (
    "ghost_face",  # best correlation with the portrait (same face)
    "ghost_face_z",  # how far that peak stands above the rest of the page
    "ghost_silhouette",  # best correlation with the blurred portrait (any face)
    "ghost_silhouette_z",
    "ghost_face_at_silhouette",  # the face's correlation where the silhouette peaks
    "ghost_face_z_at_silhouette",
    "ghost_detail",  # fine detail of the ghost against the portrait's, where it is
    "ghost_tone_rank",  # light/dark order of their coarse cells (fading keeps it)
)


def _ncc_map(image: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Zero-mean normalised cross-correlation of ``template`` at every position where it
    fits inside ``image`` (valid mode)."""
    th, tw = template.shape
    t = template - template.mean()
    t_norm = float(np.sqrt((t * t).sum()))
    if t_norm < 1e-6:
        return np.zeros((image.shape[0] - th + 1, image.shape[1] - tw + 1))
    num = fftconvolve(image, t[::-1, ::-1], mode="valid")
    s1 = _box_sum(image, th, tw)
    s2 = _box_sum(image * image, th, tw)
    var = np.maximum(s2 - s1 * s1 / (th * tw), 1e-6)
    return num / (np.sqrt(var) * t_norm)


def _box_sum(image: np.ndarray, th: int, tw: int) -> np.ndarray:
    c = np.zeros((image.shape[0] + 1, image.shape[1] + 1))
    c[1:, 1:] = image.cumsum(0).cumsum(1)
    return c[th:, tw:] - c[:-th, tw:] - c[th:, :-tw] + c[:-th, :-tw]


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(
        Image.fromarray(image.astype(np.float32), mode="F").resize(size, Image.Resampling.BILINEAR),
        np.float64,
    )


def _peak(values: np.ndarray, allowed: np.ndarray) -> tuple[float, float, tuple[int, int]]:
    """Best allowed value, its distance above the allowed values' spread, its place."""
    masked = np.where(allowed, values, -np.inf)
    where = np.unravel_index(int(np.argmax(masked)), masked.shape)
    pool = values[allowed]
    best = float(values[where])
    return best, (best - float(pool.mean())) / (float(pool.std()) + 1e-3), where


def ghost_features(view: Upright, box: tuple[float, float, float, float]) -> list[float]:
    """:data:`GHOST_FEATURES` for the portrait at ``box`` (upright pixels of ``view``)."""
    k = SEARCH_PX_PER_MM / view.px_per_mm
    rgb = view.rgb.astype(np.float32)
    grey = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    size = (max(8, round(grey.shape[1] * k)), max(8, round(grey.shape[0] * k)))
    page = _resize(grey, size)
    valid = np.asarray(Image.fromarray(view.valid.astype(np.uint8) * 255).resize(size)) > 128
    x, y, w, h = (v * k for v in box)
    x0, y0 = max(0, int(x)), max(0, int(y))
    x1, y1 = min(size[0], int(x + w)), min(size[1], int(y + h))
    if x1 - x0 < 8 or y1 - y0 < 10:
        return [0.0] * len(GHOST_FEATURES)
    portrait = page[y0:y1, x0:x1]
    silhouette = ndimage.gaussian_filter(portrait, 0.1 * portrait.shape[1])
    best: list[float] = [0.0] * len(GHOST_FEATURES)
    for scale in GHOST_SCALES:
        th = max(6, round(portrait.shape[0] * scale))
        tw = max(5, round(portrait.shape[1] * scale))
        if th >= size[1] or tw >= size[0]:
            continue
        face_map = _ncc_map(page, _resize(portrait, (tw, th)))
        sil_map = _ncc_map(page, _resize(silhouette, (tw, th)))
        # Positions where the ghost would overlap the portrait (or leave the page) are out.
        rows, cols = face_map.shape
        ii = np.arange(rows)[:, None]
        jj = np.arange(cols)[None, :]
        overlaps = (jj < x1 + 2) & (jj + tw > x0 - 2) & (ii < y1 + 2) & (ii + th > y0 - 2)
        on_page = _box_sum(valid.astype(np.float64), th, tw) >= 0.9 * th * tw
        allowed = ~overlaps & on_page
        if allowed.sum() < 20:
            continue
        face, face_z, _ = _peak(face_map, allowed)
        sil, sil_z, where = _peak(sil_map, allowed)
        pool = face_map[allowed]
        at = float(face_map[where])
        at_z = (at - float(pool.mean())) / (float(pool.std()) + 1e-3)
        if face_z > best[1]:
            best[0], best[1] = face, face_z
        if sil_z > best[3]:
            ghost = page[where[0] : where[0] + th, where[1] : where[1] + tw]
            small = _resize(portrait, (tw, th))
            best[2:] = [sil, sil_z, at, at_z, *_identity(ghost, small)]
    return best


def _identity(ghost: np.ndarray, portrait: np.ndarray) -> tuple[float, float]:
    """How alike two same-size pictures are beyond their silhouette: correlation of
    their fine detail, and rank correlation of their coarse cells' tones."""

    def detail(img: np.ndarray) -> np.ndarray:
        return (img - ndimage.gaussian_filter(img, 1.2)).ravel()

    a, b = detail(ghost), detail(portrait)
    a, b = a - a.mean(), b - b.mean()
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    fine = float(np.dot(a, b) / norm) if norm > 1e-6 else 0.0
    rows, cols = 5, 4
    h, w = ghost.shape
    if h < rows or w < cols:
        return fine, 0.0
    cells_g = (
        ghost[: h // rows * rows, : w // cols * cols]
        .reshape(rows, h // rows, cols, w // cols)
        .mean(axis=(1, 3))
        .ravel()
    )
    cells_p = (
        portrait[: h // rows * rows, : w // cols * cols]
        .reshape(rows, h // rows, cols, w // cols)
        .mean(axis=(1, 3))
        .ravel()
    )
    rank_g = np.argsort(np.argsort(cells_g)).astype(np.float64)
    rank_p = np.argsort(np.argsort(cells_p)).astype(np.float64)
    tone = float(np.corrcoef(rank_g, rank_p)[0, 1])
    return fine, tone if np.isfinite(tone) else 0.0
