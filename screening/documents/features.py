"""Text regions of a data page and the features that tell handwriting from print.

Pure numpy/scipy on RGB arrays (no OpenCV here: only :mod:`screening.imaging` imports
it). The page is first brought to a working width of :data:`WORK_WIDTH` pixels so the
features do not depend on the capture resolution; boxes are returned in the caller's
pixels.

Per text region (one line of ink), :func:`region_features` measures what an examiner
looks at:

* ink colour — ballpoint blue/violet versus printed black (chroma of the ink pixels);
* pressure — how much the ink density varies along the strokes;
* stroke width and its variation (distance transform on the ridge of the strokes);
* baseline wobble — how far the bottoms of the characters stray from a fitted line;
* size regularity — variation of character heights and widths;
* spacing regularity — variation of the gaps between characters;
* slant variation — spread of the orientation of the characters;
* connectedness — characters per text height (cursive joins letters);
* enclosure — whether the line sits inside a closed ink frame (the rectangle or ring of
  a rubber stamp: border-control, registration and extension stamps print their text in
  ink, upright or rotated, inside a frame; hand-entered values sit on ruled lines).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

WORK_WIDTH = 800
_S = WORK_WIDTH / 1000  # region filters below are tuned at 1000 px and scale with it
INK_CONTRAST = 50.0  # grey levels below the local paper level that count as ink
_BG_BLOCK = 24

FEATURE_NAMES = (
    "blue_excess",
    "red_excess",
    "chroma",
    "darkness",
    "darkness_cv",
    "stroke_width",
    "stroke_width_cv",
    "baseline_wobble",
    "top_wobble",
    "height_cv",
    "width_cv",
    "gap_cv",
    "gap_std",
    "slant_std",
    "components_per_height",
    "fill_ratio",
    "region_height",
    "aspect",
    "in_frame",
)
# A stamp frame: a thin closed outline, bigger than a text line, smaller than the page.
_FRAME_MIN = 30 * _S  # work pixels, each side
_FRAME_MAX_FRACTION = 0.45  # of the page width/height
_FRAME_MAX_FILL = 0.25  # ink share of its box (an outline, not a blot)


@dataclass(frozen=True, slots=True)
class TextRegion:
    """One line of ink: its box in work pixels and in the caller's pixels."""

    box_work: tuple[int, int, int, int]
    box: tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class PageInk:
    """The page at working scale with its ink mask and the factor back to input pixels."""

    rgb: np.ndarray  # float32 HxWx3
    gray: np.ndarray  # float32 HxW
    background: np.ndarray  # float32 HxW, local paper level
    ink: np.ndarray  # bool HxW
    scale: float  # input pixels per work pixel
    # Thin closed outlines (stamp frames, seal rings): a box (x0, y0, x1, y1) and the
    # outline's pixel coordinates (ys, xs) each.
    frames: tuple[tuple[tuple[int, int, int, int], np.ndarray, np.ndarray], ...] = ()


def to_work_scale(rgb: np.ndarray, width: int = WORK_WIDTH) -> tuple[np.ndarray, float]:
    """Resize an RGB uint8 array to ``width`` pixels wide; return it and the scale back."""
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    rgb = rgb[..., :3]
    h, w = rgb.shape[:2]
    if w == width:
        return rgb.astype(np.float32), 1.0
    factor = width / w
    img = Image.fromarray(np.ascontiguousarray(rgb.astype(np.uint8)))
    img = img.resize((width, max(1, round(h * factor))), Image.Resampling.BILINEAR)
    return np.asarray(img, np.float32), w / width


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


def page_ink(rgb: np.ndarray) -> PageInk:
    work, scale = to_work_scale(rgb)
    r, g, b = (np.ascontiguousarray(work[..., i]) for i in range(3))
    gray = 0.299 * r + 0.587 * g + 0.114 * b
    background = _local_background(gray)
    depth = background - gray
    # Ballpoint ink can be light but is saturated; printed guilloche is pale and greyish.
    saturation = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    ink = (depth > INK_CONTRAST) | ((depth > INK_CONTRAST * 0.4) & (saturation > 70))
    frames = find_frames(ink)
    # Ruled lines and frames are print, not text: drop long straight horizontal runs.
    runs = ndimage.uniform_filter1d(ink.astype(np.float32), size=41, axis=1)
    rules = (runs > 0.85).view(np.uint8)
    rules = ndimage.maximum_filter1d(ndimage.maximum_filter1d(rules, 41, axis=1), 3, axis=0) > 0
    ink &= ~(rules & (ndimage.uniform_filter1d(ink.astype(np.float32), 5, axis=0) < 0.75))
    return PageInk(rgb=work, gray=gray, background=background, ink=ink, scale=scale, frames=frames)


def find_frames(
    ink: np.ndarray,
) -> tuple[tuple[tuple[int, int, int, int], np.ndarray, np.ndarray], ...]:
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


def find_text_regions(page: PageInk) -> list[TextRegion]:
    """Lines of ink: smear the ink mask horizontally, keep text-sized blobs."""
    smear = ndimage.uniform_filter1d(page.ink.astype(np.float32), size=round(17 * _S), axis=1)
    smear = smear > 0.02
    smear = ndimage.binary_closing(smear, structure=np.ones((3, 1), bool))
    labels, _ = ndimage.label(smear)
    regions: list[TextRegion] = []
    for index, slc in enumerate(ndimage.find_objects(labels), start=1):
        if slc is None:
            continue
        ys, xs = slc
        h, w = ys.stop - ys.start, xs.stop - xs.start
        if not (8 * _S <= h <= 70 * _S and w >= 24 * _S and w >= h):
            continue
        ink_count = int(page.ink[slc][labels[slc] == index].sum())
        if ink_count < 60 * _S * _S:
            continue
        box_work = (xs.start, ys.start, w, h)
        s = page.scale
        box = (round(xs.start * s), round(ys.start * s), round(w * s), round(h * s))
        regions.append(TextRegion(box_work=box_work, box=box))
    return regions


