"""Cut one located MRZ line into its fixed-pitch character cells.

The line is first resampled into a horizontal strip with a standard character height
(:func:`line_strip`). Inside the strip, glyph blobs give character centres; the MRZ has
no spaces (fillers ``<`` are printed), so the glyphs form one unbroken run whose length is
known (30, 36 or 44). A smooth (quadratic) fit of centre against index absorbs
perspective foreshortening; merged blobs are split and broken ones merged by that fit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from screening.imaging.locate import TextLine
from screening.imaging.ocrb import CAP_PER_PITCH

STRIP_CHAR_H = 30.0  # character height in the resampled strip, in pixels
MIN_BLOBS = 3
PERIODIC_MIN = 0.05  # autocorrelation of an ink profile that has a glyph period


@dataclass(frozen=True, slots=True)
class Strip:
    image: np.ndarray  # grey, horizontal, dark ink
    to_input: np.ndarray  # 2x3 affine: strip pixel -> input-image pixel


@dataclass(frozen=True, slots=True)
class Cells:
    centers: np.ndarray
    pitch: np.ndarray
    top: float
    bottom: float
    weight: float = 0.0  # glyph evidence inside the window
    leftover: float = 0.0  # glyph evidence of the same run left outside it
    empty: int = 0  # cells with no glyph found in them (a line read past its end)


def line_strip(gray: np.ndarray, line: TextLine, reverse: bool, n_chars: int = 0) -> Strip:
    """Resample ``line`` into a horizontal strip; ``reverse`` reads it turned by 180 deg.

    The strip reaches well past the blob's ends (at least the length ``n_chars`` glyphs
    would need): a line blob can miss its faint trailing fillers.
    """
    ratio = STRIP_CHAR_H / max(line.height * 0.8, 1.0)
    u = np.array(line.direction) * (-1.0 if reverse else 1.0)
    n = np.array([-u[1], u[0]])
    span = max(line.length, n_chars * line.height * 1.2) + 8.0 * line.height
    width = round(span * ratio)
    height = round(line.height * 2.6 * ratio)
    c = np.array(line.center)
    # strip (x, y) -> input: c + (x - W/2)/ratio * u + (y - H/2)/ratio * n
    to_input = np.zeros((2, 3))
    to_input[:, 0] = u / ratio
    to_input[:, 1] = n / ratio
    to_input[:, 2] = c - (width / 2) / ratio * u - (height / 2) / ratio * n
    image = cv2.warpAffine(
        gray,
        to_input,
        (width, height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return Strip(image=image, to_input=to_input)


def turned_strip(strip: Strip) -> Strip:
    """The same strip turned by 180 degrees (the line read the other way round)."""
    h, w = strip.image.shape
    flip = np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]])
    return Strip(image=cv2.flip(strip.image, -1), to_input=strip.to_input @ flip)


def _glyph_boxes(strip: np.ndarray) -> np.ndarray:
    """Boxes (x, y, w, h, area) of dark blobs of glyph size near the strip's middle."""
    block = int(STRIP_CHAR_H * 1.6) | 1
    binary = cv2.adaptiveThreshold(
        strip, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12
    )
    count, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    boxes = stats[1:count, :5]  # x, y, w, h, area
    mid = strip.shape[0] / 2
    keep = (
        (boxes[:, 3] >= 0.35 * STRIP_CHAR_H)
        & (boxes[:, 3] <= 1.6 * STRIP_CHAR_H)
        & (np.abs(boxes[:, 1] + boxes[:, 3] / 2 - mid) < 0.6 * STRIP_CHAR_H)
        & (stats[1:count, 4] >= 0.04 * STRIP_CHAR_H**2)
    )
    return boxes[keep]


