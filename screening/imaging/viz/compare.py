"""Visual zone vs MRZ, the whole stage: find lines, read them, match, decide.

1. **Where** (:mod:`page`): the page around the MRZ, upright, at a known text scale.
2. **Lines** (:mod:`lines`): every text line outside the MRZ band and the portrait.
3. **Read** (:mod:`ocr`): lines one by one, largest first (values are printed larger than
   labels), until every field is found or the time budget is spent; then, only for fields
   still unresolved, second reads: the lines in Russian (Cyrillic names and months), and
   the lines with digits at another scale.
4. **Match** (:mod:`match`): each MRZ field printed as in the MRZ, or another value of it.
5. **Confirm**: an accusation stands only if a second read of its line, at another scale
   and with the alphabet of printed values, gives the same other value again (a misread is
   rarely repeated at another scale; a reprint always is). Otherwise the field is
   unreadable.
6. **Decide**: ``VIZ_MRZ_MISMATCH`` (alert) per field read as another value;
   ``VIZ_UNREADABLE`` (info) naming the fields not found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import cv2
import numpy as np

from screening.findings import Finding, make_finding
from screening.imaging.load import LoadedImage
from screening.imaging.mrz_image import ImageMrz
from screening.imaging.viz import lines as find
from screening.imaging.viz import match, names
from screening.imaging.viz.match import Expected, FieldRead
from screening.imaging.viz.ocr import (
    VALUE_ALPHABET,
    Budget,
    Word,
    available,
    read_lines,
    warm_up,
)
from screening.imaging.viz.page import Box, PageView, page_view
from screening.imaging.viz.values import latin_letters, name_distance, parse_dates
from screening.mrz import MrzReport

FIELDS = ("document_number", "surname", "given_names", "birth_date", "expiry_date")
# Reading budgets in character widths (``ocr.Budget``: ~0.7 ms of one core each): the
# first pass reads lines until every field is found or FIRST_PASS units are spent; second
# reads stop when SECOND_READS more are spent. Confirmations are never cut.
FIRST_PASS = 130.0
SECOND_READS = 90.0
BATCH = 3  # lines read between two checks of what is still missing
SECOND_READ_LINES = 8
CYRILLIC = "rus"
CONFIRM_ZOOM = 1.45
DATE_ALPHABET = "0123456789./-"
# A run of digits shaped like a whole date (DD.MM.YYYY), wherever it sits in a word.
DATE_RUN = re.compile(r"[0-9]{2}[.\-/ ,][0-9]{2}[.\-/ ,][0-9]{4}")
REREAD_ZOOM = 1.3


@dataclass(slots=True)
class VizOutcome:
    findings: list[Finding] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    reads: dict[str, FieldRead] = field(default_factory=dict)


def expected_from(fields: dict[str, Any]) -> Expected:
    """What the MRZ says is printed. Birth years take the century that puts them before
    the expiry (the MRZ gives two digits)."""
    expiry = _yymmdd(str(fields.get("expiry_date_raw") or ""), 2000)
    birth = _yymmdd(str(fields.get("birth_date_raw") or ""), 2000)
    if birth is not None and (birth.year > (expiry.year if expiry else 2030)):
        birth = birth.replace(year=birth.year - 100)
    return Expected(
        document_number=str(fields.get("document_number") or "").replace("<", ""),
        surname=str(fields.get("surname") or "").replace("<", " ").strip(),
        given_names=str(fields.get("given_names") or "").replace("<", " ").strip(),
        birth_date=birth,
        expiry_date=expiry,
    )


def _yymmdd(raw: str, century: int) -> date | None:
    if not re.fullmatch(r"[0-9]{6}", raw):
        return None
    try:
        return date(century + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        return None


def match_fields(words: Sequence[Word], expected: Expected) -> dict[str, FieldRead]:
    """Every field found (as the MRZ value or as another value), by name."""
    near = expected.birth_date or expected.expiry_date or date(2000, 1, 1)
    dates = match.printed_dates(words, near)
    found = {
        "document_number": match.match_number(words, expected.document_number),
        "surname": names.match_name(words, "surname", expected.surname, expected.given_names),
        "given_names": names.match_name(
            words, "given_names", expected.given_names, expected.surname
        ),
        "birth_date": match.match_date(
            "birth_date", dates, expected.birth_date, expected.expiry_date
        ),
        "expiry_date": match.match_date(
            "expiry_date", dates, expected.expiry_date, expected.birth_date
        ),
    }
    return {k: v for k, v in found.items() if v is not None}


def wanted(expected: Expected) -> set[str]:
    return {
        name
        for name, value in (
            ("document_number", expected.document_number),
            ("surname", expected.surname),
            ("given_names", expected.given_names),
            ("birth_date", expected.birth_date),
            ("expiry_date", expected.expiry_date),
        )
        if value
    }


@dataclass(slots=True)
class Reader:
    """The page's lines and what has been read of them."""

    ratio: np.ndarray
    keep: np.ndarray
    boxes: list[Box]
    budget: Budget = field(default_factory=lambda: Budget(FIRST_PASS))
    words: list[Word] = field(default_factory=list)
    read: set[int] = field(default_factory=set)
    order: list[int] = field(default_factory=list)  # the reading order of the lines
    reads: int = 0  # second reads so far (the first pass is read 0)

    def first_pass(self, order: list[int], done: Callable[[list[Word]], bool]) -> None:
        self.order = order
        for k in range(0, len(order), BATCH):
            if self.budget.units <= 0 or done(self.words):
                return
            chunk = order[k : k + BATCH]
            self.words += read_lines(self.ratio, self.keep, self.boxes, chunk, budget=self.budget)
            self.read.update(chunk)

    def again(self, lines: Iterable[int], budgeted: bool = True, **kwargs: Any) -> list[Word]:
        """Read ``lines`` once more (a new read: its words stay a sequence of their own)."""
        self.reads += 1
        budget = self.budget if budgeted else None
        return read_lines(
            self.ratio, self.keep, self.boxes, lines, budget=budget, read=self.reads, **kwargs
        )


