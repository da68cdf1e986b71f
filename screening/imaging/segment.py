"""Cut one located MRZ line into its fixed-pitch character cells.

The line is first resampled into a horizontal strip with a standard character height
(:func:`line_strip`). Inside the strip, glyph blobs give character centres; the MRZ has
no spaces (fillers ``<`` are printed), so the glyphs form one unbroken run whose length is
known (30, 36 or 44). A smooth (quadratic) fit of centre against index absorbs
perspective foreshortening; merged blobs are split and broken ones merged by that fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from screening.imaging.locate import TextLine

STRIP_CHAR_H = 30.0  # character height in the resampled strip, in pixels


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


def line_strip(gray: np.ndarray, line: TextLine, reverse: bool) -> Strip:
    """Resample ``line`` into a horizontal strip; ``reverse`` reads it turned by 180 deg."""
    ratio = STRIP_CHAR_H / max(line.height * 0.8, 1.0)
    u = np.array(line.direction) * (-1.0 if reverse else 1.0)
    n = np.array([-u[1], u[0]])
    width = round((line.length + 2.5 * line.height) * ratio)
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


def _glyph_boxes(strip: np.ndarray) -> np.ndarray:
    """Bounding boxes (x, y, w, h) of dark blobs of glyph size near the strip's middle."""
    block = int(STRIP_CHAR_H * 1.6) | 1
    binary = cv2.adaptiveThreshold(
        strip, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12
    )
    count, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    boxes = stats[1:count, :4]
    mid = strip.shape[0] / 2
    keep = (
        (boxes[:, 3] >= 0.35 * STRIP_CHAR_H)
        & (boxes[:, 3] <= 1.6 * STRIP_CHAR_H)
        & (np.abs(boxes[:, 1] + boxes[:, 3] / 2 - mid) < 0.6 * STRIP_CHAR_H)
        & (stats[1:count, 4] >= 0.04 * STRIP_CHAR_H**2)
    )
    return boxes[keep]


def _unit_centres(boxes: np.ndarray, pitch: float) -> np.ndarray:
    """Glyph centres: split blobs wider than a pitch, merge fragments of one cell."""
    centres: list[float] = []
    for x, _, w, _ in boxes:
        parts = max(1, round(w / pitch))
        if parts == 1:
            centres.append(x + w / 2)
        else:
            step = w / parts
            centres.extend(x + step * (k + 0.5) for k in range(parts))
    centres.sort()
    merged: list[float] = []
    for c in centres:
        if merged and c - merged[-1] < 0.45 * pitch:
            merged[-1] = (merged[-1] + c) / 2
        else:
            merged.append(c)
    return np.array(merged)


def _longest_run(centres: np.ndarray, pitch: float) -> np.ndarray:
    if len(centres) == 0:
        return centres
    breaks = np.nonzero(np.diff(centres) > 1.9 * pitch)[0]
    runs = np.split(centres, breaks + 1)
    return max(runs, key=lambda r: r[-1] - r[0] if len(r) > 1 else 0)


def estimate_pitch(strip: np.ndarray) -> float:
    return STRIP_CHAR_H * 1.0 / 0.98


def segment_line(strip: np.ndarray, n_chars: int) -> Cells | None:
    """Cell centres for ``n_chars`` fixed-pitch characters, or None if no run fits."""
    boxes = _glyph_boxes(strip)
    if len(boxes) < n_chars // 3:
        return None
    tall = boxes[boxes[:, 3] >= 0.75 * STRIP_CHAR_H]
    ref = tall if len(tall) >= 3 else boxes
    top = float(np.median(ref[:, 1]))
    bottom = float(np.median(ref[:, 1] + ref[:, 3]))
    char_h = max(bottom - top, 4.0)
    nominal_pitch = char_h * 1.0
    centres = _longest_run(_unit_centres(boxes, nominal_pitch), nominal_pitch)
    if len(centres) < n_chars // 3:
        return None
    span = centres[-1] - centres[0]
    pitch = span / (n_chars - 1)
    if not 0.75 * nominal_pitch <= pitch <= 1.3 * nominal_pitch:
        return None
    index = np.arange(n_chars, dtype=float)
    fitted = centres[0] + pitch * index
    # Refine: assign each centre to its nearest cell and fit a quadratic (perspective).
    for _ in range(2):
        k = np.clip(np.round((centres - fitted[0]) / pitch), 0, n_chars - 1)
        if len(np.unique(k)) < 6:
            break
        deg = 2 if len(np.unique(k)) >= 12 else 1
        coef = np.polyfit(k, centres, deg)
        residual = np.abs(np.polyval(coef, k) - centres)
        good = residual < 0.35 * pitch
        if good.sum() >= 6:
            coef = np.polyfit(k[good], centres[good], deg)
        fitted = np.polyval(coef, index)
        pitch = float(np.median(np.diff(fitted)))
    local_pitch = np.gradient(fitted)
    return Cells(centers=fitted, pitch=local_pitch, top=top, bottom=bottom)
