"""Visual zone vs MRZ: read the printed fields and compare them with the MRZ.

1. **Cut** (:func:`viz_region`): the page above the located MRZ band, resampled in the
   band's own reading frame (rotation and skew undone) so that an MRZ character is
   ``TEXT_H`` pixels tall; printed values on ICAO pages have about the MRZ's cap height.
2. **Clean** (:func:`clean_region`): the values are dark ink on a light, coloured guilloche.
   The maximum over the colour channels keeps dark ink dark and turns coloured print
   (guilloche, red titles and the red top-right number) light; dividing by a background
   estimate (grey closing) flattens uneven light.
3. **Lines** (:func:`find_lines`): ink blobs joined along the line; only blobs of a value's
   height are kept (labels are half as tall, the portrait far taller). A faint reprint
   missed by the ink threshold is looked for again at a looser one and kept only when it
   is a row of letter-sized blobs on one baseline (:func:`text_like`), which guilloche is not.
4. **One Tesseract call** (:func:`read_words`): the line crops, each contrast-stretched (so
   lighter reprints read as well as the rest), are stacked into one strip; words come back
   with confidences and are mapped back to their line and to input-image pixels.
5. **Compare** (:func:`compare_words`, pure): the rules below, by field type.
6. **Second date read** (:func:`reread_dates`), only when a date role is neither matched
   nor contradicted: the date-shaped lines again, upscaled, digits and dot only, in one
   more Tesseract call; its dates join the comparison (:func:`merge_dates`).

Only a confidently read printed value may raise ``VIZ_MRZ_MISMATCH``; a field whose value
cannot be found is ``VIZ_UNREADABLE`` (info), never an alert.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import cv2
import numpy as np
import pytesseract

from screening.findings import Finding, make_finding
from screening.imaging import tesseract
from screening.imaging.load import LoadedImage
from screening.imaging.mrz_image import ImageMrz
from screening.mrz import MrzReport

# Tesseract's OpenMP threads fight over the cores of a shared checkpoint PC; one thread
# reads a short strip several times faster (measured 0.8 s -> 0.11 s on 2 busy cores).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

TEXT_H = 20.0  # MRZ character height after resampling (pixels)
# Page height above the MRZ band, in MRZ character heights (ICAO 9303 page sizes: TD3
# 88 mm, TD2 74 mm, TD1 54 mm; characters 2.45 mm), with a little margin.
ABOVE_BY_LINES = {(2, 44): 29.0, (2, 36): 23.5, (3, 30): 16.5}
# Smaller documents print smaller values (about 0.9 / 0.8 / 0.65 of the MRZ height on
# TD3 / TD2 / TD1): enlarge them so every value reaches the OCR at about TEXT_H.
ZOOM_BY_LINES = {(2, 44): 1.0, (2, 36): 1.15, (3, 30): 1.35}
CHROMA_WEIGHT = 1.5
INK_RATIO = 0.85
DARK_RATIO = 0.55  # darker than this fraction of the local background = ink
# A faint reprint can sit just above INK_RATIO. Lines the strict threshold misses are looked
# for again at LOOSE_INK_RATIO and kept only when they look like printed text (see
# :func:`text_like`): guilloche passes the loose threshold too, but not as a row of
# letter-sized blobs on one baseline.
LOOSE_INK_RATIO = 0.92
TEXT_LIKE_MIN_GLYPHS = 4
LINE_H = (0.65, 2.1)  # kept line heights, in TEXT_H
# A blob too tall for one line is cut at rows with less ink than this share of its
# busiest row (guilloche strokes bridging a label and its value are thin).
SPLIT_ROW_RATIO = 0.12
MAX_LINES = 24
PAD = 12
CONFIG = f"{tesseract.BASE_CONFIG} -c preserve_interword_spaces=1"

# Second, digits-only read of the date-shaped lines when a date role is unresolved.
MAX_REREAD = 8
REREAD_ZOOM = 1.6
REREAD_CONFIG = f"{tesseract.BASE_CONFIG} -c tessedit_char_whitelist=0123456789."

# A line this tall (in TEXT_H) is a value merged with a label: re-read in parts.
TALL_LINE = 1.35
VALUE_PART_H = 1.1

MIN_CONF = 80.0  # a word read at least this confidently may raise an alert
# A mismatch resting on a read below this must be confirmed by a second read of its line
# (:func:`confirm`), upscaled, with the alphabet of printed values only.
CONFIRMED_CONF = 90.0
NUMBER_REREAD_ZOOM = 1.3  # not the confirmation's scale: the two reads stay distinct
CONFIRM_CONFIG = (
    f"{tesseract.BASE_CONFIG} -c tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-"
)
# A surname read less confidently may still accuse when it is a whole other name
# (:func:`other_name`) and the MRZ surname is nowhere on the page, not even up to a slip:
# a poor read garbles a letter or two, it does not spell another name.
OTHER_NAME_MIN_CONF = 35.0
# The printed given name that anchors the surname search: matching the MRZ given name
# (up to a slip) is evidence enough that it is the given name, even read weakly; the
# anchor only says where to look, the surname itself must still be read.
ANCHOR_MIN_CONF = 25.0
# Transliterations of one Cyrillic name differ mostly in the iotated letters: the page
# may print JULIA or YULIA where the MRZ has IULIIA (ICAO 9303). For finding the anchor
# only, J and Y count as I.
IOTATED = str.maketrans({"J": "I", "Y": "I"})
# A word read this well that is not a label means its line holds some value.
LEGIBLE_MIN_CONF = 50.0
# The surname value line sits about 2.4 value heights above the given names; the line
# above it (type, code, number) about 5.
SURNAME_ABOVE = 3.5
# Labels print at about two thirds of a value's height (values reach the OCR at about
# 0.9 TEXT_H): a line lower than this, in TEXT_H, is a label, whatever was read on it.
LABEL_MAX_H = 0.75
# A number must also have the MRZ number's length and differ from it in one or two places.
NUMBER_MIN_CONF = 30.0
# English label words a poor capture may let through as "values" (never a surname).
LABEL_WORDS = frozenset(
    {
        "SURNAME",
        "GIVEN",
        "NAMES",
        "NAME",
        "DATE",
        "OF",
        "BIRTH",
        "PLACE",
        "NATIONALITY",
        "SEX",
        "TYPE",
        "CODE",
        "STATE",
        "PASSPORT",
        "NO",
        "AUTHORITY",
        "EXPIRY",
        "ISSUE",
        "PERSONAL",
        "DOCUMENT",
        "NUMBER",
        "REPUBLIC",
        "IDENTITY",
        "CARD",
    }
)
# A date must also fit DD.MM.YYYY and the calendar, which a misread rarely does.
DATE_MIN_CONF = 35.0
REREAD_MIN_CONF = 45.0
FOLD = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "D": "0",
        "U": "0",
        "I": "1",
        "L": "1",
        "T": "1",
        "J": "1",
        "S": "5",
        "B": "8",
        "Z": "2",
        "G": "6",
        "A": "4",
    }
)
# DD.MM.YYYY; a lost leading day digit or a comma/colon for a dot are common OCR slips.
SEP = r"[.\-/ ,:;]{1,2}"
DATE = re.compile(rf"(?<![0-9])([0-9]{{1,2}}){SEP}([0-9]{{2}}){SEP}([0-9]{{4}})(?![0-9])")
# A date-shaped run inside a longer word (no look-behind: the junk may be digits).
DATE_RUN = re.compile(rf"([0-9]{{2}}){SEP}([0-9]{{2}}){SEP}([0-9]{{4}})")
# MM.YYYY alone: a date whose day was lost (faint or covered).
MONTH_YEAR = re.compile(rf"(?<![0-9])([0-9]{{2}}){SEP}([0-9]{{4}})(?![0-9])")


@dataclass(frozen=True, slots=True)
class Word:
    """One word read in the visual zone; box in region pixels, line = index of its line."""

    text: str
    conf: float
    line: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Accusation:
    """What a mismatch rests on: the printed value as read, how confidently, where
    (region pixels), and the MRZ value it was compared with."""

    printed: str
    expected: str
    conf: float
    box: tuple[float, float, float, float]


@dataclass(slots=True)
class VizOutcome:
    findings: list[Finding] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    accused: dict[str, Accusation] = field(default_factory=dict)


# --------------------------------------------------------------------------- image side


def viz_region(bgr: np.ndarray, mrz: ImageMrz) -> tuple[np.ndarray, np.ndarray] | None:
    """The page above the MRZ, upright, in colour; and the 2x3 map region -> input pixels."""
    read = mrz.read
    if read is None or not read.lines:
        return None
    first = read.lines[0]
    u = first.cell_points[-1] - first.cell_points[0]
    length = float(np.linalg.norm(u))
    if length < 1:
        return None
    u = u / length
    n = np.array([-u[1], u[0]])
    char_h = float(np.median([ln.cell_height for ln in read.lines]))
    shape = (len(read.lines), len(first.cell_points))
    above = ABOVE_BY_LINES.get(shape, 29.0)
    scale = TEXT_H * ZOOM_BY_LINES.get(shape, 1.0) / max(char_h, 1.0)
    band_top = first.cell_points[0] - u * 3.0 * char_h - n * 0.9 * char_h
    top_left = band_top - n * above * char_h
    to_input = np.zeros((2, 3))
    to_input[:, 0] = u / scale
    to_input[:, 1] = n / scale
    to_input[:, 2] = top_left
    size = (round((length + 5.5 * char_h) * scale), round(above * char_h * scale))
    if size[0] < 50 or size[1] < 30 or size[0] * size[1] > 6_000_000:
        return None
    region = cv2.warpAffine(
        bgr,
        to_input,
        size,
        flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return region, to_input


def clean_region(region_bgr: np.ndarray) -> np.ndarray:
    """Ink / background ratio in [0, 1] (float32): dark ink low, paper and colour print ~1.

    Ink is dark and grey; guilloche, seals and red print are coloured. The maximum channel
    plus a multiple of the chroma (max - min) keeps grey ink dark and lifts coloured print
    to paper level.
    """
    channels = region_bgr.astype(np.float32)
    high = channels.max(axis=2)
    value = high + CHROMA_WEIGHT * (high - channels.min(axis=2))
    k = int(TEXT_H * 0.8) | 1
    background = cv2.morphologyEx(
        value, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    )
    background = cv2.blur(background, (k, k))
    return np.clip(value / np.maximum(background, 1.0), 0.0, 1.0)


def _ink_mask(ratio: np.ndarray, threshold: float) -> np.ndarray:
    """Ink below ``threshold`` with portrait, seal and signature strokes removed."""
    ink = (ratio < threshold).astype(np.uint8) * 255
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    # Portrait, seal and signature strokes are taller than any letter: drop them before
    # joining letters into lines, or a value beside them disappears into their blob.
    # Dark ink first (portrait, signature); then, of what is left, tall blobs lose their
    # light pixels only: a seal ring touching a dark digit must not take the digit along.
    dark = (ratio < DARK_RATIO).astype(np.uint8)
    for mask, light_only in ((ink & dark, False), (ink, True)):
        _, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
        tall = np.flatnonzero(stats[:, cv2.CC_STAT_HEIGHT] > 2.2 * TEXT_H)
        tall = tall[tall > 0]
        if tall.size:
            drop = np.isin(labels, tall)
            ink[drop & (dark == 0) if light_only else drop] = 0
    return ink


def _line_boxes(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes of ink joined along the line, of a printed value's height."""
    joined = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (int(TEXT_H * 0.9), 1))
    )
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    boxes = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if w < 0.6 * TEXT_H or h < LINE_H[0] * TEXT_H:
            continue
        # A label printed just above its value may touch it: split at near-empty rows.
        rows = (ink[y : y + h, x : x + w] > 0).sum(axis=1)
        for top, bottom in _split_rows(rows, w):
            if LINE_H[0] * TEXT_H <= bottom - top <= LINE_H[1] * TEXT_H:
                cols = np.flatnonzero(ink[y + top : y + bottom, x : x + w].any(axis=0))
                if cols.size and cols[-1] - cols[0] >= 0.6 * TEXT_H:
                    boxes.append(
                        (x + int(cols[0]), y + top, int(cols[-1] - cols[0]) + 1, bottom - top)
                    )
    return boxes


