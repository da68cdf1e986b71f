"""What is printed in a page's top and bottom margins: the page number and, on editions
that print it on every page, the passport number (printed or perforated).

Small dark words are found in the two margin bands, cut out, and read for the whole
booklet in one Tesseract call (:mod:`screening.booklet.ocr`). The page number is a lone
1-2 digit word; the passport number a 7-10 character word that is mostly digits. The
page number's glyphs are also measured (height, stroke width, width per digit): a page
from another booklet often prints its number in another font.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from screening.booklet.geometry import PX_PER_MM
from screening.booklet.ocr import Word, read_crops

MARGIN_MM = 18.0
WORD_HEIGHT_MM = (1.4, 6.5)
MAX_WORDS_PER_BAND = 4
# Page numbers and passport numbers are short words; titles and notes are wider.
MAX_WORD_MM = 24.0
CAP_PX = 26  # glyph height handed to Tesseract
# Margin words: darker than the paper by TEXT_DELTA grey levels, and somewhere by
# SOLID_DELTA (printed numbers are solid; guilloche lines and faint stamp edges are not).
TEXT_DELTA = 45
SOLID_DELTA = 90
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(slots=True)
class MarginWord:
    band: str  # top | bottom
    box: tuple[int, int, int, int]  # page pixels (at PX_PER_MM)
    crop: np.ndarray  # binarised, dark text on white, scaled to CAP_PX
    ink: np.ndarray  # the word's ink mask at page resolution
    text: str = ""
    confidence: float = 0.0


@dataclass(slots=True)
class PageText:
    """Page number and passport number read on one page (None: not read)."""

    page_number: int | None = None
    page_number_confidence: float = 0.0
    page_number_box: tuple[int, int, int, int] | None = None
    passport_number: str | None = None
    passport_number_confidence: float = 0.0
    passport_number_box: tuple[int, int, int, int] | None = None
    font: dict[str, float] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)


def ink_mask(gray: np.ndarray, kernel_mm: float = 3.0, delta: int = 28) -> np.ndarray:
    """Pixels clearly darker than the paper around them (print, stamps, handwriting)."""
    k = max(3, int(kernel_mm * PX_PER_MM) | 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    return ((background.astype(np.int16) - gray.astype(np.int16)) > delta).astype(np.uint8)


def margin_words(gray: np.ndarray) -> list[MarginWord]:
    h, w = gray.shape
    band_px = int(MARGIN_MM * PX_PER_MM)
    out: list[MarginWord] = []
    for band, y0 in (("top", 0), ("bottom", max(0, h - band_px))):
        strip = gray[y0 : y0 + band_px]
        ink = ink_mask(strip, delta=TEXT_DELTA)
        darkness = (
            cv2.morphologyEx(strip, cv2.MORPH_CLOSE, np.ones((25, 25), np.uint8)).astype(np.int16)
            - strip
        )
        joined = cv2.dilate(ink, np.ones((3, int(1.2 * PX_PER_MM)), np.uint8))
        count, _labels, stats, _ = cv2.connectedComponentsWithStats(joined, 8)
        found = []
        for i in range(1, count):
            x, y, bw, bh, _area = stats[i]
            height_mm = bh / PX_PER_MM
            if not (WORD_HEIGHT_MM[0] <= height_mm <= WORD_HEIGHT_MM[1]):
                continue
            if bw > MAX_WORD_MM * PX_PER_MM or bw < 0.8 * PX_PER_MM:
                continue
            # Printed words are solid ink; background print and faint stamp edges are not.
            if darkness[y : y + bh, x : x + bw].max() < SOLID_DELTA:
                continue
            # Words sit near the page edge; stamps reaching into the band are big blobs.
            found.append((abs((y + bh / 2) - (0 if band == "top" else band_px)), x, y, bw, bh))
        for _dist, x, y, bw, bh in sorted(found)[:MAX_WORDS_PER_BAND]:
            pad = int(0.8 * PX_PER_MM)
            x0, y1 = max(0, x - pad), max(0, y - pad)
            x1, y2 = min(w, x + bw + pad), min(strip.shape[0], y + bh + pad)
            word_ink = ink[y1:y2, x0:x1]
            out.append(
                MarginWord(
                    band,
                    (x0, y0 + y1, x1 - x0, y2 - y1),
                    _binarise(strip[y1:y2, x0:x1], bh),
                    word_ink,
                )
            )
    return out


def _binarise(crop: np.ndarray, glyph_px: int) -> np.ndarray:
    factor = CAP_PX / max(glyph_px, 1)
    big = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    # A light blur joins the dots of a perforated number into strokes.
    big = cv2.GaussianBlur(big, (0, 0), max(0.6, CAP_PX / 22))
    _t, binary = cv2.threshold(big, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return binary


def glyph_features(ink: np.ndarray, digits: int) -> dict[str, float]:
    """Font measures of a word's ink: height (mm), stroke width / height, width per glyph /
    height. Independent of the resolution (pages are at PX_PER_MM)."""
    ys, xs = np.nonzero(ink)
    if len(xs) < 10:
        return {}
    height = float(ys.max() - ys.min() + 1)
    width = float(xs.max() - xs.min() + 1)
    contours, _ = cv2.findContours(ink.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    stroke = 2.0 * float(ink.sum()) / max(perimeter, 1.0)
    return {
        "height_mm": round(height / PX_PER_MM, 3),
        "stroke_ratio": round(stroke / height, 4),
        "width_ratio": round(width / max(1, digits) / height, 4),
    }


def _clean(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch in ALNUM)


def read_page_texts(grays: list[np.ndarray], *, max_page: int = 64) -> list[PageText]:
    """Page and passport numbers of every page (one Tesseract call for all)."""
    words_per_page = [margin_words(g) for g in grays]
    crops = [w.crop for words in words_per_page for w in words]
    reads = read_crops(crops, psm=6, whitelist=ALNUM)
    flat: list[list[Word]] = reads
    k = 0
    out = []
    for words in words_per_page:
        for word in words:
            found = flat[k] if k < len(flat) else []
            k += 1
            word.text = "".join(_clean(r.text) for r in found)
            word.confidence = min((r.confidence for r in found), default=0.0)
        out.append(_interpret(words, max_page))
    return out


def _interpret(words: list[MarginWord], max_page: int) -> PageText:
    text = PageText(words=[w.text for w in words if w.text])
    numbers = [
        w
        for w in words
        if w.text.isdigit() and 1 <= len(w.text) <= 2 and 1 <= int(w.text) <= max_page
    ]
    if numbers:
        # The bottom band first (where most editions print it), then the surer read.
        best = max(numbers, key=lambda w: (w.band == "bottom", w.confidence))
        text.page_number = int(best.text)
        text.page_number_confidence = best.confidence
        text.page_number_box = best.box
        text.font = glyph_features(best.ink, len(best.text))
    passports = [
        w for w in words if 7 <= len(w.text) <= 10 and sum(c.isdigit() for c in w.text) >= 5
    ]
    if passports:
        best = max(passports, key=lambda w: (w.confidence, len(w.text)))
        text.passport_number = best.text
        text.passport_number_confidence = best.confidence
        text.passport_number_box = best.box
    return text
