"""Find the paper in an image, flatten it, and split a spread at the fold.

Every page leaves here upright-ish (the capture's small skew and perspective removed),
resampled to :data:`PX_PER_MM` so that later stages reason in millimetres: a booklet page
is 88 mm on its short side (ICAO TD3 / ID-3 size, 125 x 88 mm). A spread shows two
facing pages; the fold is a narrow, dark valley running across the whole paper at the
middle of its long side (the pages curve into the binding).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from screening.imaging.locate import find_bands

PX_PER_MM = 8.0
PAGE_SHORT_MM = 88.0
PAGE_LONG_MM = 125.0
# The fold: looked for in the middle of the long side, as a valley this much darker
# than the paper beside it, present in most horizontal bands of the paper.
FOLD_WINDOW = (0.44, 0.56)
FOLD_MIN_DEPTH = 0.035
FOLD_MIN_BANDS = 6  # of 8


@dataclass(frozen=True, slots=True)
class Paper:
    """The paper found in an image, flattened: ``bgr`` and the source quad it came from."""

    bgr: np.ndarray
    quad: np.ndarray  # 4 x 2, source-image pixels, clockwise from top-left
    found: bool  # False: no paper edge seen; the whole image was taken as the paper


@dataclass(frozen=True, slots=True)
class PageCut:
    """One page of an image: side of the spread, pixels at PX_PER_MM, region in the source."""

    side: str  # single | left | right | top | bottom
    bgr: np.ndarray
    region: tuple[int, int, int, int]  # [x, y, w, h] in source-image pixels
    fold_depth: float | None = None
    quad: np.ndarray | None = None  # the page's corners in the source image (clockwise)

    def to_source(self, box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        """A box in page pixels as an [x, y, w, h] box in source-image pixels."""
        if self.quad is None:
            return tuple(int(v) for v in box)  # type: ignore[return-value]
        h, w = self.bgr.shape[:2]
        x, y, bw, bh = box
        pts = [
            _bilinear(self.quad, fx / w, fy / h)
            for fx, fy in ((x, y), (x + bw, y), (x + bw, y + bh), (x, y + bh))
        ]
        arr = np.array(pts)
        x0, y0 = np.floor(arr.min(axis=0))
        x1, y1 = np.ceil(arr.max(axis=0))
        return (int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def _bilinear(quad: np.ndarray, fx: float, fy: float) -> np.ndarray:
    top = quad[0] + (quad[1] - quad[0]) * fx
    bottom = quad[3] + (quad[2] - quad[3]) * fx
    return top + (bottom - top) * fy


def _order(quad: np.ndarray) -> np.ndarray:
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    quad = quad[np.argsort(angles)]  # clockwise in image coordinates (y down), from -pi
    start = int(np.argmin(quad.sum(axis=1)))  # top-left: smallest x + y
    return np.roll(quad, -start, axis=0).astype(np.float32)


def find_paper(bgr: np.ndarray) -> Paper:
    """The largest region that differs from the image's border colour (scanner bed, lid,
    table), flattened by a perspective warp. Images cut to the page are kept whole."""
    h, w = bgr.shape[:2]
    scale = 400.0 / max(h, w)
    small = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float32)
    sh, sw = lab.shape[:2]
    rim = max(2, int(0.012 * max(sh, sw)))
    border = np.concatenate(
        [
            lab[:rim].reshape(-1, 3),
            lab[-rim:].reshape(-1, 3),
            lab[:, :rim].reshape(-1, 3),
            lab[:, -rim:].reshape(-1, 3),
        ]
    )
    background = np.median(border, axis=0)
    spread = np.median(np.abs(border - background), axis=0).sum()
    distance = np.abs(lab - background).sum(axis=2)
    distance = cv2.GaussianBlur(distance, (0, 0), 1.4)
    threshold = max(12.0, 4.0 * spread + 6.0)
    mask = distance > threshold
    # Print on paper has texture; a scanner bed or lid is smooth. Where the background is
    # smooth, texture marks paper even when its colour is close to the background's.
    lum = lab[..., 0]
    mean = cv2.blur(lum, (7, 7))
    texture = np.sqrt(np.maximum(cv2.blur(lum * lum, (7, 7)) - mean * mean, 0))
    rim_texture = float(
        np.median(
            np.concatenate(
                [
                    texture[:rim].ravel(),
                    texture[-rim:].ravel(),
                    texture[:, :rim].ravel(),
                    texture[:, -rim:].ravel(),
                ]
            )
        )
    )
    if rim_texture < 2.0:
        mask |= cv2.GaussianBlur(texture, (0, 0), 2.0) > max(1.6, 2.5 * rim_texture)
    mask = mask.astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    whole = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    if count <= 1:
        return Paper(bgr, whole, False)
    # The paper may come apart in the mask (a fold shadow, a page close to the bed's
    # colour): every large part belongs to it.
    areas = stats[1:, cv2.CC_STAT_AREA]
    big = 1 + np.flatnonzero(areas >= 0.03 * sh * sw)
    largest = 1 + int(np.argmax(areas))
    flat_labels = labels.ravel()
    sizes = np.maximum(np.bincount(flat_labels, minlength=count), 1)
    means = np.stack(
        [
            np.bincount(flat_labels, weights=lab[..., c].ravel(), minlength=count) / sizes
            for c in (1, 2)
        ],
        axis=1,
    )
    # Parts of the paper look like the paper (a glare spot on the table does not).
    keep = [k for k in big if np.abs(means[k] - means[largest]).sum() < 14]
    keep = np.array(keep or [largest])
    area = int(areas[keep - 1].sum()) if len(keep) else 0
    union = np.isin(labels, keep).astype(np.uint8)
    ys, xs = np.nonzero(union)
    if area < 0.2 * sh * sw or len(xs) == 0:
        return Paper(bgr, whole, False)
    touches = xs.min() <= 1 and ys.min() <= 1 and xs.max() >= sw - 2 and ys.max() >= sh - 2
    if touches and area > 0.9 * sh * sw:
        return Paper(bgr, whole, False)
    contours, _ = cv2.findContours(union, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    points = np.concatenate(contours)
    hull = cv2.convexHull(points)
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(approx) == 4:
        quad = approx.reshape(4, 2).astype(np.float32)
    else:
        quad = cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)
    quad = _order(quad / scale)
    quad[:, 0] = np.clip(quad[:, 0], 0, w - 1)
    quad[:, 1] = np.clip(quad[:, 1], 0, h - 1)
    top = np.linalg.norm(quad[1] - quad[0])
    bottom = np.linalg.norm(quad[2] - quad[3])
    left = np.linalg.norm(quad[3] - quad[0])
    right = np.linalg.norm(quad[2] - quad[1])
    out_w, out_h = int(max(top, bottom)), int(max(left, right))
    if out_w < 32 or out_h < 32:
        return Paper(bgr, whole, False)
    target = np.float32([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]])
    matrix = cv2.getPerspectiveTransform(quad, target)
    flat = cv2.warpPerspective(
        bgr, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return Paper(flat, quad, True)


def fold_profile(gray: np.ndarray, axis: int) -> tuple[float, int, int]:
    """Depth of the fold valley, its position, and in how many of 8 bands it shows.

    ``axis`` 1: a vertical fold (pages side by side); 0: a horizontal one (stacked).
    """
    work = gray if axis == 1 else gray.T
    w = work.shape[1]
    lo, hi = int(FOLD_WINDOW[0] * w), int(FOLD_WINDOW[1] * w)
    column = np.median(work, axis=0).astype(np.float32)
    column = np.convolve(column, np.ones(3) / 3, mode="same")
    centre = lo + int(np.argmin(column[lo:hi]))
    side = max(4, int(0.08 * w))
    beside = np.median(
        np.r_[
            column[max(0, centre - 2 * side) : centre - side],
            column[centre + side : centre + 2 * side],
        ]
    )
    depth = float((beside - column[centre]) / max(beside, 1.0))
    bands = 0
    for band in np.array_split(work, 8, axis=0):
        profile = np.median(band, axis=0).astype(np.float32)
        near = profile[max(0, centre - 3) : centre + 4].min()
        ref = np.median(
            np.r_[
                profile[max(0, centre - 2 * side) : centre - side],
                profile[centre + side : centre + 2 * side],
            ]
        )
        bands += bool((ref - near) / max(ref, 1.0) > FOLD_MIN_DEPTH * 0.6)
    return depth, centre, bands


def _resample(bgr: np.ndarray, short_mm: float = PAGE_SHORT_MM) -> np.ndarray:
    h, w = bgr.shape[:2]
    factor = short_mm * PX_PER_MM / min(h, w)
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(bgr, None, fx=factor, fy=factor, interpolation=interp)


def _sub_quad(quad: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    """Corners in the source image of a fractional sub-rectangle of the paper."""
    return np.array(
        [_bilinear(quad, fx, fy) for fx, fy in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    )


def _region(
    quad: np.ndarray, shape: tuple[int, int], x0: float, x1: float, y0: float, y1: float
) -> tuple[int, int, int, int]:
    """Bounding box in the source image of a fractional sub-rectangle of the paper."""
    pts = _sub_quad(quad, x0, x1, y0, y1)
    x, y = np.floor(pts.min(axis=0)).astype(int)
    x2, y2 = np.ceil(pts.max(axis=0)).astype(int)
    return (int(x), int(y), int(x2 - x), int(y2 - y))


@dataclass(frozen=True, slots=True)
class Split:
    """The pages of one image and, for a spread, the grey band around the fold (fold
    vertical, at PX_PER_MM, the fold at the band's centre column)."""

    pages: list[PageCut]
    fold_band: np.ndarray | None = None


FOLD_BAND_MM = 16.0


def split_pages(bgr: np.ndarray, *, mrz_possible: bool = True) -> Split:
    """The pages an image shows: one, or two when a fold runs across the paper's middle.

    ``mrz_possible``: False once the booklet's data page was found elsewhere (a booklet has
    one), which spares the MRZ search that keeps a data page from being split."""
    paper = find_paper(bgr)
    flat = paper.bgr
    gray = cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    axis = 1 if w >= h else 0
    small = cv2.resize(
        gray, None, fx=400 / max(h, w), fy=400 / max(h, w), interpolation=cv2.INTER_AREA
    )
    depth, centre, bands = fold_profile(small, axis)
    length = small.shape[1] if axis == 1 else small.shape[0]
    fold = depth >= FOLD_MIN_DEPTH and bands >= FOLD_MIN_BANDS
    if fold and mrz_possible and mrz_across(gray, axis, centre / length):
        fold = False
    if fold:
        cut = centre / length
        if axis == 1:
            x = round(cut * w)
            halves = [
                ("left", flat[:, :x], (0.0, cut, 0.0, 1.0)),
                ("right", flat[:, x:], (cut, 1.0, 0.0, 1.0)),
            ]
        else:
            y = round(cut * h)
            halves = [
                ("top", flat[:y], (0.0, 1.0, 0.0, cut)),
                ("bottom", flat[y:], (0.0, 1.0, cut, 1.0)),
            ]
        pages = [
            PageCut(
                side,
                _resample(part),
                _region(paper.quad, gray.shape, fx0, fx1, fy0, fy1),
                depth,
                _sub_quad(paper.quad, fx0, fx1, fy0, fy1),
            )
            for side, part, (fx0, fx1, fy0, fy1) in halves
        ]
        return Split(pages, _fold_band(gray if axis == 1 else gray.T, cut))
    region = _region(paper.quad, gray.shape, 0.0, 1.0, 0.0, 1.0)
    return Split([PageCut("single", _resample(flat), region, depth, paper.quad)])


def mrz_band(gray: np.ndarray, angle: float = 0.0) -> tuple[int, int, int, int] | None:
    """The region of a machine-readable zone on the image, if one is seen: the best band of
    2-3 long parallel text lines, each at least 30% of the image's long side, running at
    ``angle`` degrees (+-15; 90: a page turned a quarter)."""
    for band in find_bands(gray, limit=3, angle=angle):
        if min(line.length for line in band.lines) >= 0.3 * max(gray.shape):
            return band.region()
    return None


def mrz_across(gray: np.ndarray, axis: int, cut: float) -> bool:
    """A fold never runs through an MRZ: a data page is one page, whatever its middle shows."""
    region = mrz_band(gray)
    if region is None:
        return False
    x, y, w, h = region
    at = cut * (gray.shape[1] if axis == 1 else gray.shape[0])
    lo, hi = (x, x + w) if axis == 1 else (y, y + h)
    return lo < at < hi


def _fold_band(gray: np.ndarray, cut: float) -> np.ndarray:
    """Grey band of +-FOLD_BAND_MM around a vertical fold, resampled to PX_PER_MM (the
    spread's short side is a page's long side, 125 mm)."""
    factor = PAGE_LONG_MM * PX_PER_MM / gray.shape[0]
    work = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    x = round(cut * work.shape[1])
    half = int(FOLD_BAND_MM * PX_PER_MM)
    band = work[:, max(0, x - half) : x + half]
    if band.shape[1] < 2 * half:
        band = cv2.copyMakeBorder(band, 0, 0, 0, 2 * half - band.shape[1], cv2.BORDER_REPLICATE)
    return band


def spread_image(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Two page cuts back together (same height), for looking at the fold."""
    h = min(left.shape[0], right.shape[0])
    return np.concatenate([left[:h], right[:h]], axis=1)