def _split_rows(rows: np.ndarray, width: int) -> list[tuple[int, int]]:
    """Row runs [top, bottom) of a joined blob: cut at near-empty rows; a run still too
    tall for one line (label and value bridged by guilloche strokes) is cut again at
    rows with little ink compared with its busiest row."""
    out = []
    for top, bottom in _runs(rows > max(1, 0.01 * width)):
        if bottom - top <= LINE_H[1] * TEXT_H:
            out.append((top, bottom))
            continue
        part = rows[top:bottom]
        for a, b in _runs(part > max(1, SPLIT_ROW_RATIO * float(part.max()))):
            out.append((top + a, top + b))
    return out


def text_like(ink: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Does the ink in ``box`` look like a row of printed characters? At least
    ``TEXT_LIKE_MIN_GLYPHS`` blobs of a character's height and width (stray dots and
    guilloche curves are not), most of them sitting on one baseline."""
    x, y, w, h = box
    crop = ink[y : y + h, x : x + w]
    _, _, stats, _ = cv2.connectedComponentsWithStats((crop > 0).astype(np.uint8))
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    glyph = (
        (heights >= 0.55 * TEXT_H)
        & (heights <= 1.2 * TEXT_H)
        & (widths >= 0.15 * TEXT_H)
        & (widths <= 1.0 * TEXT_H)
    )
    if int(glyph.sum()) < TEXT_LIKE_MIN_GLYPHS:
        return False
    bottoms = (stats[1:, cv2.CC_STAT_TOP] + heights)[glyph]
    on_baseline = np.abs(bottoms - np.median(bottoms)) <= 0.15 * TEXT_H
    return int(on_baseline.sum()) >= max(TEXT_LIKE_MIN_GLYPHS, int(0.7 * glyph.sum()))


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def find_lines(ratio: np.ndarray) -> tuple[list[tuple[int, int, int, int]], np.ndarray]:
    """Boxes [x, y, w, h] (region pixels) of text lines of a printed value's height, and
    the ink mask they were found on (portrait, seal and signature removed).

    Lines are found on the ``INK_RATIO`` mask; a line that only the looser
    ``LOOSE_INK_RATIO`` mask shows (a faint reprint) is added, with its loose ink, when it
    overlaps no strict line and is :func:`text_like`."""
    ink = _ink_mask(ratio, INK_RATIO)
    boxes = _line_boxes(ink)
    if LOOSE_INK_RATIO > INK_RATIO:
        loose = _ink_mask(ratio, LOOSE_INK_RATIO)
        for box in _line_boxes(loose):
            if any(_overlaps(box, b) for b in boxes) or not text_like(loose, box):
                continue
            x, y, w, h = box
            ink[y : y + h, x : x + w] |= loose[y : y + h, x : x + w]
            boxes.append(box)
    boxes.sort(key=lambda b: -b[2] * b[3])
    return sorted(boxes[:MAX_LINES], key=lambda b: (b[1], b[0])), ink


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def line_strip(
    ratio: np.ndarray, boxes: list[tuple[int, int, int, int]]
) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Stack the line crops into one image; per line its (strip y, region y, region x)."""
    margin = int(0.3 * TEXT_H)
    width = max(b[2] for b in boxes) + 2 * PAD + 2 * margin
    rows = [np.full((PAD, width), 255, np.uint8)]
    offsets = []
    y = PAD
    for x0, top, w0, h in boxes:
        x, w = max(0, x0 - margin), w0 + (x0 - max(0, x0 - margin)) + margin
        w = min(w, ratio.shape[1] - x)
        y0, y1 = max(0, top - 4), min(ratio.shape[0], top + h + 4)
        crop = ratio[y0:y1, x : x + w]
        # Stretch each line to full contrast: a lighter reprint reads like the rest.
        dark = float(np.percentile(crop, 3))
        crop = np.clip((crop - dark) / max(1.0 - dark, 0.05), 0.0, 1.0)
        row = np.full((y1 - y0, width), 255, np.uint8)
        row[:, PAD : PAD + w] = (crop * 255).astype(np.uint8)
        rows += [row, np.full((PAD, width), 255, np.uint8)]
        offsets.append((y, y0, x))
        y += (y1 - y0) + PAD
    return np.vstack(rows), offsets