# Printed value heights, in MRZ character heights, by MRZ line length: passports and
# visas print values about as tall as the MRZ; cards smaller (ICAO 9303 Parts 4-6).
VALUE_H = {44: (0.75, 1.3), 36: (0.65, 1.3), 30: (0.6, 1.15)}
MAX_VALUE_WIDTH = 16.0  # line heights: a 14-digit number, a bilingual name line


def reading_order(boxes: Sequence[Box], text_h: float, chars: int = 44) -> list[int]:
    """Lines of a printed value's height first, top to bottom; then taller ones (titles,
    seals, signatures); then smaller ones (labels)."""
    low, high = VALUE_H.get(chars, VALUE_H[30])

    def rank(i: int) -> tuple[int, float]:
        ratio = boxes[i][3] / text_h
        # A line longer than any value (a title, labels run together) waits too.
        value = low <= ratio <= high and boxes[i][2] <= MAX_VALUE_WIDTH * boxes[i][3]
        return (0 if value else (1 if ratio >= low else 2), boxes[i][1])

    return sorted(range(len(boxes)), key=rank)


def compare_viz(
    image: LoadedImage, mrz: ImageMrz, report: MrzReport, use_tesseract: bool
) -> VizOutcome:
    if not use_tesseract:
        return VizOutcome()
    warm_up("eng", CYRILLIC)  # once per process, outside the time budget
    expected = expected_from(report.fields)
    view = page_view(image.bgr, mrz)
    if view is None or not wanted(expected):
        return VizOutcome()
    ratio = find.ink_ratio(view.bgr, view.text_h)
    boxes, ink = find.find_lines(ratio, view.text_h, view.mrz_box)
    keep = cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0
    reader = Reader(ratio, keep, boxes)
    need = wanted(expected)

    def all_matched(words: list[Word]) -> bool:
        found = match_fields(words, expected)
        return all(name in found and found[name].match for name in need)

    reader.first_pass(reading_order(boxes, view.text_h, view.chars), all_matched)
    found = match_fields(reader.words, expected)
    missing = need - {n for n, f in found.items() if f.match}
    if missing:
        reader.budget.units = max(reader.budget.units, 0.0) + SECOND_READS
        faint = find.faint_lines(ratio, view.text_h, ink, boxes, view.mrz_box)
        if faint:
            first = len(boxes)
            boxes.extend(faint)
            reader.keep |= cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0
            reader.order = list(range(first, len(boxes))) + reader.order
        reader.words += second_reads(reader, missing)
        found = match_fields(reader.words, expected)
    found = confirm(reader, expected, found)
    return decide(found, need, view)


def second_reads(reader: Reader, missing: set[str]) -> list[Word]:
    """Reads for fields not yet found as the MRZ value, while the budget lasts: the lines
    not read yet; dates glued to a mark cut out and read alone; the lines with digits
    again at another scale (dates and the number); the lines read poorly in Latin again
    in Cyrillic (names and month names)."""
    out: list[Word] = []
    unread = [i for i in reader.order if i not in reader.read]
    if unread:
        out += reader.again(unread)
    words = reader.words + out
    by_line = match.by_line(words)
    if missing & {"birth_date", "expiry_date"}:
        # Short and aimed at a date already half read: not cut by the budget.
        crops = date_crops(words, reader.boxes)
        first = len(reader.boxes)
        reader.boxes.extend(crops)
        out += reader.again(
            range(first, len(reader.boxes)),
            budgeted=False,
            alphabet=DATE_ALPHABET,
            zoom=REREAD_ZOOM,
        )
    digits = _unique(
        i for (i, _), ws in by_line.items() if sum(c.isdigit() for w in ws for c in w.text) >= 4
    )
    if missing & {"document_number", "birth_date", "expiry_date"}:
        out += reader.again(digits[:SECOND_READ_LINES], alphabet=VALUE_ALPHABET, zoom=REREAD_ZOOM)
    poor = _unique(
        i
        for (i, _), ws in by_line.items()
        if any(w.conf < 75 and re.search(r"[A-Z]{3}", w.text) for w in ws)
    )
    if missing & {"surname", "given_names", "birth_date", "expiry_date"} and available(CYRILLIC):
        out += reader.again(poor[:SECOND_READ_LINES], lang=CYRILLIC)
    return out


