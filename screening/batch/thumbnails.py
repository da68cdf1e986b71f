"""Small JPEG thumbnails of flagged pages, for the self-contained HTML report.

Made by the worker that screened the page (it has the file, even when the bytes were
sent to it), through the same safe loader as the scan, so regions in findings (pixels of
the upright input image) map onto the thumbnail by one scale factor.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from screening.imaging.load import load_image

JPEG_QUALITY = 75


def make_thumbnail(path: Path, max_side: int) -> tuple[bytes, tuple[int, int]] | None:
    """(JPEG bytes, original (width, height)), or None when the image cannot be encoded."""
    image = load_image(path)
    width, height = image.size
    scale = min(1.0, max_side / max(width, height))
    small = image.bgr
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(image.bgr, size, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        return None
    return encoded.tobytes(), (width, height)
