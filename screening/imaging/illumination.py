"""Even out uneven light and glare so that faded print regains its contrast.

A glare spot lifts the paper and the ink together and, near saturation, squeezes the
difference between them: the MRZ characters under it fade out of the text mask and the
line falls apart into pieces. What survives is the ink's depth *relative to its
surroundings*. :func:`flatten_light` estimates the paper by a grey closing (ink removed),
measures each pixel's ink depth below it, and rescales that depth by the strongest ink
nearby, so that a faded run of characters prints as dark as the rest of its line.

Used as a second attempt only (see :func:`screening.imaging.mrz_image.read_image_mrz`):
on a well-lit page it would amplify paper texture and gain nothing.
"""

from __future__ import annotations

import cv2
import numpy as np

# Kernel sizes as fractions of the image's long side. The closing must be wider than a
# character stroke at any capture resolution; the ink scale spans a few characters so
# that a single faded letter is rescaled by its brighter neighbours.
KERNEL_FRACTIONS = (0.02, 0.045)
INK_SCALE_SPAN = 3
INK_SCALE_FLOOR = 10.0  # grey levels: below this nothing nearby is ink (bare paper)
PAPER_LEVEL = 235.0
INK_DEPTH = 200.0


def flatten_light(gray: np.ndarray, kernel_fraction: float) -> np.ndarray:
    """A grey copy with the paper evened out and every ink run at full contrast."""
    k = max(9, int(max(gray.shape[:2]) * kernel_fraction)) | 1
    paper = cv2.morphologyEx(
        gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    )
    paper = cv2.blur(paper, (k, k))
    ink = cv2.subtract(paper, gray)  # uint8, saturating: max(paper - gray, 0)
    depth = ink.astype(np.float32)
    span = INK_SCALE_SPAN * k
    # The max filter on uint8 gives exactly the float values, about four times faster
    # (it dominates the cost on large images).
    scale = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (span, span)))
    scale = cv2.blur(scale.astype(np.float32), (span, span))
    relative = depth / np.maximum(scale, INK_SCALE_FLOOR)
    return np.clip(PAPER_LEVEL - INK_DEPTH * relative, 0.0, 255.0).astype(np.uint8)
