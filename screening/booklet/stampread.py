"""Read what a stamp says: its date, its checkpoint, which way the holder crossed.

Each stamp's ink is cut out of the page (ink only: the background print is left
behind), turned so its text lines run level (the angle whose row profile is sharpest),
scaled to a common size, and all stamps of the booklet are read in one Tesseract call
(English and Russian). A stamp that yields neither a date nor a checkpoint is tried once
more upside down (officers stamp any way up).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from screening.booklet.gazetteer import Gazetteer, Match
from screening.booklet.geometry import PX_PER_MM
from screening.booklet.ocr import Word, lines_of, read_crops
from screening.booklet.stamps import StampBlob, ink_layers

GLYPH_PX = 26  # character height handed to Tesseract
LANG = "eng+rus"
PSM = 4  # a column of text of varying sizes: montages of stamps read best so
INK_CUT = 0.5  # of the stamp's typical ink strength: what is fainter is not its ink
GAP = 90  # px between stamps in the montage: three text lines' worth
MONTHS = {
    "JAN": 1,
    "FEB": 2,
    "MAR": 3,
    "APR": 4,
    "MAY": 5,
    "JUN": 6,
    "JUL": 7,
    "AUG": 8,
    "SEP": 9,
    "OCT": 10,
    "NOV": 11,
    "DEC": 12,
    "ЯНВ": 1,
    "ФЕВ": 2,
    "МАР": 3,
    "АПР": 4,
    "МАЙ": 5,
    "МАЯ": 5,
    "ИЮН": 6,
    "ИЮЛ": 7,
    "АВГ": 8,
    "СЕН": 9,
    "ОКТ": 10,
    "НОЯ": 11,
    "ДЕК": 12,
}
# Characters OCR gives for digits in a date (Latin and Cyrillic look-alikes).
DIGIT_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "О": "0",
        "о": "0",
        "D": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "!": "1",
        "З": "3",
        "з": "3",
        "S": "5",
        "s": "5",
        "б": "6",
        "B": "8",
        "В": "8",
        "Z": "2",
        "g": "9",
    }
)
DATE_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s?[.,/\-]\s?(\d{1,2})\s?[.,/\-]\s?(\d{4}|\d{2})(?!\d)")
DATE_WORDS = re.compile(r"(?<!\d)(\d{1,2})\s?([A-ZА-Я]{3})[A-ZА-Я]*\s?(\d{4}|\d{2})(?!\d)")


@dataclass(slots=True)
class StampReading:
    text: list[str] = field(default_factory=list)
    date: dt.date | None = None
    direction: str | None = None
    checkpoint: Match | None = None
    confidence: float = 0.0  # mean Tesseract word confidence, 0-1
    flipped: bool = False


def _deskew_angle(mask: np.ndarray) -> float:
    """The turn that levels the text: coarse search over all angles, then a fine one."""
    small = cv2.resize(mask * 255, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    coarse = _sharpest(small, np.arange(-84, 91, 8))
    return _sharpest(small, np.arange(coarse - 6, coarse + 7, 2))


def _sharpest(small: np.ndarray, angles: np.ndarray) -> float:
    h, w = small.shape
    best, best_score = 0.0, -1.0
    for angle in angles:
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), float(angle), 1.0)
        turned = cv2.warpAffine(small, rot, (w, h))
        rows = turned.sum(axis=1).astype(np.float64)
        score = float(np.var(np.diff(rows)))
        if score > best_score:
            best, best_score = float(angle), score
    return best


def stamp_image(page_bgr: np.ndarray, blob: StampBlob, *, flip: bool = False) -> np.ndarray:
    """The stamp's ink, dark on white, level and scaled for OCR."""
    x, y, w, h = blob.box
    pad = int(1.0 * PX_PER_MM)
    H, W = page_bgr.shape[:2]
    x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(W, x + w + pad), min(H, y + h + pad)
    crop = page_bgr[y0:y1, x0:x1]
    strength, _lab = ink_layers(crop)
    # Only this stamp's ink: neighbouring stamps of other inks and background print out.
    own = np.zeros(strength.shape, np.uint8)
    mask_h, mask_w = blob.mask.shape
    own[y - y0 : y - y0 + mask_h, x - x0 : x - x0 + mask_w] = blob.mask[: y1 - y, : x1 - x]
    sure = strength[own > 0]
    # Grown by 2 mm: a faint stroke of the same stamp may have fallen to another ink class.
    own = cv2.dilate(own, np.ones((int(2 * PX_PER_MM) | 1,) * 2, np.uint8))
    strength = strength * own
    if sure.size:
        # Background print (line screens, guilloches) and perforations under the stamp are
        # fainter than its ink: left in, they bury the letters and Tesseract reads nothing.
        level = INK_CUT * float(np.percentile(sure, 70))
        strength = np.where(strength >= level, strength, 0)
    ink = np.clip(strength * 2.2, 0, 255).astype(np.uint8)
    mask = (strength > 40).astype(np.uint8)
    frame = _outline(mask)
    ink[frame > 0] = 0  # the stamp's frame only confuses the OCR's layout
    angle = _deskew_angle(mask * (frame == 0))
    size = max(ink.shape)
    canvas = np.zeros((size * 3 // 2, size * 3 // 2), np.uint8)
    oy, ox = (canvas.shape[0] - ink.shape[0]) // 2, (canvas.shape[1] - ink.shape[1]) // 2
    canvas[oy : oy + ink.shape[0], ox : ox + ink.shape[1]] = ink
    centre = (canvas.shape[1] / 2, canvas.shape[0] / 2)
    rot = cv2.getRotationMatrix2D(centre, angle + (180.0 if flip else 0.0), 1.0)
    turned = cv2.warpAffine(canvas, rot, (canvas.shape[1], canvas.shape[0]))
    ys, xs = np.nonzero(turned > 60)
    if len(xs):
        turned = turned[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    factor = GLYPH_PX / _glyph_height(turned > 60)
    factor = min(factor, 900 / max(turned.shape[1], 1), 4.0)
    big = cv2.resize(turned, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return 255 - big


def _glyph_height(mask: np.ndarray) -> float:
    """Typical height of the stamp's characters (median of glyph-like parts), in px."""
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    heights = [
        stats[i, cv2.CC_STAT_HEIGHT]
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_AREA] >= 12
        and stats[i, cv2.CC_STAT_HEIGHT] >= 6
        and stats[i, cv2.CC_STAT_WIDTH] < 3 * stats[i, cv2.CC_STAT_HEIGHT]
    ]
    if len(heights) < 3:
        return max(mask.shape[0] / 5.0, 1.0)
    return float(np.median(heights))


def _outline(mask: np.ndarray) -> np.ndarray:
    """Ink of the stamp's frame: connected parts spanning most of its width or height."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    h, w = mask.shape
    frame = np.zeros_like(mask)
    for i in range(1, count):
        _x, _y, bw, bh, _a = stats[i]
        if bw > 0.55 * w or bh > 0.55 * h:
            frame[labels == i] = 1
    return cv2.dilate(frame, np.ones((3, 3), np.uint8))


def parse_date(text: str, *, latest: dt.date) -> dt.date | None:
    """The first plausible date in ``text`` (1990 .. ``latest``)."""
    digits = text.translate(DIGIT_LOOKALIKES)
    for match in DATE_NUMERIC.finditer(digits):
        day, month, year = (int(v) for v in match.groups())
        found = _make_date(day, month, year, latest)
        if found:
            return found
    for match in DATE_WORDS.finditer(text.upper()):
        day_text, month_text, year_text = match.groups()
        month = MONTHS.get(month_text[:3])
        if month is None:
            continue
        day = int(day_text.translate(DIGIT_LOOKALIKES)) if day_text.isdigit() else None
        if day is None:
            continue
        found = _make_date(day, month, int(year_text), latest)
        if found:
            return found
    return None


def _make_date(day: int, month: int, year: int, latest: dt.date) -> dt.date | None:
    if year < 100:
        year += 2000 if 2000 + year <= latest.year + 1 else 1900
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None
    return value if dt.date(1990, 1, 1) <= value <= latest + dt.timedelta(days=366) else None


def interpret(words: list[Word], gazetteer: Gazetteer, latest: dt.date) -> StampReading:
    lines = lines_of(words)
    text = " ".join(lines)
    reading = StampReading(text=lines)
    reading.date = parse_date(text, latest=latest)
    reading.direction = gazetteer.direction([w.text for w in words])
    matches = [m for m in (gazetteer.match(line) for line in lines) if m is not None]
    if not matches:
        whole = gazetteer.match(text)
        matches = [whole] if whole else []
    if matches:
        reading.checkpoint = max(matches, key=lambda m: m.score)
    confident = [w.confidence for w in words if w.confidence >= 0]
    reading.confidence = float(np.mean(confident)) / 100.0 if confident else 0.0
    return reading


def read_stamps(
    items: list[tuple[np.ndarray, StampBlob]], gazetteer: Gazetteer, latest: dt.date
) -> list[StampReading]:
    """Read every stamp of a booklet: one Tesseract call, one more for the upside-down."""
    crops = [stamp_image(page, blob) for page, blob in items]
    readings = [
        interpret(words, gazetteer, latest)
        for words in read_crops(crops, lang=LANG, psm=PSM, gap=GAP)
    ]
    retry = [i for i, r in enumerate(readings) if r.date is None and r.checkpoint is None]
    if retry:
        flipped = [stamp_image(items[i][0], items[i][1], flip=True) for i in retry]
        for i, words in zip(retry, read_crops(flipped, lang=LANG, psm=PSM, gap=GAP), strict=True):
            again = interpret(words, gazetteer, latest)
            if again.date is not None or again.checkpoint is not None:
                again.flipped = True
                readings[i] = again
    return readings
