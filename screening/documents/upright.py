"""The page brought upright at a known scale, so that the photo checks see every page the
same way whatever the capture (any rotation, any resolution).

With an MRZ read, its first line fixes everything: the reading direction is the page's
x axis, the line's normal its y axis (pointing down, from the first MRZ line to the
next), and the character pitch (2.54 mm, ICAO 9303) the scale. :func:`upright_from_mrz`
cuts the region above the MRZ where a data page's portrait sits — tall enough for a card
shown front above back — into an :class:`Upright` image of a chosen pixels-per-mm.
Without an MRZ, :func:`upright_by_angle` undoes a rotation (from the text lines) and
guesses the scale from the image size.

Pure numpy/PIL: an affine resampling (``PIL.Image.transform``), no OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

MRZ_PITCH_MM = 2.54
# How far the region reaches above the first MRZ line's centre and below it, and beyond
# the first and last characters, in mm. A TD1 card's MRZ is on its back, and cards are
# shown front above, below or beside the back: its region reaches a card's size round
# the back (then clipped to what the image shows).
ABOVE_MM = {"TD3": 92.0, "TD2": 80.0, "TD1": 110.0}
BELOW_MM = {"TD3": 14.0, "TD2": 14.0, "TD1": 70.0}
SIDE_MM = {"TD3": 12.0, "TD2": 12.0, "TD1": 100.0}
# Without an MRZ: the image's short side is taken as this many mm of page.
SHORT_SIDE_MM = 100.0


@dataclass(frozen=True, slots=True)
class MrzGeometry:
    """Where the MRZ's first line runs in the input image."""

    first: tuple[float, float]  # centre of its first character, input pixels
    last: tuple[float, float]  # centre of its last character
    chars: int  # characters per line (44 TD3, 36 TD2, 30 TD1)

    @property
    def format(self) -> str:
        return {44: "TD3", 36: "TD2", 30: "TD1"}.get(self.chars, "TD3")

    @property
    def direction(self) -> np.ndarray:
        d = np.subtract(self.last, self.first)
        return d / max(1e-6, float(np.hypot(*d)))

    @property
    def px_per_mm(self) -> float:
        length = float(np.hypot(*np.subtract(self.last, self.first)))
        return length / max(1, self.chars - 1) / MRZ_PITCH_MM


@dataclass(frozen=True, slots=True)
class Upright:
    """An upright view of (part of) the input image.

    ``to_input`` is the 2x3 affine map from upright pixels (x, y, 1) to input pixels.
    """

    rgb: np.ndarray  # HxWx3 uint8
    to_input: np.ndarray
    px_per_mm: float
    valid: np.ndarray  # HxW bool: inside the input image

    def box_to_input(self, box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        """The axis-aligned input-image box around an upright ``box`` (x, y, w, h)."""
        x, y, w, h = box
        corners = np.array([[x, y, 1], [x + w, y, 1], [x + w, y + h, 1], [x, y + h, 1]])
        pts = corners @ self.to_input.T
        x0, y0 = np.floor(pts.min(axis=0)).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
        return int(x0), int(y0), int(x1 - x0), int(y1 - y0)

    def points_from_input(self, points: np.ndarray) -> np.ndarray:
        """Input-image points (n x 2) in upright pixels."""
        full = np.vstack([self.to_input, [0.0, 0.0, 1.0]])
        inv = np.linalg.inv(full)
        pts = np.hstack([np.asarray(points, np.float64), np.ones((len(points), 1))])
        return (pts @ inv.T)[:, :2]

    def box_from_input(self, box: tuple[float, float, float, float]) -> tuple[float, ...]:
        """The upright box around an input-image box (x, y, w, h)."""
        x, y, w, h = box
        pts = self.points_from_input(np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]))
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1 - x0), float(y1 - y0)


