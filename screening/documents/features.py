"""The features that tell handwriting from print, per text region.

The page is brought upright at a working scale (:mod:`screening.documents.ink`) and cut
into words (:mod:`screening.documents.regions`); boxes are returned in the caller's
pixels. Per region, :func:`analyse_page` measures what an examiner looks at, in terms
that hold for any layout, label language, font, pen or paper:

* ink — colour (blue/violet/red excess, chroma), darkness and how it varies along the
  strokes (pen pressure), and how far the word's ink is from the page's usual ink;
* strokes — width and its variation (distance transform on the stroke ridge), the share
  of edge energy exactly horizontal or vertical (typeset stems and bars), how straight
  the strokes run locally (orientation coherence);
* glyphs — how many of the word's characters have an identical twin elsewhere on the
  page (printing repeats its glyphs exactly; a hand never does), their height, width and
  gap variation, and slant spread;
* line — baseline and top-line wobble, baseline slope, characters per text height
  (cursive joins letters), the word's height against the page's usual word;
* enclosure — whether the word sits inside a closed ink frame (a rubber stamp's
  rectangle or ring: stamps print their text in ballpoint-like ink).

The maps (stroke distance, gradients, structure tensor) are computed once per page and
read per region.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from screening.documents.ink import PageInk, S, in_frame, page_ink
from screening.documents.regions import (
    PageComponents,
    TextRegion,
    find_text_regions,
    page_components,
)

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
    "hv_edge_share",
    "coherence",
    "twin_share",
    "ink_distance",
    "ridge_darkness_cv",
    "baseline_slope",
    "height_vs_page",
)
TWIN_GRID = 5  # glyph shape descriptor: the glyph pooled to 5 x 5, thresholded

__all__ = ["FEATURE_NAMES", "PageAnalysis", "TextRegion", "analyse_page", "page_region_features"]


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


def shape_key(glyph: np.ndarray) -> bytes:
    """A glyph's shape, pooled to a small grid and thresholded, with its size (to two
    work pixels): equal keys for the same typeset character, rarely for two
    handwritten ones."""
    h, w = glyph.shape
    rows = np.minimum(np.arange(TWIN_GRID) * h // TWIN_GRID, h - 1)
    cols = np.minimum(np.arange(TWIN_GRID) * w // TWIN_GRID, w - 1)
    sums = np.add.reduceat(np.add.reduceat(glyph.astype(np.int32), rows, axis=0), cols, axis=1)
    counts = np.outer(np.diff(np.append(rows, h)), np.diff(np.append(cols, w)))
    bits = (2 * sums > np.maximum(counts, 1)).astype(np.uint8)
    return bytes([min(255, h // 2), min(255, w // 2)]) + np.packbits(bits).tobytes()


@dataclass(frozen=True, slots=True)
class _PageMaps:
    depth: np.ndarray  # paper level minus grey
    ridge: np.ndarray  # bool: stroke ridge pixels
    width: np.ndarray  # stroke width at each pixel (2 x distance to the stroke edge)
    edge_magnitude: np.ndarray
    edge_upright: np.ndarray  # bool: edge direction within 10 degrees of an axis
    coherence: np.ndarray
    ink_rgb: np.ndarray  # the page's median ink colour
    word_height: float  # the page's median region height


def _page_maps(page: PageInk, regions: list[TextRegion]) -> _PageMaps:
    """The maps over the part of the page the regions cover (zero elsewhere)."""
    shape = page.ink.shape
    boxes = np.asarray([r.box_work for r in regions])
    y0 = max(0, int(boxes[:, 1].min()) - 4)
    x0 = max(0, int(boxes[:, 0].min()) - 4)
    y1 = min(shape[0], int((boxes[:, 1] + boxes[:, 3]).max()) + 4)
    x1 = min(shape[1], int((boxes[:, 0] + boxes[:, 2]).max()) + 4)
    area = (slice(y0, y1), slice(x0, x1))
    ink = page.ink[area]
    dist = ndimage.distance_transform_cdt(ink, metric="taxicab").astype(np.float32)
    ridge = ink & (dist >= ndimage.maximum_filter(dist, size=3))
    smooth = ndimage.uniform_filter(page.gray[area], size=3)
    gy, gx = np.gradient(smooth)
    ax, ay = np.abs(gx), np.abs(gy)
    # Within 10 degrees of an axis: the smaller component under tan(10 deg) of the larger.
    upright = np.minimum(ax, ay) < 0.1763 * np.maximum(ax, ay)
    jxx = ndimage.uniform_filter(gx * gx, size=5)
    jyy = ndimage.uniform_filter(gy * gy, size=5)
    jxy = ndimage.uniform_filter(gx * gy, size=5)

    def full(part: np.ndarray, dtype: type = np.float32) -> np.ndarray:
        out = np.zeros(shape, dtype)
        out[area] = part
        return out

    ink_pixels = page.rgb[page.ink][::3]
    return _PageMaps(
        depth=page.background - page.gray,
        ridge=full(ridge, bool),
        width=full(dist * 2),
        edge_magnitude=full(np.hypot(gx, gy)),
        edge_upright=full(upright, bool),
        coherence=full(np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (jxx + jyy + 1e-3)),
        ink_rgb=np.median(ink_pixels, axis=0) if len(ink_pixels) else np.zeros(3, np.float32),
        word_height=float(np.median(boxes[:, 3])),
    )


def _line_fit(centres: np.ndarray, levels: np.ndarray, unit: float) -> tuple[float, float]:
    """Median residual (in character heights) and slope (degrees) of a line fit."""
    if levels.size < 3:
        return 0.0, 0.0
    with warnings.catch_warnings():
        # Characters stacked in one column: the fit is degenerate but harmless.
        warnings.simplefilter("ignore", np.exceptions.RankWarning)
        coeff = np.polyfit(centres, levels, 1)
    residual = levels - np.polyval(coeff, centres)
    return float(np.median(np.abs(residual)) / unit), float(np.degrees(np.arctan(coeff[0])))


def _region_features(
    page: PageInk,
    region: TextRegion,
    components: PageComponents,
    maps: _PageMaps,
    twins: Counter[bytes],
    keys: dict[int, bytes],
) -> np.ndarray:
    x, y, w, h = region.box_work
    window = (slice(y, y + h), slice(x, x + w))
    members = np.asarray(region.members, np.int64)
    ids = components.label_ids[members]
    mask = np.isin(components.labels[window], ids)
    ink_rgb = page.rgb[window][mask]
    ink_depth = maps.depth[window][mask]
    r, g, b = ink_rgb[:, 0], ink_rgb[:, 1], ink_rgb[:, 2]
    ridge = maps.ridge[window] & mask
    widths = maps.width[window][ridge]
    boxes = components.boxes[members].astype(np.float64)
    heights, widths_c = boxes[:, 3] - boxes[:, 1], boxes[:, 2] - boxes[:, 0]
    unit = max(float(np.median(heights)) if heights.size else float(h), 1.0)
    near = ndimage.binary_dilation(mask, iterations=1)
    magnitude = maps.edge_magnitude[window][near]
    hv_share = float(magnitude[maps.edge_upright[window][near]].sum() / (magnitude.sum() + 1e-6))
    centres = (boxes[:, 0] + boxes[:, 2]) / 2
    bottom_wobble, slope = _line_fit(centres, boxes[:, 3], unit)
    top_wobble, _ = _line_fit(centres, boxes[:, 1], unit)
    order = np.argsort(boxes[:, 0])
    gaps = boxes[order, 0][1:] - boxes[order, 2][:-1] if order.size > 1 else np.zeros(0)
    twin = float(np.mean([twins[keys[m]] > 1 for m in region.members]))
    angles = components.angles[members]
    return np.array(
        [
            float(np.mean(b - (r + g) / 2) / 255),
            float(np.mean(r - g) / 255),
            float(np.mean(np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)) / 255),
            float(np.mean(ink_depth) / 255),
            _cv(ink_depth),
            (float(np.mean(widths)) if widths.size else 0.0) / unit,
            _cv(widths),
            bottom_wobble,
            top_wobble,
            _cv(heights),
            _cv(widths_c),
            _cv(gaps),
            float(np.std(gaps) / unit) if gaps.size > 1 else 0.0,
            _axial_spread(angles) if angles.size > 1 else 0.0,
            heights.size / max(1.0, w / unit),
            float(mask.mean()),
            h / (30.0 * S),
            w / max(h, 1),
            in_frame(page, region.box_work),
            hv_share,
            float(np.mean(maps.coherence[window][mask])) if mask.any() else 0.0,
            twin,
            float(np.linalg.norm(np.mean(ink_rgb, axis=0) - maps.ink_rgb) / 255),
            _cv(maps.depth[window][ridge]),
            abs(slope),
            h / max(1.0, maps.word_height),
        ],
        dtype=np.float32,
    )


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    regions: list[TextRegion]
    features: np.ndarray  # n x len(FEATURE_NAMES)
    angle: float  # the turn of the text lines undone, degrees (see screening.documents.ink)


def analyse_page(rgb: np.ndarray) -> PageAnalysis:
    """All text regions of a page, their feature matrix and the page's line direction."""
    page = page_ink(rgb)
    components = page_components(page.ink)
    regions = find_text_regions(page, components)
    if not regions:
        return PageAnalysis([], np.zeros((0, len(FEATURE_NAMES)), np.float32), page.angle)
    maps = _page_maps(page, regions)
    keys: dict[int, bytes] = {}
    for region in regions:
        for m in region.members:
            x0, y0, x1, y1 = components.boxes[m]
            keys[m] = shape_key(components.labels[y0:y1, x0:x1] == components.label_ids[m])
    twins: Counter[bytes] = Counter(keys.values())
    features = np.vstack(
        [_region_features(page, r, components, maps, twins, keys) for r in regions]
    )
    return PageAnalysis(regions, features, page.angle)


def page_region_features(rgb: np.ndarray) -> tuple[list[TextRegion], np.ndarray]:
    """All text regions of a page and their feature matrix (n x len(FEATURE_NAMES))."""
    analysis = analyse_page(rgb)
    return analysis.regions, analysis.features