def prepare_lines(region_bgr: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The cleaned ratio image with only the kept ink, and the value line boxes."""
    ratio = clean_region(region_bgr)
    boxes, ink = find_lines(ratio)
    # Only the kept ink (with its anti-aliased rim) goes to the OCR: no seal or portrait
    # fragments at the ends of a line.
    keep = cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0
    return np.where(keep, ratio, 1.0).astype(np.float32), boxes


def read_words(
    region_bgr: np.ndarray,
    prepared: tuple[np.ndarray, list[tuple[int, int, int, int]]] | None = None,
) -> list[Word]:
    """Every word on the value lines of the region, with its line and region box."""
    ratio, boxes = prepared if prepared is not None else prepare_lines(region_bgr)
    if not boxes:
        return []
    return _read_stacked_lines(ratio, boxes, list(range(len(boxes))), CONFIG)


def _read_stacked_lines(
    ratio: np.ndarray,
    boxes: list[tuple[int, int, int, int]],
    line_ids: list[int],
    config: str,
    zoom: float = 1.0,
) -> list[Word]:
    """Stack the crops of ``boxes`` into one strip (upscaled ``zoom`` times), read it
    with one Tesseract call, and map each word back to its line (``line_ids``) and to
    region pixels."""
    strip, offsets = line_strip(ratio, boxes)
    if zoom != 1.0:
        strip = cv2.resize(strip, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    tesseract.ensure_tesseract()
    try:
        data = pytesseract.image_to_data(
            strip,
            lang="eng",
            config=config,
            output_type=pytesseract.Output.DICT,
            timeout=tesseract.TIMEOUT_S,
        )
    except (RuntimeError, pytesseract.TesseractError):
        return []
    words = []
    for text, conf, left, top, w, h in zip(
        data["text"],
        data["conf"],
        data["left"],
        data["top"],
        data["width"],
        data["height"],
        strict=True,
    ):
        text = str(text).strip().upper()
        if not text:
            continue
        centre = (top + h / 2) / zoom
        k = next(
            (
                k
                for k, (sy, _, _) in enumerate(offsets)
                if sy <= centre < sy + boxes[k][3] + 8 + PAD
            ),
            None,
        )
        if k is None:
            continue
        sy, ry, rx = offsets[k]
        box = (rx + left / zoom - PAD, ry + top / zoom - sy, w / zoom, h / zoom)
        words.append(Word(text, float(conf), line_ids[k], box))
    return words


def date_lines(words: list[Word], boxes: list[tuple[int, int, int, int]]) -> list[int]:
    """Lines that may hold a date: some digits read on them, or nothing read at all, and
    no confidently read date yet; at most ``MAX_REREAD`` of them, top to bottom."""
    by_line = words_by_line(words)
    digits, tall, folded, blank = [], [], [], []
    for i, (_, _, bw, bh) in enumerate(boxes):
        line_words = by_line.get(i, [])
        text = "".join(w.text for w in line_words)
        if not line_words:
            if 2.5 * TEXT_H <= bw <= 9 * TEXT_H:
                blank.append(i)
        elif any(d.conf >= MIN_CONF for d in printed_dates(line_words)):
            continue
        elif sum(c.isdigit() for c in text) >= 4:
            digits.append(i)
        elif bh >= TALL_LINE * TEXT_H and 2.5 * TEXT_H <= bw <= 14 * TEXT_H:
            tall.append(i)  # a value merged with its label reads as neither
        elif sum(c.isdigit() for c in fold(text)) >= 4:
            # Digits only once look-alikes are folded: a badly read value, or a label
            # ("NATIONALITY" folds to four digits), so after the lines of real digits.
            folded.append(i)
    # Lines with digits first: a blank line is only a chance of a date.
    return sorted((digits + tall + folded + blank)[:MAX_REREAD])


def reread_dates(
    ratio: np.ndarray, boxes: list[tuple[int, int, int, int]], lines: list[int]
) -> list[Word]:
    """A second, digits-only read of ``lines``: the same line crops, upscaled
    ``REREAD_ZOOM`` times, stacked into one Tesseract call. A line too tall for one
    value is read as its lower and upper value-high parts instead."""
    if not lines:
        return []
    parts = [(part, i) for i in lines for part in value_parts(boxes[i])]
    return _read_stacked_lines(
        ratio, [p for p, _ in parts], [i for _, i in parts], REREAD_CONFIG, REREAD_ZOOM
    )


def value_parts(box: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """``box``, or for a line too tall for one value its bottom and top value-high parts:
    a value reprinted a little off its baseline touches the small label above (or
    below) it, and the two are found as one line that reads as neither."""
    x, y, w, h = box
    if h < TALL_LINE * TEXT_H:
        return [box]
    # The crops reach 4 px beyond a box (line_strip): the parts' inner edges are drawn
    # in by as much so that the cut is where it is meant to be.
    part = round(VALUE_PART_H * TEXT_H) - 4
    return [(x, y + h - part, w, part), (x, y, w, part)]


def date_crops(
    words: list[Word], boxes: list[tuple[int, int, int, int]]
) -> list[tuple[tuple[int, int, int, int], int]]:
    """(box, line) of every date-shaped run inside a weakly read word, cut to the run.

    Tesseract rates a word by its worst character: a date glued to a speck or a guilloche
    stroke ("-°13.05.2038") comes back at confidence 0 however clearly its digits are
    printed. Read alone, the run is rated for itself."""
    out = []
    for w in words:
        if w.conf >= DATE_MIN_CONF or not 0 <= w.line < len(boxes):
            continue
        text = fold(w.text)
        match = DATE_RUN.search(text)
        if match is None:
            continue
        char_w = w.box[2] / len(text)
        x0 = w.box[0] + char_w * (match.start() - 0.4)
        x1 = w.box[0] + char_w * (match.end() + 0.4)
        _, ly, _, lh = boxes[w.line]
        out.append(((round(x0), ly, max(1, round(x1 - x0)), lh), w.line))
    return out


def read_date_crops(
    ratio: np.ndarray, crops: list[tuple[tuple[int, int, int, int], int]]
) -> list[Word]:
    """The :func:`date_crops` read like the date lines (digits only, upscaled), in one call."""
    if not crops:
        return []
    return _read_stacked_lines(
        ratio, [b for b, _ in crops], [i for _, i in crops], REREAD_CONFIG, REREAD_ZOOM
    )


def to_input_box(
    box: tuple[float, float, float, float], to_input: np.ndarray
) -> tuple[int, int, int, int]:
    x, y, w, h = box
    corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float)
    pts = corners @ to_input[:, :2].T + to_input[:, 2]
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return (round(x0), round(y0), round(x1 - x0), round(y1 - y0))


def compare_viz(
    image: LoadedImage, mrz: ImageMrz, report: MrzReport, use_tesseract: bool
) -> VizOutcome:
    if not use_tesseract:
        return VizOutcome()
    cut = viz_region(image.bgr, mrz)
    if cut is None:
        return VizOutcome()
    region, to_input = cut
    prepared = prepare_lines(region)
    words = read_words(region, prepared)

    def locate(box: Box) -> tuple[int, int, int, int]:
        return to_input_box(box, to_input)

    heights = [b[3] for b in prepared[1]]
    reread: list[Word] | None = None
    number_reread: list[Word] | None = None

    def compare(vetoed: frozenset[str] = frozenset()) -> VizOutcome:
        return compare_words(words, report.fields, locate, reread, vetoed, number_reread, heights)

    outcome = compare()
    if not prepared[1]:
        return outcome
    unresolved = any(
        name not in outcome.fields and report.fields.get(name + "_raw")
        for name in ("birth_date", "expiry_date")
    )
    number_unresolved = "document_number" not in outcome.fields and bool(
        report.fields.get("document_number")
    )
    if unresolved or number_unresolved:
        lines = date_lines(words, prepared[1])
        if unresolved:
            # A date role neither matched nor contradicted: read the date-shaped lines
            # again, larger and digits only, and compare with both reads.
            reread = reread_dates(*prepared, lines)
            # Dates glued to junk, read again on their own.
            crops = date_crops(words + reread, prepared[1])
            reread = reread + read_date_crops(prepared[0], crops)
        if number_unresolved and lines:
            # The number neither found nor contradicted: the same digit-bearing lines
            # again, at another scale, letters and digits only.
            number_reread = _read_stacked_lines(
                prepared[0],
                [prepared[1][i] for i in lines],
                lines,
                CONFIRM_CONFIG,
                NUMBER_REREAD_ZOOM,
            )
        if reread or number_reread:
            outcome = compare()
    return confirm(outcome, prepared, compare)


def confirm(
    outcome: VizOutcome,
    prepared: tuple[np.ndarray, list[tuple[int, int, int, int]]],
    recompare: Callable[[frozenset[str]], VizOutcome],
) -> VizOutcome:
    """Read the line of every accusation short of ``CONFIRMED_CONF`` once more (upscaled,
    MRZ-like alphabet, one Tesseract call) and keep it only if that read sees the same
    thing: a misread is rarely repeated by a read of another scale and alphabet, a
    reprinted value is. ``recompare`` redoes the comparison with some fields vetoed."""
    ratio, boxes = prepared
    doubtful = {name: acc for name, acc in outcome.accused.items() if acc.conf < CONFIRMED_CONF}
    lines = {name: _line_of(acc.box, boxes) for name, acc in doubtful.items()}
    wanted = sorted({i for i in lines.values() if i is not None})
    # One call per line: stacked with other lines, Tesseract's layout analysis (and so
    # its read of a line) changes with its neighbours, and a confirmation must not
    # depend on which other fields happened to be doubtful.
    second = [
        w
        for i in wanted
        for w in _read_stacked_lines(ratio, [boxes[i]], [i], CONFIRM_CONFIG, REREAD_ZOOM)
    ]
    vetoed = frozenset(
        name
        for name, acc in doubtful.items()
        if not confirms(name, acc, [w for w in second if w.line == lines[name]])
    )
    return recompare(vetoed) if vetoed else outcome


def _line_of(
    box: tuple[float, float, float, float], boxes: list[tuple[int, int, int, int]]
) -> int | None:
    """The value line whose box holds the centre of ``box``."""
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    for i, (x, y, w, h) in enumerate(boxes):
        if x - PAD <= cx <= x + w + PAD and y - 4 <= cy <= y + h + 4:
            return i
    return None


# --------------------------------------------------------------------------- rules (pure)


Box = tuple[float, float, float, float]
Locate = Callable[[Box], tuple[int, int, int, int]]


@dataclass(frozen=True, slots=True)
class PrintedDate:
    value: date
    conf: float
    box: tuple[float, float, float, float]
    # One-digit day ("9.07.2031"): probably a lost digit. It orders dates, never alerts.
    partial: bool = False
    # Day read as 32-99 ("42.06.2036"): the day's first digit is a slip (1 -> 4, 0 -> 6,
    # 2 -> 3 on a poor capture); ``value`` then carries day 1 and this the read day.
    garbled_day: int | None = None


def fold(text: str) -> str:
    """Letters Tesseract confuses with digits, as digits (for comparing, never reporting)."""
    return text.upper().translate(FOLD)


def mrz_date(raw: str, role: str, reference: date | None = None) -> date | None:
    """YYMMDD -> date; birth dates in the past century when in the future of ``reference``."""
    if not re.fullmatch(r"[0-9]{6}", raw or ""):
        return None
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:])
    century = 2000
    if role == "birth_date" and 2000 + yy > (reference.year if reference else 2030):
        century = 1900
    try:
        return date(century + yy, mm, dd)
    except ValueError:
        return None


def words_by_line(words: list[Word]) -> dict[int, list[Word]]:
    """The words of each line, left to right."""
    by_line: dict[int, list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    for line_words in by_line.values():
        line_words.sort(key=lambda w: w.box[0])
    return by_line


def printed_dates(words: list[Word]) -> list[PrintedDate]:
    """Every DD.MM.YYYY date read (look-alike letters folded), with its lowest word conf."""
    found: list[PrintedDate] = []
    for line_words in words_by_line(words).values():
        for i in range(len(line_words)):
            for j in range(i + 1, min(i + 4, len(line_words) + 1)):
                group = line_words[i:j]
                text = " ".join(fold(w.text) for w in group)
                match = DATE.fullmatch(re.sub(r"^[^0-9A-Z]+|[^0-9A-Z]+$", "", text))
                if not match:
                    continue
                dd, mm, yyyy = (int(g) for g in match.groups())
                garbled = dd if dd > 31 and len(match.group(1)) == 2 else None
                try:
                    value = date(yyyy, mm, 1 if garbled else dd)
                except ValueError:
                    continue
                x0 = min(w.box[0] for w in group)
                y0 = min(w.box[1] for w in group)
                x1 = max(w.box[0] + w.box[2] for w in group)
                y1 = max(w.box[1] + w.box[3] for w in group)
                found.append(
                    PrintedDate(
                        value,
                        min(w.conf for w in group),
                        (x0, y0, x1 - x0, y1 - y0),
                        partial=len(match.group(1)) == 1,
                        garbled_day=garbled,
                    )
                )
    return found


def month_years(words: list[Word], dates: list[PrintedDate]) -> list[PrintedDate]:
    """Words read as MM.YYYY alone (the day lost), outside the full ``dates``; ``value``
    carries day 1. They can only accuse (:func:`month_year_candidate`), never match."""
    found = []
    for w in words:
        match = MONTH_YEAR.fullmatch(re.sub(r"^[^0-9A-Z]+|[^0-9A-Z]+$", "", fold(w.text)))
        if not match:
            continue
        try:
            value = date(int(match.group(2)), int(match.group(1)), 1)
        except ValueError:
            continue
        if any(_overlaps(_int_box(w.box), _int_box(d.box)) for d in dates):
            continue  # the tail of a full date
        found.append(PrintedDate(value, w.conf, w.box))
    return found


def _int_box(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    return (int(box[0]), int(box[1]), int(box[2]) + 1, int(box[3]) + 1)


def month_year_candidate(role: str, mrz: date, partial: list[PrintedDate]) -> PrintedDate | None:
    """A confidently read MM.YYYY that can only be this role's date: after the MRZ expiry
    month (nothing printed comes after the expiry) or before the MRZ birth month."""
    mrz_ym = (mrz.year, mrz.month)
    fits = [
        d
        for d in partial
        if d.conf >= MIN_CONF
        and (
            (d.value.year, d.value.month) > mrz_ym
            if role == "expiry_date"
            else (d.value.year, d.value.month) < mrz_ym
        )
    ]
    return max(fits, key=lambda d: d.conf) if fits else None


def repair_days(mrz: date, dates: list[PrintedDate]) -> list[PrintedDate]:
    """Dates for comparing with this MRZ date: a garbled day whose second digit is the MRZ
    day's second digit takes the MRZ day (month and year, where forgers change a date, stay
    as read); other garbled days are dropped."""
    out = []
    for d in dates:
        if d.garbled_day is None:
            out.append(d)
        elif d.garbled_day % 10 == mrz.day % 10:
            try:
                out.append(PrintedDate(d.value.replace(day=mrz.day), d.conf, d.box))
            except ValueError:
                continue
    return out


def _day_only(value: date, mrz: date) -> bool:
    """Same year and month, another day."""
    return (value.year, value.month) == (mrz.year, mrz.month) and value.day != mrz.day


def _same_yymmdd(value: date, mrz: date) -> bool:
    return (value.year % 100, value.month, value.day) == (mrz.year % 100, mrz.month, mrz.day)


def date_role_candidate(
    role: str,
    mrz: date,
    dates: list[PrintedDate],
    other_months: set[tuple[int, int]] | None = None,
) -> PrintedDate | None:
    """The confidently printed date that must be this role's value, when one is certain.

    Birth precedes issue precedes expiry on every document, so: a confident date before
    the MRZ birth date can only be a printed birth date, one after the MRZ expiry date only
    a printed expiry date; with birth, issue and expiry all legible (three distinct dates)
    the earliest is the birth date and the latest the expiry date; a date with the MRZ
    date's day and month and another year (a forger's favourite) is the birth date when it
    is the earliest printed date, the expiry date when it is the latest and 1-4 years off
    (an issue date 5 or 10 years earlier may share the expiry's day and month) or when
    another date line, however weakly read, lies between it and the birth date.
    ``other_months``: (year, month) of further date lines whose day was garbled; the
    candidate must still be the earliest (birth) or latest (expiry) of all.
    """
    confident = [d for d in dates if d.conf >= DATE_MIN_CONF]
    if not confident:
        return None
    other_months = other_months or set()
    distinct = {(d.value.year, d.value.month) for d in confident} | other_months
    if role == "birth_date":
        cand = min(confident, key=lambda d: d.value)
        if cand.partial or any(m < (cand.value.year, cand.value.month) for m in other_months):
            return None
        if cand.value < mrz or len(distinct) >= 3:
            return cand
        return _with_mrz_day(cand, mrz, confident)
    cand = max(confident, key=lambda d: d.value)
    if cand.partial or any(m > (cand.value.year, cand.value.month) for m in other_months):
        return None
    if cand.value > mrz or len(distinct) >= 3:
        return cand
    cand = _with_mrz_day(cand, mrz, confident)
    if cand is not None and (
        1 <= mrz.year - cand.value.year <= 4 or _issue_line_before(cand, dates)
    ):
        return cand
    return None


def _with_mrz_day(cand: PrintedDate, mrz: date, confident: list[PrintedDate]) -> PrintedDate | None:
    """The read of ``cand``'s date line (same year and month) that has the MRZ date's day
    and month, if any: two reads of one line may differ in the day (26 and 28)."""
    line = [
        d for d in confident if (d.value.year, d.value.month) == (cand.value.year, cand.value.month)
    ]
    same = [d for d in line if (d.value.month, d.value.day) == (mrz.month, mrz.day)]
    return max(same, key=lambda d: d.conf) if same else None


def _issue_line_before(cand: PrintedDate, dates: list[PrintedDate]) -> bool:
    """Is there a date line (even weakly read) between the earliest date (birth) and
    ``cand``? Then ``cand`` is not the issue date, whatever its year."""
    earliest = min(dates, key=lambda d: d.value)

    def other_line(a: PrintedDate, b: PrintedDate) -> bool:
        return abs(a.box[1] - b.box[1]) > 0.5 * max(a.box[3], b.box[3])

    return any(
        earliest.value < d.value < cand.value and other_line(d, cand) and other_line(d, earliest)
        for d in dates
    )


def _tokens(words: list[Word]) -> list[tuple[str, float, tuple[float, float, float, float]]]:
    """Alphanumeric words, and pairs of neighbours on a line joined (split numbers)."""
    out = []
    for line_words in words_by_line(words).values():
        for i, w in enumerate(line_words):
            text = re.sub(r"[^A-Z0-9]", "", w.text)
            if text:
                out.append((text, w.conf, w.box))
            if i + 1 < len(line_words):
                nxt = line_words[i + 1]
                joined = text + re.sub(r"[^A-Z0-9]", "", nxt.text)
                x0, y0 = w.box[0], min(w.box[1], nxt.box[1])
                x1 = nxt.box[0] + nxt.box[2]
                y1 = max(w.box[1] + w.box[3], nxt.box[1] + nxt.box[3])
                out.append((joined, min(w.conf, nxt.conf), (x0, y0, x1 - x0, y1 - y0)))
    return out


def number_differences(read: str, mrz: str) -> int:
    """Positions where a read token really differs from the MRZ number (same length):
    a digit for another digit, the change a forger makes to a serial number.

    Look-alikes are folded; two different letters (P/D, U/V on a poor photo) and a letter
    read as a digit or the reverse (I as 2 on a blurred photo) are OCR doubts, not
    evidence, so they are not counted.
    """
    return sum(
        fold(x) != fold(y) and x.isdigit() and y.isdigit() for x, y in zip(read, mrz, strict=True)
    )


def _number_tail(read: str, number: str) -> str:
    """The part of the MRZ number that ``read`` is compared with: all of it, or, when the
    number opens with letters, the digits after them (a faint or stylised series letter
    is often read as punctuation and dropped: "(80745619" for P80745619), when the read
    has the same run of letters and digits as they do. Empty when the read cannot be
    this number's copy."""
    if len(read) == len(number):
        return number
    dropped = len(number) - len(read)
    if not (1 <= dropped <= 2 and number[:dropped].isalpha()):
        return ""
    tail = number[dropped:]
    same_shape = all(a.isdigit() == b.isdigit() for a, b in zip(read, tail, strict=True))
    return tail if same_shape else ""


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _letters(text: str) -> str:
    return re.sub(r"[^A-Z]", "", text.upper())


def _name_close(printed: str, mrz: str) -> bool:
    """Equal up to one OCR slip (and MRZ truncation of long names)."""
    a, b = _letters(printed), _letters(mrz)
    if not a or not b:
        return False
    if a == b:
        return True
    if len(a) > len(b) >= 10 and a.startswith(b):  # MRZ name field truncated
        return True
    return levenshtein(a, b) <= (1 if len(b) >= 5 else 0)


def surname_present(words: list[Word], surname: str, exact: bool = False) -> bool:
    """The MRZ surname (spaces, hyphens ignored) is read on some line, up to one OCR slip
    (``exact``: letter for letter)."""
    target = _letters(surname)
    for line_words in words_by_line(words).values():
        for i in range(len(line_words)):
            joined = ""
            for w in line_words[i : i + 4]:
                joined += _letters(w.text)
                if joined == target or (not exact and _name_close(joined, target)):
                    return True
    return False


def other_name(printed: str, surname: str) -> bool:
    """A whole other name, not a slip: at least 3 letters, and at least 3 edits (and a
    third of the letters) away from the MRZ surname."""
    a, b = _letters(printed), _letters(surname)
    distance = levenshtein(a, b)
    return len(a) >= 3 and distance >= 3 and distance >= max(len(a), len(b)) / 3


def surname_differs(printed: str, surname: str) -> bool:
    """A printed surname that is not the MRZ surname (nor a truncation of either)."""
    a, b = _letters(printed), _letters(surname)
    if len(a) < 2 or _name_close(printed, surname):
        return False
    if a.startswith(b) or b.startswith(a):
        return False
    return not any(_name_close(printed, part) for part in surname.split())


def _line_start(words: list[Word], line: int) -> float:
    return min(w.box[0] for w in words if w.line == line)


def printed_surname(
    words: list[Word], given: str, line_heights: list[int] | None = None
) -> Word | None:
    """The Latin word printed on the value line just above the given names (same column).

    The anchor is the printed given name (it matches the MRZ given name, which is evidence
    enough at ``ANCHOR_MIN_CONF``). Of the two nearest lines above it, the first with a
    legible Latin word is taken: the nearer one is often the small "Given names" label,
    which a poor capture reads as stray words of no confidence. A line with some other
    legible value is the surname line read badly: the search stops there."""
    if not given:
        return None
    first_given = _letters(given.split()[0])
    anchors = [
        w
        for w in words
        if w.conf >= ANCHOR_MIN_CONF
        and first_given
        and (
            _name_close(w.text, first_given)
            or _name_close(w.text.translate(IOTATED), first_given.translate(IOTATED))
            or fold(_letters(w.text)) == fold(first_given)  # WEL for WEI
        )
    ]
    for anchor in sorted(anchors, key=lambda w: -w.conf):
        _, ay, _, ah = anchor.box
        start = _line_start(words, anchor.line)
        above = [
            w
            for w in words
            if w.line != anchor.line and 0.6 * ah < ay - w.box[1] < SURNAME_ABOVE * ah
        ]
        for lines in _rows_above(above, ah)[:2]:
            # Lines of the row from the given names' column on (not the portrait's).
            lines = {li for li in lines if _line_start(words, li) > start - 3 * ah}
            row = sorted((w for w in above if w.line in lines), key=lambda w: w.box[0])
            if not row or row[0].box[0] - start >= 3 * ah:
                continue  # another column
            if line_heights and all(line_heights[li] < LABEL_MAX_H * TEXT_H for li in lines):
                continue  # a label line: small print
            if any(_letters(w.text) in LABEL_WORDS and len(_letters(w.text)) >= 4 for w in row):
                continue  # a label line read as words ("GIVEN NAMES")
            latin = _latin_words(row)
            if latin and max(w.conf for w in latin) >= OTHER_NAME_MIN_CONF:
                return max(latin, key=lambda w: w.conf)
            if any(_legible_value_word(w) for w in row):
                break  # the surname line, read but not as a name: no going further up
    return None


def _rows_above(above: list[Word], anchor_h: float) -> list[set[int]]:
    """The lines of ``above`` grouped into printed rows, nearest (lowest) first. A value
    reprinted off its baseline can come apart from the rest of its row (its local
    spelling) into a line of its own, a fraction of a line higher or lower."""
    tops = sorted(
        ((min(w.box[1] for w in above if w.line == li), li) for li in {w.line for w in above}),
        reverse=True,
    )
    rows: list[tuple[float, set[int]]] = []
    for top, line in tops:
        if rows and rows[-1][0] - top < 0.5 * anchor_h:
            rows[-1][1].add(line)
        else:
            rows.append((top, {line}))
    return [lines for _, lines in rows]


def _legible_value_word(w: Word) -> bool:
    """Something legible that is not a label word: the line holds a value."""
    text = re.sub(r"[^A-Z0-9]", "", w.text)
    return len(text) >= 3 and w.conf >= LEGIBLE_MIN_CONF and text not in LABEL_WORDS


def _latin_words(row: list[Word]) -> list[Word]:
    """The Latin-script name words of a line (left to right), labels left out."""
    latin = [
        w for w in row if re.fullmatch(r"[A-Z][A-Z'\-]+", w.text) and w.text not in LABEL_WORDS
    ]
    # On bilingual pages "LOCAL / LATIN": the Latin spelling follows the slash; what
    # precedes it is the local script read as Latin letters, never a candidate.
    slash = [i for i, w in enumerate(row) if "/" in w.text]
    if slash:
        after = [
            w
            for w in row[slash[-1] :]
            if re.fullmatch(r"/?[A-Z][A-Z'\-]+", w.text) and w.text.lstrip("/") not in LABEL_WORDS
        ]
        latin = [Word(w.text.lstrip("/"), w.conf, w.line, w.box) for w in after]
    return latin


def confirms(name: str, acc: Accusation, line_words: list[Word]) -> bool:
    """Does a second read of the accused line (``line_words``) see the same difference?
    The printed value again (look-alikes folded, possibly glued to a neighbour; for a
    date its year and month), and not the MRZ value."""
    if name == "document_number":
        tokens = [fold(t) for t, _, _ in _tokens(line_words)]
        printed = fold(acc.printed)
        # A read without the series letters is checked against the same digits.
        expected = fold(acc.expected)[len(acc.expected) - len(acc.printed) :]
        # The printed value again; a stray character read into it ("3187574286" for
        # 318757486) is a slip of the read, not another value.
        slipped = [t[:k] + t[k + 1 :] for t in tokens for k in range(len(t))]
        return any(printed in t for t in tokens + slipped) and not any(
            expected in t for t in tokens + slipped
        )
    if name in ("birth_date", "expiry_date"):
        expected = datetime.strptime(acc.expected, "%d.%m.%Y").date()
        seen = printed_dates(line_words)
        if acc.printed.count(".") == 1:  # MM.YYYY: the day was not read
            printed = datetime.strptime(acc.printed, "%m.%Y").date()
            # The same month and year anywhere on the line, even glued to stray letters.
            again = re.compile(rf"(?<![0-9]){printed.month:02d}{SEP}{printed.year}(?![0-9])")
            same = any(again.search(w.text) for w in line_words) or any(
                (d.value.year, d.value.month) == (printed.year, printed.month) for d in seen
            )
            return same and not any(d.value == expected for d in seen)
        printed = datetime.strptime(acc.printed, "%d.%m.%Y").date()
        # Forgers change the year (and month); the day is where reads slip most, so a
        # second read must agree on the day only when the day is all that differs. A date
        # glued to stray characters ("S..27.06.2035") still counts.
        day = f"{printed.day:02d}" if _day_only(printed, expected) else "[0-9]{1,2}"
        again = re.compile(rf"(?<![0-9]){day}{SEP}{printed.month:02d}{SEP}{printed.year}(?![0-9])")
        if _day_only(printed, expected):
            same = [d for d in seen if d.value == printed and d.garbled_day is None]
        else:
            same = [
                d for d in seen if (d.value.year, d.value.month) == (printed.year, printed.month)
            ]
        glued = any(again.search(w.text) for w in line_words)
        return (bool(same) or glued) and not any(d.value == expected for d in seen)
    # Names: a local spelling read without its slash glues onto the Latin one.
    words = [_letters(part) for w in line_words for part in w.text.split("/")]
    words = [w for w in words if w]
    target, mrz = _letters(acc.printed), _letters(acc.expected)
    if any(_name_close(w, mrz) or w.endswith(mrz) for w in words):
        return False
    return any(_name_close(w, target) or (len(target) >= 4 and w.endswith(target)) for w in words)


def merge_dates(first: list[PrintedDate], second: list[PrintedDate]) -> list[PrintedDate]:
    """Dates of both reads; a date both reads agree on takes the better confidence, one
    only the second read saw needs ``REREAD_MIN_CONF`` (a digits-only read turns any smudge
    into some digit). Agreement alone is no evidence: both reads see the same blur and
    make the same slip (a 3 read as 2 by both at confidence 0-30 on a genuine page)."""
    out = list(first)
    for d in second:
        same = [f for f in first if (f.value, f.garbled_day) == (d.value, d.garbled_day)]
        if same:
            conf = max(d.conf, *(f.conf for f in same))
            out.append(PrintedDate(d.value, conf, d.box, d.partial, d.garbled_day))
        else:  # a weak one still matches the MRZ date, never accuses
            conf = d.conf if d.conf >= REREAD_MIN_CONF else 0.0
            out.append(PrintedDate(d.value, conf, d.box, d.partial, d.garbled_day))
    return out


def compare_words(
    words: list[Word],
    fields: dict[str, Any],
    locate: Locate | None = None,
    reread: list[Word] | None = None,
    vetoed: frozenset[str] = frozenset(),
    number_reread: list[Word] | None = None,
    line_heights: list[int] | None = None,
) -> VizOutcome:
    """The comparison rules on the words read from the visual zone (pure).

    ``locate`` maps a region box to input-image pixels for the evidence. A field in
    ``vetoed`` (its accusation was not confirmed by a second read) is reported unreadable
    instead of mismatched.
    """
    outcome = VizOutcome()
    unreadable: list[str] = []

    def match(name: str, value: str) -> None:
        outcome.fields[name] = {"viz": value, "mrz": value, "match": True}

    def mismatch(
        name: str,
        printed: str,
        expected: str,
        box: tuple[float, float, float, float],
        conf: float,
    ) -> None:
        if name in vetoed:
            unreadable.append(name)
            return
        outcome.accused[name] = Accusation(printed, expected, conf, box)
        region = locate(box) if locate is not None else None
        outcome.fields[name] = {
            "viz": printed,
            "mrz": expected,
            "match": False,
            "region": None if region is None else list(region),
        }
        outcome.findings.append(
            make_finding(
                "VIZ_MRZ_MISMATCH",
                f"The printed {name.replace('_', ' ')} ({printed}) differs from the MRZ "
                f"({expected}).",
                field=name,
                value=printed,
                expected=expected,
                region=region,
                source="visual zone",
            )
        )

    # Document number: the MRZ number must appear; a confident token of its shape that
    # differs in one or two characters is a reprinted number.
    number = str(fields.get("document_number") or "").replace("<", "")
    if number:
        folded = fold(number)
        tokens = _tokens(words) + _tokens(number_reread or [])
        near = [
            (t, c, b)
            for t, c, b in tokens
            if c >= NUMBER_MIN_CONF
            and (tail := _number_tail(t, number))
            and fold(t) != fold(tail)
            and 1 <= number_differences(t, tail) <= 2
        ]
        exact = any(fold(t) == folded for t, _, _ in tokens)
        if exact:
            # The MRZ number is printed too (e.g. the red top-right copy): a second copy
            # that differs must be read confidently to count.
            near = [n for n in near if n[1] >= MIN_CONF]
        # Reads of the same copy that disagree with each other (7951... and 7941... for
        # 7931...) show a digit the OCR cannot make out, not a reprint.
        best = max(near, key=lambda x: x[1]) if near else None
        if best is not None and any(
            fold(t) != fold(best[0]) and abs(b[1] - best[2][1]) < 0.5 * best[2][3]
            for t, _, b in near
        ):
            near = []
        if near and best is not None:
            t, c, b = best
            mismatch("document_number", t, number, b, c)
        elif exact:
            match("document_number", number)
        else:
            unreadable.append("document_number")

    # Dates.
    dates = printed_dates(words)
    partial_dates = month_years(words, dates)
    if reread:
        dates = merge_dates(dates, printed_dates(reread))
    birth = mrz_date(str(fields.get("birth_date_raw") or ""), "birth_date")
    expiry = mrz_date(str(fields.get("expiry_date_raw") or ""), "expiry_date")
    for name, mrz in (("birth_date", birth), ("expiry_date", expiry)):
        if mrz is None:
            continue
        role_dates = repair_days(mrz, dates)
        if any(_same_yymmdd(d.value, mrz) for d in role_dates):
            match(name, mrz.strftime("%d.%m.%Y"))
            continue
        # A garbled day still shows a date line of its month and year: it counts towards
        # "birth, issue and expiry all legible", never as the candidate itself.
        others = {
            (d.value.year, d.value.month)
            for d in dates
            if d.garbled_day is not None and d.conf >= DATE_MIN_CONF
        }
        cand = date_role_candidate(name, mrz, role_dates, others)
        if cand is not None and _day_only(cand.value, mrz) and cand.conf < MIN_CONF:
            cand = None  # the day is where reads slip most: a day alone needs a sure read
        if cand is not None:
            mismatch(
                name, cand.value.strftime("%d.%m.%Y"), mrz.strftime("%d.%m.%Y"), cand.box, cand.conf
            )
            continue
        month_year = month_year_candidate(name, mrz, partial_dates)
        if month_year is not None:
            mismatch(
                name,
                month_year.value.strftime("%m.%Y"),
                mrz.strftime("%d.%m.%Y"),
                month_year.box,
                month_year.conf,
            )
        else:
            unreadable.append(name)

    # Surname: the MRZ surname must appear among the Latin words.
    surname = str(fields.get("surname") or "").replace("<", " ").strip()
    if surname:
        printed = printed_surname(words, str(fields.get("given_names") or ""), line_heights)
        exact = surname_present(words, surname, exact=True)
        if (
            printed is not None
            and not exact
            and surname_differs(printed.text, surname)
            and (
                printed.conf >= MIN_CONF
                or (
                    printed.conf >= OTHER_NAME_MIN_CONF
                    and other_name(printed.text, surname)
                    and not surname_present(words, surname)
                )
            )
        ):
            mismatch("surname", printed.text, surname, printed.box, printed.conf)
        elif exact or surname_present(words, surname):
            match("surname", surname)
        else:
            unreadable.append("surname")

    if unreadable:
        outcome.findings.append(
            make_finding(
                "VIZ_UNREADABLE",
                "Could not read these printed fields to compare with the MRZ: "
                + ", ".join(f.replace("_", " ") for f in unreadable)
                + ".",
                value=", ".join(unreadable),
            )
        )
    return outcome
