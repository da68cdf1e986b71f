"""Text regions of a page and the features that tell handwriting from print.

The page is first brought upright at a working scale (:mod:`screening.documents.ink`);
boxes are returned in the caller's pixels. Per text region (one line of ink),
:func:`region_features` measures what an examiner looks at, in terms that hold for any
layout, label language, font, pen or paper:

* ink — colour (blue/violet/red excess, chroma), darkness and how it varies along the
  strokes (pen pressure), and how far the line's ink is from the page's usual ink;
* strokes — width and its variation (distance transform on the stroke ridge), the share
  of edge energy exactly horizontal or vertical (typeset stems and bars), how straight
  the strokes run locally (orientation coherence);
* glyphs — how many of the line's characters have an identical twin elsewhere on the
  page (printing repeats its glyphs exactly; a hand never does), their height, width
  and gap variation, and slant spread;
* line — baseline and top-line wobble, baseline slope, characters per text height
  (cursive joins letters), the line's height against the page's usual line;
* enclosure — whether the line sits inside a closed ink frame (a rubber stamp's
  rectangle or ring: stamps print their text in ballpoint-like ink).
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from screening.documents.ink import PageInk, in_frame, page_ink
from screening.documents.ink import S as _S

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
_TWIN_GRID = 5  # glyph shape descriptor: the glyph pooled to 5 x 5, thresholded


@dataclass(frozen=True, slots=True)
class TextRegion:
    """One line of ink: its box in work pixels and in the caller's pixels."""

    box_work: tuple[int, int, int, int]
    box: tuple[int, int, int, int]


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
        regions.append(TextRegion(box_work=box_work, box=page.box_to_input(box_work)))
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


@dataclass(slots=True)
class _Glyphs:
    """The connected components of one region (characters, or joined cursive runs)."""

    heights: np.ndarray
    widths: np.ndarray
    bottoms: np.ndarray
    tops: np.ndarray
    centres: np.ndarray
    lefts: np.ndarray
    rights: np.ndarray
    slants: np.ndarray
    shapes: list[bytes]  # shape descriptors, for twins across the page


def _glyphs(mask: np.ndarray) -> _Glyphs:
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), bool))
    rows: list[tuple[float, ...]] = []
    shapes: list[bytes] = []
    if count:
        index_all = np.arange(1, count + 1)
        sizes = ndimage.sum_labels(mask, labels, index=index_all)
        # Orientation of every component at once, from its second moments.
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
            rows.append(
                (
                    ys.stop - ys.start,
                    xs.stop - xs.start,
                    ys.stop,
                    ys.start,
                    (xs.start + xs.stop) / 2,
                    xs.start,
                    xs.stop,
                    float(angles[index - 1]),
                )
            )
            shapes.append(_shape_key(labels[slc] == index))
    table = np.asarray(rows, np.float64).reshape(-1, 8)
    return _Glyphs(*(table[:, i] for i in range(8)), shapes=shapes)