def _cv(values: np.ndarray) -> float:
    if values.size < 2:
        return 0.0
    mean = float(np.mean(np.abs(values)))
    return float(np.std(values) / mean) if mean > 1e-6 else 0.0


def _axial_spread(angles: np.ndarray) -> float:
    """Circular spread of orientations (axial data: theta and theta + pi are the same
    line), so near-vertical strokes at +-90 degrees do not look maximally different."""
    resultant = float(np.abs(np.mean(np.exp(2j * angles))))
    return float(np.sqrt(-2.0 * np.log(max(resultant, 1e-12))) / 2.0)


def region_features(page: PageInk, region: TextRegion) -> np.ndarray:
    """The feature vector (order :data:`FEATURE_NAMES`) of one text region."""
    x, y, w, h = region.box_work
    mask = page.ink[y : y + h, x : x + w]
    rgb = page.rgb[y : y + h, x : x + w]
    depth = (page.background - page.gray)[y : y + h, x : x + w]
    ink_rgb = rgb[mask]
    ink_depth = depth[mask]
    r, g, b = ink_rgb[:, 0], ink_rgb[:, 1], ink_rgb[:, 2]
    blue_excess = float(np.mean(b - (r + g) / 2) / 255)
    red_excess = float(np.mean(r - g) / 255)
    chroma = float(np.mean(ink_rgb.max(axis=1) - ink_rgb.min(axis=1)) / 255)
    darkness = float(np.mean(ink_depth) / 255)
    darkness_cv = _cv(ink_depth)

    dist = ndimage.distance_transform_edt(mask)
    ridge = mask & (dist >= ndimage.maximum_filter(dist, size=3))
    widths = dist[ridge] * 2
    stroke_width = float(np.mean(widths)) if widths.size else 0.0
    stroke_width_cv = _cv(widths)

    labels, count = ndimage.label(mask, structure=np.ones((3, 3), bool))
    heights, widths_c, bottoms, tops, centres, lefts, rights, slants = ([] for _ in range(8))
    if count:
        index_all = np.arange(1, count + 1)
        sizes = ndimage.sum_labels(mask, labels, index=index_all)
        # Orientation of every component at once, from its second moments (the same
        # angle np.cov would give: the ddof factor cancels in the arctan).
        yy, xx = np.indices(mask.shape, dtype=np.float64)
        n = np.maximum(sizes, 1)
        mx = ndimage.sum_labels(xx, labels, index_all) / n
        my = ndimage.sum_labels(yy, labels, index_all) / n
        cxx = ndimage.sum_labels(xx * xx, labels, index_all) / n - mx * mx
        cyy = ndimage.sum_labels(yy * yy, labels, index_all) / n - my * my
        cxy = ndimage.sum_labels(xx * yy, labels, index_all) / n - mx * my
        angles = 0.5 * np.arctan2(2 * cxy, cxx - cyy)
        for index, slc in enumerate(ndimage.find_objects(labels), start=1):
            if slc is None or sizes[index - 1] < 6:
                continue
            ys, xs = slc
            heights.append(ys.stop - ys.start)
            widths_c.append(xs.stop - xs.start)
            bottoms.append(ys.stop)
            tops.append(ys.start)
            centres.append((xs.start + xs.stop) / 2)
            lefts.append(xs.start)
            rights.append(xs.stop)
            slants.append(float(angles[index - 1]))
    heights_a = np.asarray(heights, np.float32)
    unit = float(np.median(heights_a)) if heights_a.size else float(h)
    unit = max(unit, 1.0)

    def wobble(levels: list[int]) -> float:
        if len(levels) < 3:
            return 0.0
        xs_ = np.asarray(centres, np.float64)
        ys_ = np.asarray(levels, np.float64)
        with warnings.catch_warnings():
            # Characters stacked in one column: the fit is degenerate but harmless.
            warnings.simplefilter("ignore", np.exceptions.RankWarning)
            coeff = np.polyfit(xs_, ys_, 1)
        residual = ys_ - np.polyval(coeff, xs_)
        return float(np.median(np.abs(residual)) / unit)

    order = np.argsort(lefts) if lefts else np.array([], int)
    gaps = (
        np.asarray(lefts, np.float32)[order][1:] - np.asarray(rights, np.float32)[order][:-1]
        if len(order) > 1
        else np.zeros(0, np.float32)
    )
    return np.array(
        [
            blue_excess,
            red_excess,
            chroma,
            darkness,
            darkness_cv,
            stroke_width / unit,
            stroke_width_cv,
            wobble(bottoms),
            wobble(tops),
            _cv(heights_a),
            _cv(np.asarray(widths_c, np.float32)),
            _cv(gaps),
            float(np.std(gaps) / unit) if gaps.size > 1 else 0.0,
            _axial_spread(np.asarray(slants)) if len(slants) > 1 else 0.0,
            len(heights) / max(1.0, w / unit),
            float(mask.mean()),
            h / (30.0 * _S),
            w / max(h, 1),
            in_frame(page, region.box_work),
        ],
        dtype=np.float32,
    )


def page_region_features(rgb: np.ndarray) -> tuple[list[TextRegion], np.ndarray]:
    """All text regions of a page and their feature matrix (n x len(FEATURE_NAMES))."""
    page = page_ink(rgb)
    regions = find_text_regions(page)
    if not regions:
        return [], np.zeros((0, len(FEATURE_NAMES)), np.float32)
    return regions, np.vstack([region_features(page, r) for r in regions])
