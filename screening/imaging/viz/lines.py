"""Find the text lines of a page, wherever they are printed (any layout).

1. **Clean** (:func:`ink_ratio`): printed values are dark, grey ink; guilloche, seals and
   coloured titles are coloured. The maximum channel plus a multiple of the chroma keeps
   grey ink dark and lifts coloured print to paper level; dividing by a background
   estimate (grey closing) flattens uneven light.
2. **Ink** (:func:`ink_mask`): pixels darker than the local paper, minus blobs taller than
   any letter (portrait, signature, seal rings: only their light pixels, so a dark digit
   touching a seal stays).
3. **Lines** (:func:`find_lines`): letters joined along the line into blobs; blobs of a
   text line's height are kept, from small labels to large values, anywhere outside the
   MRZ band; two lines touching each other (a label just above its value) are cut apart
   at their emptiest rows.

Nothing here knows a layout: no position, no label, no column is assumed.
"""

from __future__ import annotations

import cv2
import numpy as np

from screening.imaging.viz.page import Box

CHROMA_WEIGHT = 1.5
INK_RATIO = 0.85  # darker than this fraction of the local paper = ink
DARK_RATIO = 0.55  # dark ink (portrait, signature) is dropped whole when too tall
# A faint reprint can sit just above INK_RATIO: lines only the looser threshold shows are
# kept when they look like a row of characters on one baseline (guilloche does not).
LOOSE_INK_RATIO = 0.92
# Line heights kept, in MRZ character heights: small labels (~0.45) to large values (~1.3)
# with room for a value merged with its accents or its label (split below).
LINE_H = (0.38, 2.1)
TALL_BLOB = 2.2  # ink taller than this (in MRZ character heights) is no letter
# Fractions of a blob's busiest row at which a blob too tall for one line is cut.
SPLIT_LEVELS = (0.0, 0.05, 0.12, 0.2, 0.3)
MIN_COVER, MAX_COVER = 0.08, 0.75  # share of a line box that is ink
MAX_LINES = 60
LABEL_AND_VALUE_H = 0.9  # MRZ character heights: a small value and a small label


def ink_ratio(bgr: np.ndarray, text_h: float) -> np.ndarray:
    """Ink / paper ratio in [0, 1] (float32): dark ink low, paper and coloured print ~1.

    The paper level comes from a grey closing (wider than a stroke) computed at a quarter
    of the resolution: the paper changes slowly, and a full-size closing costs ~10x more."""
    # cv2 rather than numpy reductions over the channel axis: 50x faster.
    b, g, r = cv2.split(bgr)
    high = cv2.max(cv2.max(b, g), r)
    chroma = cv2.subtract(high, cv2.min(cv2.min(b, g), r))
    value = cv2.addWeighted(high, 1.0, chroma, CHROMA_WEIGHT, 0.0)  # saturates at 255
    h, w = value.shape
    small = cv2.resize(value, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    k = max(3, int(text_h * 0.2) | 1)
    background = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    )
    background = cv2.blur(background, (k, k))
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    ratio = value.astype(np.float32) / np.maximum(background.astype(np.float32), 1.0)
    return np.minimum(ratio, 1.0)


def ink_mask(ratio: np.ndarray, text_h: float, threshold: float = INK_RATIO) -> np.ndarray:
    """Ink below ``threshold`` (uint8 0/255) without blobs taller than any letter."""
    ink = (ratio < threshold).astype(np.uint8) * 255
    dark = (ratio < DARK_RATIO).astype(np.uint8)
    # Dark tall blobs (portrait, signature) go whole; of what is left, tall blobs lose only
    # their light pixels: a seal ring touching a dark digit must not take the digit along.
    for mask, light_only in ((ink & dark, False), (ink, True)):
        _, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
        tall = stats[:, cv2.CC_STAT_HEIGHT] > TALL_BLOB * text_h
        tall[0] = False
        if tall.any():
            drop = tall[labels]  # a lookup table: np.isin is far slower on a page
            ink[drop & (dark == 0) if light_only else drop] = 0
    return ink


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def split_rows(rows: np.ndarray, width: int, text_h: float) -> list[tuple[int, int]]:
    """Row runs [top, bottom) of a joined blob, each at most one line tall where possible.

    A column of lines (labels just above or below their values) touches into one blob on
    a blurred or compressed capture: a run too tall for one line is cut at its emptiest
    rows, at rising fractions of its busiest row, until every piece fits."""
    out: list[tuple[int, int]] = []

    def cut(top: int, bottom: int, level: int) -> None:
        part = rows[top:bottom]
        if bottom - top <= 1.35 * text_h or level >= len(SPLIT_LEVELS):
            out.append((top, bottom))
            return
        floor = 0.01 * width if level == 0 else SPLIT_LEVELS[level] * float(part.max())
        pieces = runs(part > max(1.0, floor))
        if pieces == [(0, len(part))]:
            cut(top, bottom, level + 1)
            return
        for a, b in pieces:
            cut(top + a, top + b, level)

    for top, bottom in runs(rows > 0):
        cut(top, bottom, 0)
    return out


