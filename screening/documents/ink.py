"""The ink of a page without MRZ, upright, at a working scale.

A page photographed at any angle must be read along its lines. :func:`page_ink` brings
the page to :data:`WORK_WIDTH` pixels, finds the ink (what is clearly darker than the
local paper, or saturated like ballpoint), estimates the direction of the text lines
(:func:`text_angle`: the projection of the ink across the lines is peakiest along them)
and turns the page so that the lines run horizontally. Ruled lines and stamp frames are
print, not writing: the thin closed outlines of stamp size are kept aside
(:func:`find_frames`), long straight horizontal runs removed from the ink.

Pure numpy/scipy/PIL (no OpenCV here: only :mod:`screening.imaging` imports it). The
turn is known up to half a turn (a page upside down has the same lines); the
handwriting measures do not depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.spatial import cKDTree

WORK_WIDTH = 640
S = WORK_WIDTH / 1000  # region filters are tuned at 1000 px and scale with it
INK_CONTRAST = 50.0  # grey levels below the local paper level that count as ink
_BG_BLOCK = 24
# A stamp frame: a thin closed outline, bigger than a text line, smaller than the page.
_FRAME_MIN = 30 * S  # work pixels, each side
_FRAME_MAX_FRACTION = 0.45  # of the page width/height
_FRAME_MAX_FILL = 0.25  # ink share of its box (an outline, not a blot)
ANGLE_STEP = 3.0  # degrees, first pass of the line-direction search
MIN_TURN = 4.0  # degrees: smaller turns are left alone (words are found on them)
_CHARACTER_MAX = 40 * S  # work pixels: larger components are no character
_NEIGHBOUR_MIN_COMPONENTS = 12

Frame = tuple[tuple[int, int, int, int], np.ndarray, np.ndarray]


@dataclass(frozen=True, slots=True)
class PageInk:
    """The page upright at working scale, with its ink mask and the map back to input
    pixels: input = to_input @ (x, y, 1) for a work pixel (x, y)."""

    rgb: np.ndarray  # float32 HxWx3
    gray: np.ndarray  # float32 HxW
    background: np.ndarray  # float32 HxW, local paper level
    ink: np.ndarray  # bool HxW (ruled lines removed)
    to_input: np.ndarray  # 2x3 affine
    angle: float  # the turn undone, degrees
    # Thin closed outlines (stamp frames, seal rings): a box (x0, y0, x1, y1) and the
    # outline's pixel coordinates (ys, xs) each.
    frames: tuple[Frame, ...] = ()

    @property
    def scale(self) -> float:
        """Input pixels per work pixel."""
        return float(np.hypot(*self.to_input[:, 0]))

    def box_to_input(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x, y, w, h = box
        corners = np.array([[x, y, 1], [x + w, y, 1], [x + w, y + h, 1], [x, y + h, 1]], float)
        pts = corners @ self.to_input.T
        x0, y0 = np.floor(pts.min(axis=0)).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
        return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def _local_background(gray: np.ndarray) -> np.ndarray:
    """Paper level: a high percentile per block, smoothly upsampled."""
    h, w = gray.shape
    bh, bw = -(-h // _BG_BLOCK), -(-w // _BG_BLOCK)
    padded = np.pad(gray, ((0, bh * _BG_BLOCK - h), (0, bw * _BG_BLOCK - w)), mode="edge")
    blocks = padded.reshape(bh, _BG_BLOCK, bw, _BG_BLOCK).transpose(0, 2, 1, 3)
    level = np.percentile(blocks.reshape(bh, bw, -1), 90, axis=2)
    level = ndimage.maximum_filter(level, size=3).astype(np.float32)
    zoomed = Image.fromarray(level, mode="F").resize(
        (bw * _BG_BLOCK, bh * _BG_BLOCK), Image.Resampling.BILINEAR
    )
    return np.asarray(zoomed, np.float32)[:h, :w]


def _ink_mask(work: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r, g, b = (np.ascontiguousarray(work[..., i]) for i in range(3))
    gray = 0.299 * r + 0.587 * g + 0.114 * b
    background = _local_background(gray)
    depth = background - gray
    # Ballpoint ink can be light but is saturated; printed guilloche is pale and greyish.
    saturation = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    ink = (depth > INK_CONTRAST) | ((depth > INK_CONTRAST * 0.4) & (saturation > 70))
    return gray, background, ink


def _neighbour_direction(ink: np.ndarray) -> float | None:
    """The direction (degrees in [0, 180)) in which the ink's character-sized components
    have their nearest neighbours, or None when there are too few of them.

    Characters of a word sit closer to each other than to the lines above and below:
    the neighbours' directions pile up along the text lines whatever the script, and the
    stems of block capitals, a column of left-aligned entries or a portrait (all
    peakier across the lines than the lines themselves) do not move it.
    """
    labels, count = ndimage.label(ink, structure=np.ones((3, 3), bool))
    if count < _NEIGHBOUR_MIN_COMPONENTS:
        return None
    index = np.arange(1, count + 1)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    slices = ndimage.find_objects(labels)
    extent = np.asarray(
        [max(s[0].stop - s[0].start, s[1].stop - s[1].start) for s in slices], np.float64
    )
    keep = (sizes >= 4) & (extent >= 3) & (extent <= _CHARACTER_MAX)
    if keep.sum() < _NEIGHBOUR_MIN_COMPONENTS:
        return None
    centres = np.asarray(ndimage.center_of_mass(ink, labels, index[keep]), np.float64)
    _, nearest = cKDTree(centres).query(centres, k=3)
    vectors = np.concatenate([centres[nearest[:, k]] - centres for k in (1, 2)])
    degrees = np.rad2deg(np.arctan2(vectors[:, 0], vectors[:, 1])) % 180.0
    votes = np.bincount(degrees.astype(np.intp) % 180, minlength=180).astype(np.float64)
    # Smoothed round the circle (0 and 179 degrees are neighbours).
    votes = ndimage.uniform_filter1d(votes, size=7, mode="wrap")
    return float(np.argmax(votes))


def text_angle(ink: np.ndarray, *, max_points: int = 8000) -> float:
    """The direction of the text lines in degrees (0: horizontal; image y downwards),
    in [-90, 90): near the characters' neighbour direction (:func:`_neighbour_direction`),
    the angle at which the ink projected across the lines is peakiest (without a
    neighbour direction, the peakiest angle of all)."""
    ys, xs = np.nonzero(ink)
    if ys.size < 200:
        return 0.0
    if ys.size > max_points:
        pick = np.random.default_rng(0).choice(ys.size, max_points, replace=False)
        ys, xs = ys[pick], xs[pick]
    xs = xs.astype(np.float64)
    ys = ys.astype(np.float64)
    bin_px = 2.0

    def peakiness(angle: float) -> float:
        t = np.deg2rad(angle)
        rho = ys * np.cos(t) - xs * np.sin(t)  # distance across lines at this angle
        hist = np.bincount(((rho - rho.min()) / bin_px).astype(np.intp))
        return float(np.dot(hist, hist))

    neighbours = _neighbour_direction(ink)
    if neighbours is None:
        coarse = np.arange(-90.0, 90.0, ANGLE_STEP)
        best = float(coarse[int(np.argmax([peakiness(a) for a in coarse]))])
    else:
        best = neighbours
    fine = best + np.arange(-ANGLE_STEP, ANGLE_STEP + 0.01, 0.5)
    best = float(fine[int(np.argmax([peakiness(a) for a in fine]))])
    return ((best + 90.0) % 180.0) - 90.0


def _turn(rgb: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """``rgb`` turned so lines at ``angle`` run horizontally (canvas grown, filled with
    the paper colour); and the 2x3 map from the turned image back to ``rgb``."""
    h, w = rgb.shape[:2]
    t = np.deg2rad(angle)
    u = np.array([np.cos(t), np.sin(t)])  # along the lines, in rgb pixels
    n = np.array([-u[1], u[0]])
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    xs, ys = corners @ u, corners @ n
    origin = xs.min() * u + ys.min() * n
    size = (round(xs.max() - xs.min()), round(ys.max() - ys.min()))
    to_src = np.column_stack([u, n, origin])
    fill = tuple(int(v) for v in np.percentile(rgb.reshape(-1, 3)[::11], 90, axis=0))
    image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    out = image.transform(
        size,
        Image.Transform.AFFINE,
        tuple(to_src.ravel()),
        Image.Resampling.BILINEAR,
        fillcolor=fill,
    )
    return np.asarray(out, np.float32), to_src


def page_ink(rgb: np.ndarray) -> PageInk:
    """The page of ``rgb`` (HxWx3) upright at :data:`WORK_WIDTH`, with its ink."""
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    rgb = rgb[..., :3]
    h, w = rgb.shape[:2]
    factor = WORK_WIDTH / w
    if w != WORK_WIDTH:
        img = Image.fromarray(np.ascontiguousarray(rgb.astype(np.uint8)))
        img = img.resize((WORK_WIDTH, max(1, round(h * factor))), Image.Resampling.BILINEAR)
        work = np.asarray(img, np.float32)
    else:
        work = rgb.astype(np.float32)
    to_input = np.array([[1 / factor, 0, 0], [0, 1 / factor, 0]], np.float64)
    gray, background, ink = _ink_mask(work)
    angle = text_angle(ink[::2, ::2])
    if abs(angle) >= MIN_TURN:
        work, to_work = _turn(work, angle)
        to_input = to_input @ np.vstack([to_work, [0, 0, 1]])
        gray, background, ink = _ink_mask(work)
    frames = find_frames(ink)
    # Ruled lines and frames are print, not text: drop long straight horizontal runs.
    runs = ndimage.uniform_filter1d(ink.astype(np.float32), size=41, axis=1)
    rules = (runs > 0.85).view(np.uint8)
    rules = ndimage.maximum_filter1d(ndimage.maximum_filter1d(rules, 41, axis=1), 3, axis=0) > 0
    ink &= ~(rules & (ndimage.uniform_filter1d(ink.astype(np.float32), 5, axis=0) < 0.75))
    return PageInk(
        rgb=work,
        gray=gray,
        background=background,
        ink=ink,
        to_input=to_input,
        angle=float(angle if abs(angle) >= MIN_TURN else 0.0),
        frames=frames,
    )


def find_frames(ink: np.ndarray) -> tuple[Frame, ...]:
    """Thin outlines of stamp size in the ink mask (before ruled lines are removed, so
    that an upright rectangle keeps its horizontal sides)."""
    labels, count = ndimage.label(ink, structure=np.ones((3, 3), bool))
    if not count:
        return ()
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    h_max, w_max = ink.shape[0] * _FRAME_MAX_FRACTION, ink.shape[1] * _FRAME_MAX_FRACTION
    frames = []
    for index, slc in enumerate(ndimage.find_objects(labels), start=1):
        if slc is None:
            continue
        ys, xs = slc
        h, w = ys.stop - ys.start, xs.stop - xs.start
        if not (_FRAME_MIN <= h <= h_max and _FRAME_MIN <= w <= w_max):
            continue
        if sizes[index] > _FRAME_MAX_FILL * h * w:
            continue
        py, px = np.nonzero(labels[slc] == index)
        frames.append(((xs.start, ys.start, xs.stop, ys.stop), py + ys.start, px + xs.start))
    return tuple(frames)


def in_frame(page: PageInk, box_work: tuple[int, int, int, int]) -> float:
    """1 when a frame outline runs round the box on all four sides (left and right of
    it at its height, above and below it at its width), else 0."""
    x, y, w, h = box_work
    for (fx0, fy0, fx1, fy1), ys, xs in page.frames:
        if not (fx0 <= x and fy0 <= y and x + w <= fx1 and y + h <= fy1):
            continue
        row_band = (ys >= y) & (ys < y + h)
        col_band = (xs >= x) & (xs < x + w)
        if (
            np.any(row_band & (xs < x))
            and np.any(row_band & (xs >= x + w))
            and np.any(col_band & (ys < y))
            and np.any(col_band & (ys >= y + h))
        ):
            return 1.0
    return 0.0
