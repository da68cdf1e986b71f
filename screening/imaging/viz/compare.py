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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import cv2
import numpy as np

from screening.findings import Finding, make_finding
from screening.imaging.load import LoadedImage
from screening.imaging.mrz_image import ImageMrz
from screening.imaging.viz import lines as find
from screening.imaging.viz import match
from screening.imaging.viz.match import Expected, FieldRead
from screening.imaging.viz.ocr import VALUE_ALPHABET, Word, available, read_lines, warm_up
from screening.imaging.viz.page import Box, PageView, page_view
from screening.mrz import MrzReport

FIELDS = ("document_number", "surname", "given_names", "birth_date", "expiry_date")
# Reading time (after the lines are found): the first pass stops at BUDGET_S once the
# fields are not all found; second reads and confirmations stop at HARD_BUDGET_S.
BUDGET_S = 0.09
HARD_BUDGET_S = 0.2
BATCH = 4  # lines read between two checks of what is still missing
SECOND_READ_LINES = 8
CYRILLIC = "rus"
CONFIRM_ZOOM = 1.45
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
        "surname": match.match_name(words, "surname", expected.surname, expected.given_names),
        "given_names": match.match_name(
            words, "given_names", expected.given_names, expected.surname
        ),
        "birth_date": match.match_date("birth_date", dates, expected.birth_date),
        "expiry_date": match.match_date("expiry_date", dates, expected.expiry_date),
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
    """The page's lines and what has been read of them (words by read pass)."""

    ratio: np.ndarray
    keep: np.ndarray
    boxes: list[Box]
    hard_deadline: float
    words: list[Word] = field(default_factory=list)
    read: set[int] = field(default_factory=set)

    def first_pass(
        self, order: list[int], done: Callable[[list[Word]], bool], deadline: float
    ) -> None:
        for k in range(0, len(order), BATCH):
            if time.process_time() > deadline or done(self.words):
                return
            chunk = order[k : k + BATCH]
            self.words += read_lines(
                self.ratio, self.keep, self.boxes, chunk, deadline=self.hard_deadline
            )
            self.read.update(chunk)

    def again(self, lines: Sequence[int], budgeted: bool = True, **kwargs: Any) -> list[Word]:
        deadline = self.hard_deadline if budgeted else None
        return read_lines(self.ratio, self.keep, self.boxes, lines, deadline=deadline, **kwargs)


def reading_order(boxes: Sequence[Box], text_h: float) -> list[int]:
    """Largest lines first (values are printed larger than their labels); among lines of
    one size, top to bottom."""
    return sorted(
        range(len(boxes)), key=lambda i: (-round(boxes[i][3] / (0.15 * text_h)), boxes[i][1])
    )


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
    reading = time.process_time()
    reader = Reader(ratio, keep, boxes, reading + HARD_BUDGET_S)
    need = wanted(expected)

    def all_matched(words: list[Word]) -> bool:
        found = match_fields(words, expected)
        return all(name in found and found[name].match for name in need)

    reader.first_pass(reading_order(boxes, view.text_h), all_matched, reading + BUDGET_S)
    found = match_fields(reader.words, expected)
    missing = need - {n for n, f in found.items() if f.match}
    if missing:
        reader.words += second_reads(reader, missing, found)
        found = match_fields(reader.words, expected)
    found = confirm(reader, expected, found)
    return decide(found, need, view)


def second_reads(reader: Reader, missing: set[str], found: dict[str, FieldRead]) -> list[Word]:
    """Reads for fields not yet found as the MRZ value: Cyrillic for names and months
    (every line read so far whose Latin read is poor), digits again for dates and the
    number (lines with digits, at another scale)."""
    by_line = match.by_line(reader.words)
    out: list[Word] = []
    unread = [i for i in range(len(reader.boxes)) if i not in reader.read]
    if unread:
        out += reader.again(unread)
    poor = [
        i
        for i, ws in by_line.items()
        if any(w.conf < 75 and re.search(r"[A-Z]{3}", w.text) for w in ws)
    ]
    if missing & {"surname", "given_names", "birth_date", "expiry_date"} and available(CYRILLIC):
        out += reader.again(poor[:SECOND_READ_LINES], lang=CYRILLIC)
    digits = [i for i, ws in by_line.items() if sum(c.isdigit() for w in ws for c in w.text) >= 4]
    if missing & {"document_number", "birth_date", "expiry_date"}:
        out += reader.again(digits[:SECOND_READ_LINES], alphabet=VALUE_ALPHABET, zoom=REREAD_ZOOM)
    return out


def confirm(
    reader: Reader, expected: Expected, found: dict[str, FieldRead]
) -> dict[str, FieldRead]:
    """Keep an accusation only if a second read of its line (another scale, the alphabet
    of printed values) gives the same other value again."""
    out = dict(found)
    for name, read in found.items():
        if read.match:
            continue
        latin_name = name in ("surname", "given_names")
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ/-' " if latin_name else VALUE_ALPHABET
        # Never cut by the budget: an accusation is worth one more line read.
        again = reader.again([read.line], budgeted=False, alphabet=alphabet, zoom=CONFIRM_ZOOM)
        others = [w for w in reader.words if w.line != read.line]
        second = match_fields(others + again, expected).get(name)
        if second is None or second.match or not _same_value(name, read, second):
            del out[name]
    return out


def _same_value(name: str, first: FieldRead, second: FieldRead) -> bool:
    if name in ("birth_date", "expiry_date"):
        return first.printed.replace(" ", "") == second.printed.replace(" ", "") or (
            _digits(first.printed) == _digits(second.printed)
        )
    if name == "document_number":
        return match.fold_digits(first.printed) == match.fold_digits(second.printed)
    return match.name_distance(second.printed, match.latin_letters(first.printed)) <= 1


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