def is_text_ink(ink: np.ndarray, box: Box) -> bool:
    """Ink that may be a text line: an ink cover of a line of print (strokes, not a filled
    bar or a few specks), and rows of ink running at least half the box's height."""
    x, y, w, h = box
    crop = ink[y : y + h, x : x + w] > 0
    cover = float(crop.mean())
    if not MIN_COVER <= cover <= MAX_COVER:
        return False
    rows = crop.any(axis=1)
    return max((b - a for a, b in runs(rows)), default=0) >= 0.5 * h


def line_boxes(ink: np.ndarray, text_h: float) -> list[Box]:
    """Boxes of ink joined along the line, of a text line's height."""
    gap = max(3, int(text_h * 0.7))
    joined = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1))
    )
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    boxes = []
    lo, hi = LINE_H[0] * text_h, LINE_H[1] * text_h
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if h < lo or w < 1.2 * lo:
            continue
        rows = (ink[y : y + h, x : x + w] > 0).sum(axis=1)
        for top, bottom in split_rows(rows, w, text_h):
            if not lo <= bottom - top <= hi:
                continue
            # Only a box as tall as a value and a label together may hold both.
            parts = (
                split_label(ink, (x, y + top, w, bottom - top))
                if bottom - top >= LABEL_AND_VALUE_H * text_h
                else [(y + top, y + bottom)]
            )
            for t, b in parts:
                cols = np.flatnonzero(ink[t:b, x : x + w].any(axis=0))
                if cols.size and cols[-1] - cols[0] >= 1.2 * (b - t) and b - t >= lo:
                    box = (x + int(cols[0]), t, int(cols[-1] - cols[0]) + 1, b - t)
                    if is_text_ink(ink, box):
                        boxes.append(box)
    return join_fragments(boxes)


def split_label(ink: np.ndarray, box: Box) -> list[tuple[int, int]]:
    """Rows [top, bottom) of a line box, with a small label that touches or overlaps its
    value from above or below cut off (a crude overprint, a tight design): glyphs of two
    sizes, the small ones (at least four, over a third of the width, label-sized rather
    than accents or dots) standing out of the large ones' band."""
    x, y, w, h = box
    _, _, stats, _ = cv2.connectedComponentsWithStats(
        (ink[y : y + h, x : x + w] > 0).astype(np.uint8)
    )
    st = stats[1:]
    if len(st) < 6:
        return [(y, y + h)]
    tops, heights = st[:, cv2.CC_STAT_TOP], st[:, cv2.CC_STAT_HEIGHT]
    big = heights >= 0.7 * float(np.percentile(heights, 90))
    if big.sum() < 3:
        return [(y, y + h)]
    band_top = float(np.median(tops[big]))
    band_bottom = float(np.median(tops[big] + heights[big]))
    band = band_bottom - band_top
    label_sized = (heights >= 0.25 * band) & (heights <= 0.75 * band)
    above = label_sized & (tops + heights <= band_top + 0.35 * band)
    below = label_sized & (tops >= band_bottom - 0.35 * band)
    out = []
    for side, cut in ((above, band_top), (below, band_bottom)):
        lefts, widths = st[side, cv2.CC_STAT_LEFT], st[side, cv2.CC_STAT_WIDTH]
        if side.sum() >= 4 and (lefts + widths).max() - lefts.min() >= w / 3:
            edge = tops[side].min() if cut == band_top else (tops + heights)[side].max()
            out.append((int(cut), int(edge)))
    if not out:
        return [(y, y + h)]
    rows = [(y + int(band_top) - 1, y + int(np.ceil(band_bottom)) + 1)]
    for cut, edge in out:
        rows.append((y + edge, y + cut) if edge < cut else (y + cut, y + edge))
    return [(max(y, t), min(y + h, b)) for t, b in rows if b > t]


