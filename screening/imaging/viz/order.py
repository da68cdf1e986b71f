"""Which line to read next (pure, cheap): reading costs ~0.7 ms of one core per character
width, and a page has 20-60 lines, most of them labels, titles and bits of the portrait.

Nothing here reads a character. From the ink alone:

- **value-like** (:func:`first_order`): a row of character-sized glyphs on one baseline, of
  a printed value's height for the format (passports print values about as tall as the
  MRZ, cards smaller), no wider than any value; values first, top to bottom, then taller
  lines (titles), then labels; bits of the portrait or a seal (fewer than two glyphs)
  last.
- **shaped like a missing field** (:func:`fits`): the MRZ says how many characters the
  value has, so a line one tenth or three times as wide cannot hold it. Once the first
  lines are read, the unread ones that could hold a missing field come first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from screening.imaging.viz.page import Box

# Printed value heights, in MRZ character heights, by MRZ line length: passports and
# visas print values about as tall as the MRZ; cards smaller (ICAO 9303 Parts 4-6).
VALUE_H = {44: (0.75, 1.3), 36: (0.65, 1.3), 30: (0.6, 1.15)}
MAX_VALUE_WIDTH = 16.0  # line heights: a 14-digit number, a bilingual name line
# Width of one printed character in line heights (condensed to wide faces, with spacing).
CHAR_W = (0.38, 1.05)
# Characters a printed date takes: "11.04.62" to "11 АПРЕЛЯ/APRIL 1962".
DATE_CHARS = (8, 22)


@dataclass(frozen=True, slots=True)
class LineShape:
    """What the ink says about a line box: its height in MRZ character heights, its width
    in its own heights, and the character-sized glyphs in it."""

    height: float
    units: float
    glyphs: int


def shapes(ink: np.ndarray, boxes: Sequence[Box], text_h: float) -> list[LineShape]:
    out = []
    for x, y, w, h in boxes:
        crop = (ink[y : y + h, x : x + w] > 0).astype(np.uint8)
        _, _, stats, _ = cv2.connectedComponentsWithStats(crop)
        glyphs = int((stats[1:, cv2.CC_STAT_HEIGHT] >= 0.45 * h).sum())
        out.append(LineShape(h / text_h, w / max(h, 1), glyphs))
    return out


def first_order(line_shapes: Sequence[LineShape], boxes: Sequence[Box], chars: int) -> list[int]:
    """Lines of a printed value's height first, top to bottom; then taller ones (titles,
    seals, signatures); then smaller ones (labels); specks and picture bits last."""
    low, high = VALUE_H.get(chars, VALUE_H[30])

    def rank(i: int) -> tuple[int, float]:
        s = line_shapes[i]
        if s.glyphs < 2 and s.units < 2.5:
            return (3, boxes[i][1])
        value = low <= s.height <= high and s.units <= MAX_VALUE_WIDTH
        return (0 if value else (1 if s.height >= low else 2), boxes[i][1])

    return sorted(range(len(boxes)), key=rank)


def value_lines(line_shapes: Sequence[LineShape], chars: int) -> list[int]:
    """The lines of a printed value's height and width (see :func:`first_order`)."""
    low, high = VALUE_H.get(chars, VALUE_H[30])
    return [
        i
        for i, s in enumerate(line_shapes)
        if low <= s.height <= high and s.units <= MAX_VALUE_WIDTH and s.glyphs >= 2
    ]


def field_chars(field: str, value: str) -> tuple[int, int]:
    """How many printed characters ``field`` may take, from its MRZ value: the value alone
    up to a bilingual line (a local spelling, a slash, the Latin one) with its label."""
    if field in ("birth_date", "expiry_date"):
        return DATE_CHARS
    n = len(value)
    if field == "document_number":
        return (max(3, n - 2), n + 6)
    return (max(2, min(len(part) for part in value.split()) if value.split() else n), 2 * n + 16)


def fits(shape: LineShape, span: tuple[int, int]) -> bool:
    """Could a line of this width hold a value of ``span`` characters?"""
    return CHAR_W[0] * span[0] <= shape.units <= CHAR_W[1] * span[1] + 1.0


def next_order(
    line_shapes: Sequence[LineShape],
    order: Sequence[int],
    done: Iterable[int],
    spans: Sequence[tuple[int, int]],
) -> list[int]:
    """The lines not read yet: those shaped like a missing field (``spans``) first, each
    group in ``order``."""
    read = set(done)
    left = [i for i in order if i not in read]
    fitting = [i for i in left if any(fits(line_shapes[i], s) for s in spans)]
    return fitting + [i for i in left if i not in set(fitting)]