def _shape_key(glyph: np.ndarray) -> bytes:
    """A glyph's shape, pooled to a small grid and thresholded, with its size (to half
    a work pixel's rounding): equal keys for the same typeset character, rarely for two
    handwritten ones."""
    h, w = glyph.shape
    pooled = Image.fromarray(glyph.astype(np.uint8) * 255).resize(
        (_TWIN_GRID, _TWIN_GRID), Image.Resampling.BOX
    )
    bits = (np.asarray(pooled) > 127).astype(np.uint8)
    return bytes([min(255, h // 2), min(255, w // 2)]) + np.packbits(bits).tobytes()


@dataclass(frozen=True, slots=True)
class _PageContext:
    ink_rgb: np.ndarray  # the page's median ink colour
    line_height: float  # the page's median text-line height


def _page_context(page: PageInk, regions: list[TextRegion]) -> _PageContext:
    ink_pixels = page.rgb[page.ink][::3]
    ink_rgb = np.median(ink_pixels, axis=0) if len(ink_pixels) else np.zeros(3, np.float32)
    heights = [r.box_work[3] for r in regions]
    return _PageContext(ink_rgb=ink_rgb, line_height=float(np.median(heights)) if heights else 20.0)


def _edges(gray: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """Share of edge energy round the strokes that is exactly upright or level (typeset
    stems and bars; a hand's strokes are slanted and curved), and the mean orientation
    coherence (structure tensor) on the strokes."""
    smooth = ndimage.gaussian_filter(gray, 0.8)
    gy, gx = np.gradient(smooth)
    near = ndimage.binary_dilation(mask, iterations=1)
    mx, my = gx[near], gy[near]
    magnitude = np.hypot(mx, my)
    theta = np.abs(np.degrees(np.arctan2(my, mx))) % 90.0
    upright = (theta < 10) | (theta > 80)
    hv_share = float(magnitude[upright].sum() / (magnitude.sum() + 1e-6))
    jxx = ndimage.gaussian_filter(gx * gx, 2.0)
    jyy = ndimage.gaussian_filter(gy * gy, 2.0)
    jxy = ndimage.gaussian_filter(gx * gy, 2.0)
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (jxx + jyy + 1e-3)
    return hv_share, float(np.mean(coherence[mask])) if mask.any() else 0.0


def region_features(
    page: PageInk, region: TextRegion, context: _PageContext, glyphs: _Glyphs, twins: Counter[bytes]
) -> np.ndarray:
    """The feature vector (order :data:`FEATURE_NAMES`) of one text region."""
    x, y, w, h = region.box_work
    mask = page.ink[y : y + h, x : x + w]
    rgb = page.rgb[y : y + h, x : x + w]
    depth = (page.background - page.gray)[y : y + h, x : x + w]
    ink_rgb = rgb[mask]
    ink_depth = depth[mask]
    r, g, b = ink_rgb[:, 0], ink_rgb[:, 1], ink_rgb[:, 2]

    dist = ndimage.distance_transform_edt(mask)
    ridge = mask & (dist >= ndimage.maximum_filter(dist, size=3))
    widths = dist[ridge] * 2
    unit = max(float(np.median(glyphs.heights)) if glyphs.heights.size else float(h), 1.0)

    hv_share, coherence = _edges(page.gray[y : y + h, x : x + w], mask)

    def fit(levels: np.ndarray) -> tuple[float, float]:
        """Median residual (in character heights) and slope (degrees) of a line fit."""
        if levels.size < 3:
            return 0.0, 0.0
        with warnings.catch_warnings():
            # Characters stacked in one column: the fit is degenerate but harmless.
            warnings.simplefilter("ignore", np.exceptions.RankWarning)
            coeff = np.polyfit(glyphs.centres, levels, 1)
        residual = levels - np.polyval(coeff, glyphs.centres)
        return float(np.median(np.abs(residual)) / unit), float(np.degrees(np.arctan(coeff[0])))

    bottom_wobble, slope = fit(glyphs.bottoms)
    top_wobble, _ = fit(glyphs.tops)
    order = np.argsort(glyphs.lefts)
    gaps = glyphs.lefts[order][1:] - glyphs.rights[order][:-1] if order.size > 1 else np.zeros(0)
    twin = float(np.mean([twins[s] > 1 for s in glyphs.shapes])) if glyphs.shapes else 0.0
    ridge_depth = depth[ridge]
    return np.array(
        [
            float(np.mean(b - (r + g) / 2) / 255),
            float(np.mean(r - g) / 255),
            float(np.mean(ink_rgb.max(axis=1) - ink_rgb.min(axis=1)) / 255),
            float(np.mean(ink_depth) / 255),
            _cv(ink_depth),
            (float(np.mean(widths)) if widths.size else 0.0) / unit,
            _cv(widths),
            bottom_wobble,
            top_wobble,
            _cv(glyphs.heights),
            _cv(glyphs.widths),
            _cv(gaps),
            float(np.std(gaps) / unit) if gaps.size > 1 else 0.0,
            _axial_spread(glyphs.slants) if glyphs.slants.size > 1 else 0.0,
            glyphs.heights.size / max(1.0, w / unit),
            float(mask.mean()),
            h / (30.0 * _S),
            w / max(h, 1),
            in_frame(page, region.box_work),
            hv_share,
            coherence,
            twin,
            float(np.linalg.norm(np.mean(ink_rgb, axis=0) - context.ink_rgb) / 255),
            _cv(ridge_depth),
            abs(slope),
            h / max(1.0, context.line_height),
        ],
        dtype=np.float32,
    )


def page_region_features(rgb: np.ndarray) -> tuple[list[TextRegion], np.ndarray]:
    """All text regions of a page and their feature matrix (n x len(FEATURE_NAMES))."""
    page = page_ink(rgb)
    regions = find_text_regions(page)
    if not regions:
        return [], np.zeros((0, len(FEATURE_NAMES)), np.float32)
    context = _page_context(page, regions)
    glyphs = [
        _glyphs(page.ink[y : y + h, x : x + w]) for x, y, w, h in (r.box_work for r in regions)
    ]
    twins: Counter[bytes] = Counter(s for g in glyphs for s in g.shapes)
    return regions, np.vstack(
        [region_features(page, r, context, g, twins) for r, g in zip(regions, glyphs, strict=True)]
    )