def _resample(
    rgb: np.ndarray, to_input: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """``rgb`` sampled on the upright grid of ``size`` (w, h); outside filled with the
    image's median colour, and the mask of what lies inside."""
    image = Image.fromarray(np.ascontiguousarray(rgb))
    fill = tuple(int(v) for v in np.median(rgb[::8, ::8].reshape(-1, 3), axis=0))
    data = tuple(float(v) for v in to_input.ravel())
    out = image.transform(
        size, Image.Transform.AFFINE, data, Image.Resampling.BILINEAR, fillcolor=fill
    )
    ones = Image.new("L", (rgb.shape[1], rgb.shape[0]), 255)
    inside = ones.transform(
        size, Image.Transform.AFFINE, data, Image.Resampling.NEAREST, fillcolor=0
    )
    return np.asarray(out), np.asarray(inside) > 0


def _upright(
    rgb: np.ndarray,
    origin: np.ndarray,
    u: np.ndarray,
    n: np.ndarray,
    step: float,
    size: tuple[int, int],
    px_per_mm: float,
) -> Upright:
    to_input = np.column_stack([u * step, n * step, origin])
    out, valid = _resample(rgb, to_input, size)
    return Upright(rgb=out, to_input=to_input, px_per_mm=px_per_mm, valid=valid)


def upright_from_mrz(rgb: np.ndarray, mrz: MrzGeometry, *, px_per_mm: float) -> Upright:
    """The region round the MRZ where its document's portrait is (see :data:`ABOVE_MM`),
    clipped to what the image shows, upright, at ``px_per_mm``."""
    u = mrz.direction
    n = np.array([-u[1], u[0]])
    scale_in = mrz.px_per_mm
    step = scale_in / px_per_mm  # input pixels per upright pixel
    length_mm = (mrz.chars - 1) * MRZ_PITCH_MM
    side, above, below = SIDE_MM[mrz.format], ABOVE_MM[mrz.format], BELOW_MM[mrz.format]
    first = np.asarray(mrz.first, np.float64)
    # The region in upright pixels relative to the first character's centre...
    x0, x1 = -side * px_per_mm, (length_mm + side) * px_per_mm
    y0, y1 = -above * px_per_mm, below * px_per_mm
    # ... clipped to the image's footprint.
    h, w = rgb.shape[:2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64) - first
    cx, cy = corners @ u / step, corners @ n / step
    x0, x1 = max(x0, cx.min()), min(x1, cx.max())
    y0, y1 = max(y0, cy.min()), min(y1, cy.max())
    origin = first + (x0 * u + y0 * n) * step
    size = (max(8, round(x1 - x0)), max(8, round(y1 - y0)))
    return _upright(rgb, origin, u, n, step, size, px_per_mm)


def upright_crop(
    rgb: np.ndarray,
    view: Upright,
    box: tuple[float, float, float, float],
    *,
    margin: float,
    px_per_mm: float,
) -> tuple[Upright, tuple[float, ...]]:
    """A finer upright view of ``box`` (upright pixels of ``view``) plus ``margin`` (a
    share of the box size) on each side, at ``px_per_mm``; and the box in its pixels."""
    x, y, w, h = box
    k = px_per_mm / view.px_per_mm
    x0, y0 = x - margin * w, y - margin * h
    size = (max(8, round(w * (1 + 2 * margin) * k)), max(8, round(h * (1 + 2 * margin) * k)))
    origin = view.to_input @ np.array([x0, y0, 1.0])
    u, n = view.to_input[:, 0] / k, view.to_input[:, 1] / k
    to_input = np.column_stack([u, n, origin])
    out, valid = _resample(rgb, to_input, size)
    crop = Upright(rgb=out, to_input=to_input, px_per_mm=px_per_mm, valid=valid)
    return crop, ((x - x0) * k, (y - y0) * k, w * k, h * k)


def upright_by_angle(rgb: np.ndarray, angle_deg: float, *, px_per_mm: float) -> Upright:
    """The whole image turned by ``-angle_deg`` (text lines at ``angle_deg`` become
    horizontal) at ``px_per_mm``, the scale guessed from the image's short side."""
    h, w = rgb.shape[:2]
    scale_in = min(h, w) / SHORT_SIDE_MM
    t = np.deg2rad(angle_deg)
    u = np.array([np.cos(t), np.sin(t)])
    n = np.array([-u[1], u[0]])
    step = scale_in / px_per_mm
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    xs, ys = corners @ u, corners @ n
    origin = xs.min() * u + ys.min() * n
    size = (
        max(8, round((xs.max() - xs.min()) / step)),
        max(8, round((ys.max() - ys.min()) / step)),
    )
    return _upright(rgb, origin, u, n, step, size, px_per_mm)


def geometry_from_mrz_box(box: tuple[int, int, int, int], fmt: str) -> MrzGeometry | None:
    """The geometry of an upright MRZ known only by its text box (x, y, w, h, input
    pixels: every line, first to last character) and format — what a report keeps."""
    chars = {"TD3": 44, "TD2": 36, "TD1": 30}.get(fmt)
    lines = {"TD3": 2, "TD2": 2, "TD1": 3}.get(fmt)
    x, y, w, h = (float(v) for v in box)
    if chars is None or lines is None or w < 20 or h <= 0:
        return None
    half_cell, line_y = w / chars / 2, y + h / lines / 2
    return MrzGeometry(first=(x + half_cell, line_y), last=(x + w - half_cell, line_y), chars=chars)


def mrz_geometry(mrz: object) -> MrzGeometry | None:
    """The geometry of an MRZ read from the image (``screening.imaging`` ``ImageMrz``),
    or None when it was not read far enough to know its line."""
    read = getattr(mrz, "read", None)
    lines = getattr(read, "lines", None)
    if not lines:
        return None
    points = np.asarray(getattr(lines[0], "cell_points", ()), np.float64)
    if points.ndim != 2 or len(points) < 20:
        return None
    first, last = points[0], points[-1]
    if float(np.hypot(*(last - first))) < 20:
        return None
    return MrzGeometry(
        first=(float(first[0]), float(first[1])),
        last=(float(last[0]), float(last[1])),
        chars=len(points),
    )