def _unique(lines: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(lines))


def date_crops(words: Sequence[Word], boxes: Sequence[Box]) -> list[Box]:
    """The stretch of a line holding a date-shaped run inside a weakly read word, cut to
    the run (with a character to spare on each side). Tesseract rates a word by its worst
    character: a date glued to a speck or a seal stroke ("P—301.05.2028") comes back at
    confidence 0 however clearly its digits are printed; read alone, it is rated for
    itself."""
    out = []
    for w in words:
        if w.conf >= match.DATE_MIN_CONF or not 0 <= w.line < len(boxes):
            continue
        text = match.fold_digits(w.text)
        run = DATE_RUN.search(text)
        if run is None:
            continue
        char_w = w.box[2] / max(len(text), 1)
        x0 = w.box[0] + char_w * (run.start() - 1.0)
        x1 = w.box[0] + char_w * (run.end() + 1.0)
        _, ly, _, lh = boxes[w.line]
        out.append((max(0, round(x0)), ly, max(1, round(x1 - x0)), lh))
    return out[:SECOND_READ_LINES]


def confirm(
    reader: Reader, expected: Expected, found: dict[str, FieldRead]
) -> dict[str, FieldRead]:
    """Keep an accusation only if a second read of its line (another scale, the alphabet
    of printed values) shows the same other value again and not the MRZ value: a misread
    is rarely repeated at another scale, a reprint always is. Agreement is what counts
    here, not the second read's confidence (the first read already had to be sure)."""
    out = dict(found)
    for name, read in found.items():
        if read.match:
            continue
        latin_name = name in ("surname", "given_names")
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ/-' " if latin_name else VALUE_ALPHABET
        # Never cut by the budget: an accusation is worth one more line read.
        again = reader.again([read.line], budgeted=False, alphabet=alphabet, zoom=CONFIRM_ZOOM)
        if not confirms(name, read, again, expected):
            del out[name]
    return out


def confirms(name: str, read: FieldRead, again: Sequence[Word], expected: Expected) -> bool:
    """Does a second read of the accused line show the printed value again, and not the
    MRZ value?"""
    text = " ".join(w.text for w in again)
    if name in ("birth_date", "expiry_date"):
        mrz = getattr(expected, name)
        if any(match.same_date(d, mrz) for d in match.printed_dates(again, mrz)):
            return False
        # The same day (if read), month and year again, in whatever format.
        first = {(d.day, d.month, d.year % 100) for d in parse_dates(read.printed)}
        again_dates = parse_dates(text) + parse_dates(text.replace(" ", ""))
        return any((d.day, d.month, d.year % 100) in first for d in again_dates)
    if name == "document_number":
        tokens = [match.fold_digits(re.sub(r"[^A-Z0-9]", "", w.text)) for w in again]
        joined = "".join(tokens)
        printed = match.fold_digits(read.printed)
        mrz = match.fold_digits(read.expected)
        # A stray character read into the value ("3187574286" for 318757486) is a slip.
        slipped = {joined[:k] + joined[k + 1 :] for k in range(len(joined))} | {joined}
        return any(printed in t for t in slipped) and not any(mrz in t for t in slipped)
    if names.name_present(again, read.expected, exact=True, latin_only=True) is not None:
        return False
    target = latin_letters(read.printed)
    return any(
        name_distance(" ".join(w.text for w in run), target) <= 1 for run in match.runs_of(again, 3)
    )


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def decide(found: dict[str, FieldRead], need: set[str], view: PageView) -> VizOutcome:
    outcome = VizOutcome(reads=found)
    for name in FIELDS:
        read = found.get(name)
        if read is None or name not in need:
            continue
        region = list(view.input_box(read.box))
        if read.match:
            outcome.fields[name] = {
                "viz": read.printed,
                "mrz": read.expected,
                "match": True,
                "region": region,
            }
            continue
        outcome.fields[name] = {
            "viz": read.printed,
            "mrz": read.expected,
            "match": False,
            "region": region,
        }
        label = name.replace("_", " ")
        outcome.findings.append(
            make_finding(
                "VIZ_MRZ_MISMATCH",
                f"The printed {label} ({read.printed}) differs from the MRZ ({read.expected}).",
                field=name,
                value=read.printed,
                expected=read.expected,
                region=tuple(region),
                source="visual zone",
            )
        )
    unreadable = [n for n in FIELDS if n in need and n not in found]
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