def _unit_centres(boxes: np.ndarray, pitch: float, char_h: float) -> tuple[np.ndarray, np.ndarray]:
    """Glyph centres and weights: split blobs wider than a pitch, merge cell fragments.

    The weight (blob height relative to the character height) lets real glyphs outvote
    specks when choosing which run of cells is the MRZ line.
    """
    items: list[tuple[float, float]] = []
    density = boxes[:, 4] / np.maximum(boxes[:, 2] * boxes[:, 3], 1)
    typical = float(np.median(density)) if len(density) else 1.0
    for (x, _, w, h, _), fill in zip(boxes, density, strict=True):
        # Sparse wide blobs (a page edge, a frame line) weigh less than glyphs.
        weight = min(h / char_h, 1.0) * min(1.0, fill / max(typical, 1e-6))
        parts = max(1, round(w / pitch))
        step = w / parts
        items.extend((x + step * (k + 0.5), weight) for k in range(parts))
    items.sort()
    merged: list[list[float]] = []
    for c, weight in items:
        if merged and c - merged[-1][0] < 0.45 * pitch:
            merged[-1][0] = (merged[-1][0] + c) / 2
            merged[-1][1] = max(merged[-1][1], weight)
        else:
            merged.append([c, weight])
    arr = np.array(merged, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def profile_pitch(strip: np.ndarray, top: float, bottom: float) -> float | None:
    """The glyph pitch from the periodicity of the ink across the text rows, or None.

    Blur merges neighbouring glyphs into one blob and widens them, but leaves the period
    of the ink profile where it was: the first autocorrelation peak after its first dip,
    between half and 1.6 character heights (the rows measured may be widened by blur).
    """
    char_h = max(bottom - top, 4.0)
    rows = strip[max(int(top), 0) : max(int(bottom), int(top) + 1)].astype(np.float32)
    if rows.size == 0:
        return None
    profile = rows.max() - rows.mean(axis=0)
    window = max(3, int(3 * char_h)) | 1
    detrended = profile - np.convolve(profile, np.ones(window) / window, mode="same")
    power = float(np.dot(detrended, detrended))
    lo, hi = max(2, int(0.35 * char_h)), int(1.6 * char_h)
    if power <= 0 or hi + 2 >= len(detrended):
        return None
    lags = np.arange(lo, hi + 2)
    corr = np.array([float(np.dot(detrended[:-k], detrended[k:])) / power for k in lags])
    dips = [i for i in range(1, len(corr) - 1) if corr[i] <= corr[i - 1] and corr[i] < corr[i + 1]]
    if not dips:
        return None
    first = dips[0]
    peaks = [
        i
        for i in range(first + 1, len(corr) - 1)
        if corr[i] >= corr[i - 1] and corr[i] > corr[i + 1] and lags[i] >= 0.5 * char_h
    ]
    if not peaks or corr[peaks[0]] < PERIODIC_MIN or corr[peaks[0]] - corr[first] < 0.1:
        return None
    k = peaks[0]
    # Parabolic refinement of the peak.
    a, b, c = corr[k - 1], corr[k], corr[k + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c < 0 else 0.0
    return float(lags[k] + shift)


def _cell_indices(centres: np.ndarray, pitch: float) -> np.ndarray:
    """Integer cell index of each centre, walking the line (a missing glyph skips one)."""
    steps = np.maximum(1, np.round(np.diff(centres) / pitch)).astype(int)
    return np.concatenate([[0], np.cumsum(steps)])


@dataclass(frozen=True, slots=True)
class GlyphRows:
    """The glyph blobs of a strip's text line, its rows and its ink period (strip px)."""

    boxes: np.ndarray
    top: float
    bottom: float
    period: float | None


def glyph_rows(strip: np.ndarray) -> GlyphRows | None:
    """Glyph blobs between the text line's top and bottom rows, or None if too few."""
    boxes = _glyph_boxes(strip)
    # Few blobs may still hold many glyphs run together (blur): count glyphs, not blobs.
    if len(boxes) < MIN_BLOBS:
        return None
    tall = boxes[boxes[:, 3] >= 0.75 * STRIP_CHAR_H]
    ref = tall if len(tall) >= 3 else boxes
    top = float(np.median(ref[:, 1]))
    bottom = float(np.median(ref[:, 1] + ref[:, 3]))
    char_h = max(bottom - top, 4.0)
    # Glyphs sit between the text line's top and bottom; a page edge or a stamp reaching
    # far above or below it is not part of the MRZ.
    inside = (boxes[:, 1] >= top - 0.3 * char_h) & (
        boxes[:, 1] + boxes[:, 3] <= bottom + 0.3 * char_h
    )
    boxes = boxes[inside]
    if len(boxes) < MIN_BLOBS:
        return None
    return GlyphRows(boxes, top, bottom, profile_pitch(strip, top, bottom))


def turned_rows(rows: GlyphRows, shape: tuple[int, ...]) -> GlyphRows:
    """``rows`` of a strip, as seen in the strip turned by 180 degrees."""
    h, w = shape[:2]
    boxes = rows.boxes.copy()
    boxes[:, 0] = w - rows.boxes[:, 0] - rows.boxes[:, 2]
    boxes[:, 1] = h - rows.boxes[:, 1] - rows.boxes[:, 3]
    return GlyphRows(boxes, h - rows.bottom, h - rows.top, rows.period)


def segment_line(
    strip: np.ndarray,
    n_chars: int,
    max_windows: int = 3,
    rows: GlyphRows | None = None,
    period: float | None = None,
) -> list[Cells]:
    """Candidate cell layouts for ``n_chars`` fixed-pitch characters, best first.

    Usually one; when a speck or a neighbouring mark next to the line makes two windows
    of ``n_chars`` cells almost equally plausible, both are returned and the caller
    decides with the other lines of the band (MRZ lines start at the same x).
    ``period``: the glyph pitch (strip px) when the caller knows it better (the band's
    lines share one); else the line's own ink period.
    """
    rows = rows if rows is not None else glyph_rows(strip)
    if rows is None:
        return []
    boxes, top, bottom = rows.boxes, rows.top, rows.bottom
    char_h = max(bottom - top, 4.0)
    # The ink's period is the pitch; blobs wider than it are glyphs run together.
    period = period or rows.period or char_h
    centres, weights = _unit_centres(boxes, period, char_h)
    if len(centres) < n_chars // 3:
        return []
    diffs = np.diff(centres)
    plausible = diffs[(diffs > 0.7 * period) & (diffs < 1.5 * period)]
    pitch = float(np.median(plausible)) if len(plausible) >= 5 else period
    index = _cell_indices(centres, pitch)
    # Runs of cells without a gap of more than one missing glyph: the MRZ line is one.
    breaks = np.nonzero(np.diff(index) > 2)[0] + 1
    runs = np.split(np.arange(len(centres)), breaks)
    best_run = max(runs, key=lambda r: weights[r].sum())
    c_run, k_run, w_run = centres[best_run], index[best_run], weights[best_run]
    k_run = k_run - k_run[0]
    if len(c_run) < n_chars // 3:
        return []
    # Windows of n_chars cells ranked by the glyph weight they hold.
    last_start = max(int(k_run[-1]) - n_chars + 1, 0)
    scored = sorted(
        (
            (float(w_run[(k_run >= s) & (k_run < s + n_chars)].sum()), s)
            # A glyph lost at either end (touching a guilloche line, faint) shifts the
            # run: windows reaching two cells past it are scored as well.
            for s in range(-2, last_start + 3)
        ),
        key=lambda t: (-t[0], t[1]),
    )
    top_weight = scored[0][0]
    out: list[Cells] = []
    for weight, start in scored[:max_windows]:
        if weight < top_weight - 1.6:
            break
        cells = _fit_window(c_run, k_run, start, n_chars, pitch, char_h, (top, bottom), weight)
        if cells is not None:
            out.append(replace(cells, leftover=float(w_run.sum()) - weight))
    return out


def _fit_window(
    c_run: np.ndarray,
    k_run: np.ndarray,
    start: int,
    n_chars: int,
    pitch: float,
    char_h: float,
    rows: tuple[float, float],
    weight: float,
) -> Cells | None:
    inside = (k_run >= start) & (k_run < start + n_chars)
    k_in, c_in = (k_run[inside] - start).astype(float), c_run[inside]
    if len(np.unique(k_in)) < 6:
        return None
    cell_index = np.arange(n_chars, dtype=float)
    deg = 2 if len(np.unique(k_in)) >= 12 else 1
    coef = np.polyfit(k_in, c_in, deg)
    good = np.abs(np.polyval(coef, k_in) - c_in) < 0.3 * pitch
    if good.sum() >= 6:
        coef = np.polyfit(k_in[good], c_in[good], deg)
    fitted = np.polyval(coef, cell_index)
    local_pitch = np.gradient(fitted)
    pitch_fit = float(np.median(local_pitch))
    if not 0.6 * char_h <= pitch_fit <= 1.6 * char_h:
        return None
    # The cells' rows follow from the pitch (OCR-B capitals are as tall as the pitch),
    # centred where the glyphs are: blur and thresholding widen the blobs' rows, the
    # pitch and the centre stay.
    mid, half = (rows[0] + rows[1]) / 2, CAP_PER_PITCH * pitch_fit / 2
    return Cells(
        centers=fitted,
        pitch=local_pitch,
        top=mid - half,
        bottom=mid + half,
        weight=weight,
        empty=n_chars - len(np.unique(k_in)),
    )