def join_fragments(boxes: list[Box]) -> list[Box]:
    """Boxes on one baseline joined when a short one (a day, a month, a word of a name)
    sits within one line height of its neighbour: a value printed with wide spacing
    (\"02   MAY   2037\") is one value, read in one piece. Two long boxes stay apart
    (two columns of values)."""
    out: list[Box] = []
    # Left to right, each box joins the first box already kept on its line (one pass: the
    # page has a few hundred boxes).
    for b in sorted(boxes, key=lambda b: b[0]):
        for i, a in enumerate(out):
            if abs(a[1] - b[1]) < max(a[3], b[3]) and _same_line(a, b):
                out[i] = _union(a, b)
                break
        else:
            out.append(b)
    return out


def _same_line(a: Box, b: Box) -> bool:
    left, right = (a, b) if a[0] <= b[0] else (b, a)
    low, high = sorted((a[3], b[3]))
    overlap = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    gap = right[0] - (left[0] + left[2])
    short = min(a[2] / a[3], b[2] / b[3]) <= 3.5
    return short and high <= 1.4 * low and overlap >= 0.6 * low and -0.2 * high <= gap <= 1.6 * high


def _union(a: Box, b: Box) -> Box:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def text_like(ink: np.ndarray, box: Box) -> bool:
    """A row of at least four character-sized blobs, most of them on one baseline."""
    x, y, w, h = box
    _, _, stats, _ = cv2.connectedComponentsWithStats(
        (ink[y : y + h, x : x + w] > 0).astype(np.uint8)
    )
    heights, widths = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    glyph = (heights >= 0.55 * h) & (widths >= 0.1 * h) & (widths <= 1.2 * h)
    if int(glyph.sum()) < 4:
        return False
    bottoms = (stats[1:, cv2.CC_STAT_TOP] + heights)[glyph]
    on_baseline = np.abs(bottoms - np.median(bottoms)) <= 0.15 * h
    return int(on_baseline.sum()) >= max(4, int(0.7 * glyph.sum()))


def _clear(mask: np.ndarray, exclude: Box | None) -> np.ndarray:
    if exclude is not None:
        x, y, w, h = exclude
        mask[max(0, y) : max(0, y + h), max(0, x) : max(0, x + w)] = 0
    return mask


def find_lines(
    ratio: np.ndarray, text_h: float, exclude: Box | None = None
) -> tuple[list[Box], np.ndarray]:
    """Text line boxes [x, y, w, h] (top to bottom) and the ink they were found on.
    Lines touching ``exclude`` (the MRZ band) are left out."""
    ink = _clear(ink_mask(ratio, text_h), exclude)
    boxes = line_boxes(ink, text_h)
    boxes.sort(key=lambda b: -b[3] * min(b[2], 12 * b[3]))
    return sorted(boxes[:MAX_LINES], key=lambda b: (b[1], b[0])), ink


def faint_lines(
    ratio: np.ndarray, text_h: float, ink: np.ndarray, boxes: list[Box], exclude: Box | None = None
) -> list[Box]:
    """Lines only a looser ink threshold shows (a faint or lighter reprint), overlapping
    no line found, that look like a row of characters on one baseline (:func:`text_like`;
    guilloche passes the loose threshold too, but not as such a row). Their loose ink is
    added to ``ink``. Looked for only when a field is still missing (a genuine page
    rarely needs them)."""
    loose = _clear(ink_mask(ratio, text_h, LOOSE_INK_RATIO), exclude)
    out: list[Box] = []
    for box in line_boxes(loose, text_h):
        if any(_overlaps(box, b) for b in [*boxes, *out]) or not text_like(loose, box):
            continue
        bx, by, bw, bh = box
        ink[by : by + bh, bx : bx + bw] |= loose[by : by + bh, bx : bx + bw]
        out.append(box)
    return out
