"""Small JPEG thumbnails of flagged pages, for the self-contained HTML report.

Made by the worker that screened the page (it has the file, even when the bytes were
sent to it), through the same safe loader as the scan, so regions in findings (pixels of
the upright input image) map onto the thumbnail by one scale factor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from screening.imaging.load import load_image

JPEG_QUALITY = 75


def make_thumbnail(path: Path, max_side: int) -> tuple[bytes, tuple[int, int]] | None:
    """(JPEG bytes, original (width, height)), or None when the image cannot be encoded."""
    return _encode(load_image(path).bgr, max_side)


def make_booklet_thumbnail(
    path: Path, row: dict[str, Any], max_side: int
) -> tuple[bytes, tuple[int, int]] | None:
    """The booklet image holding the pages its most severe finding names (see
    :mod:`screening.booklet.thumbnail`); None when no finding names a page."""
    from screening.booklet.thumbnail import shown_image, source_image

    shown = shown_image(row)
    if shown is None:
        return None
    return _encode(source_image(path, shown), max_side)


def _encode(bgr: np.ndarray, max_side: int) -> tuple[bytes, tuple[int, int]] | None:
    height, width = bgr.shape[:2]
    scale = min(1.0, max_side / max(width, height))
    small = bgr
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        return None
    return encoded.tobytes(), (width, height)
