"""Where to look: the whole page, upright in the MRZ's own frame, at a known text scale.

The MRZ is the one thing on every machine-readable page whose size and direction we know:
its characters are 2.45 mm tall and its lines run along the page. Resampling the image in
that frame (rotation and skew undone, an MRZ character ``TEXT_H`` pixels tall) puts every
design's printed text at a predictable scale, wherever it is printed: above the MRZ on a
passport page, on the other side of a card stacked above or beside it. The MRZ band itself
is masked (its text would match every field).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from screening.imaging.mrz_image import ImageMrz

TEXT_H = 20.0  # MRZ character height after resampling (pixels)
# How far from the MRZ to look, in MRZ line lengths (side, above, below), by characters
# per line. A passport or visa page (44) and a TD2 card (36) print their values above the
# MRZ, within about 0.66 of a line length (ICAO page sizes); the front of a TD1 card (30)
# is its other side, which an image may show stacked above, below or beside the back.
REACH = {44: (0.12, 0.8, 0.15), 36: (0.15, 0.85, 0.2), 30: (1.2, 1.45, 1.45)}
MAX_PIXELS = 3_200_000  # a larger frame is scaled down (never below MIN_TEXT_H)
MIN_TEXT_H = 14.0
# Margin kept clear around the MRZ characters, in MRZ character heights.
MRZ_MARGIN = 0.6

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class PageView:
    """The page resampled in the MRZ frame. ``to_input`` maps view pixels to input pixels
    (2x3 affine); ``mrz_box`` is the MRZ band in view pixels; ``text_h`` the MRZ character
    height in view pixels."""

    bgr: np.ndarray
    to_input: np.ndarray
    mrz_box: Box
    text_h: float
    chars: int = 44  # characters per MRZ line (44 passports and visas, 36, 30 cards)

    def input_box(self, box: tuple[float, float, float, float]) -> Box:
        """A view box as the bounding box of its corners in input-image pixels."""
        x, y, w, h = box
        corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float)
        pts = corners @ self.to_input[:, :2].T + self.to_input[:, 2]
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return (round(x0), round(y0), round(x1 - x0), round(y1 - y0))


def page_view(bgr: np.ndarray, mrz: ImageMrz) -> PageView | None:
    """The region around the located MRZ, upright, scaled so that an MRZ character is
    ``TEXT_H`` pixels tall (less for a very large frame); None without a usable MRZ read."""
    read = mrz.read
    if read is None or not read.lines:
        return None
    first, last = read.lines[0], read.lines[-1]
    u = first.cell_points[-1] - first.cell_points[0]
    length = float(np.linalg.norm(u))
    if length < 1:
        return None
    u = u / length
    n = np.array([-u[1], u[0]])
    char_h = float(np.median([ln.cell_height for ln in read.lines]))
    pitch = length / max(len(first.cell_points) - 1, 1)
    origin = first.cell_points[0]
    # The band in frame units (input pixels along u and n from the first cell centre).
    band_x0, band_x1 = -pitch, length + pitch
    band_y0 = -(0.5 + MRZ_MARGIN) * char_h
    band_y1 = float((last.cell_points[0] - origin) @ n) + (0.5 + MRZ_MARGIN) * char_h
    # What the image covers, in the same frame.
    h, w = bgr.shape[:2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], float) - origin
    along, across = corners @ u, corners @ n
    side, above, below = REACH.get(len(first.cell_points), REACH[30])
    x0 = max(float(along.min()), band_x0 - side * length)
    x1 = min(float(along.max()), band_x1 + side * length)
    y0 = max(float(across.min()), band_y0 - above * length)
    y1 = min(float(across.max()), band_y1 + below * length)
    scale = TEXT_H / max(char_h, 1.0)
    area = (x1 - x0) * (y1 - y0) * scale * scale
    if area > MAX_PIXELS:
        scale = max(scale * (MAX_PIXELS / area) ** 0.5, MIN_TEXT_H / max(char_h, 1.0))
    size = (round((x1 - x0) * scale), round((y1 - y0) * scale))
    if size[0] < 50 or size[1] < 30 or size[0] * size[1] > 2 * MAX_PIXELS:
        return None
    to_input = np.zeros((2, 3))
    to_input[:, 0] = u / scale
    to_input[:, 1] = n / scale
    to_input[:, 2] = origin + u * x0 + n * y0
    view = cv2.warpAffine(
        bgr,
        to_input,
        size,
        flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    mrz_box = (
        round((band_x0 - x0) * scale),
        round((band_y0 - y0) * scale),
        round((band_x1 - band_x0) * scale),
        round((band_y1 - band_y0) * scale),
    )
    return PageView(view, to_input, mrz_box, char_h * scale, len(first.cell_points))
