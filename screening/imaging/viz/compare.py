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
from screening.imaging.viz import again, match, names, order
from screening.imaging.viz import confirm as check
from screening.imaging.viz import lines as find
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
from screening.mrz import MrzReport

FIELDS = ("document_number", "surname", "given_names", "birth_date", "expiry_date")
# Reading budgets in character widths (``ocr.Budget``: ~0.7 ms of one core each): the
# first pass reads lines until every field is found or FIRST_PASS units are spent; second
# reads stop when SECOND_READS more are spent. Confirmations are never cut.
FIRST_PASS = 130.0
SECOND_READS = 90.0
BATCH = 3  # lines read between two checks of what is still missing
SECOND_READ_LINES = 8
AIMED_LINES = 3  # lines re-read for a word shaped like a missing name
# A candidate other value read at least this surely settles its field for the first pass.
SURE = 80.0
CYRILLIC = "rus"
CONFIRM_ZOOM = 1.45
DATE_ALPHABET = "0123456789./-"
# A run of digits shaped like a whole date (DD.MM.YYYY), wherever it sits in a word.
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
        surname=_name(fields.get("surname")),
        given_names=_name(fields.get("given_names")),
        birth_date=birth,
        expiry_date=expiry,
    )


def _name(value: object) -> str:
    """An MRZ name field as words; "" when it holds digits (a national format parsed
    other than as printed: no name to look for)."""
    text = str(value or "").replace("<", " ").strip()
    return "" if re.search(r"[0-9]", text) else text


def _yymmdd(raw: str, century: int) -> date | None:
    if not re.fullmatch(r"[0-9]{6}", raw):
        return None
    try:
        return date(century + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        return None


def match_fields(words: Sequence[Word], expected: Expected) -> dict[str, FieldRead]:
    """Every field found (as the MRZ value or as another value), by name."""
    words = match.split_slashes(words)
    found = {
        "document_number": match.match_number(words, expected.document_number),
        "surname": names.match_name(words, "surname", expected.surname, expected.given_names),
        "given_names": names.match_name(
            words, "given_names", expected.given_names, expected.surname
        ),
    }
    anchors = [d for d in (expected.birth_date, expected.expiry_date) if d is not None]
    # A two-digit year takes the century nearest one of the MRZ dates.
    dates = match.printed_dates(words, anchors) if anchors else []
    for role, other in (("birth_date", "expiry_date"), ("expiry_date", "birth_date")):
        mrz = getattr(expected, role)
        if mrz is not None:
            found[role] = match.match_date(role, dates, mrz, getattr(expected, other))
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
    shapes: list[order.LineShape]
    budget: Budget = field(default_factory=lambda: Budget(FIRST_PASS))
    words: list[Word] = field(default_factory=list)
    read: set[int] = field(default_factory=set)
    reads: int = 0  # second reads so far (the first pass is read 0)

    def read_in_order(self, lines: Sequence[int], done: Callable[[list[Word]], bool]) -> None:
        """Read ``lines`` (first reads) a few at a time until ``done`` or the budget ends."""
        lines = [i for i in lines if i not in self.read]
        for k in range(0, len(lines), BATCH):
            if self.budget.units <= 0 or done(self.words):
                return
            chunk = lines[k : k + BATCH]
            self.words += read_lines(self.ratio, self.keep, self.boxes, chunk, budget=self.budget)
            self.read.update(chunk)

    def again(self, lines: Iterable[int], budgeted: bool = True, **kwargs: Any) -> list[Word]:
        """Read ``lines`` once more (a new read: its words stay a sequence of their own)."""
        self.reads += 1
        budget = self.budget if budgeted else None
        return read_lines(
            self.ratio, self.keep, self.boxes, lines, budget=budget, read=self.reads, **kwargs
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
    reader = Reader(ratio, keep, boxes, order.shapes(ink, boxes, view.text_h))
    need = wanted(expected)

    def resolved(words: list[Word]) -> bool:
        found = match_fields(words, expected)
        return all(n in found and (found[n].match or found[n].conf >= SURE) for n in need)

    first = order.first_order(reader.shapes, boxes, view.chars)
    reader.read_in_order(first, resolved)
    confirmed: dict[tuple[str, str, int], bool] = {}
    found = confirm(reader, expected, match_fields(reader.words, expected), confirmed)
    open_fields = need - {n for n, f in found.items() if f.match}
    if open_fields:
        # Fields not found, or found as another value: the unread lines that could hold
        # them first (the MRZ value may be printed twice), then second reads.
        reader.budget.units = max(reader.budget.units, 0.0) + SECOND_READS
        spans = [order.field_chars(n, _text_of(expected, n)) for n in open_fields]
        later = order.next_order(reader.shapes, first, reader.read, spans)
        missing = need - set(found)
        reader.read_in_order(later, lambda words: _settled(words, expected, need, missing))
        found = match_fields(reader.words, expected)
        missing = need - {n for n, f in found.items() if f.match or f.conf >= SURE}
        if missing:
            # Value lines read as nothing legible, again with all their pixels.
            poor = again.poor_lines(
                reader.words, reader.read, order.value_lines(reader.shapes, view.chars)
            )
            reader.words += reader.again(poor[:SECOND_READ_LINES], masked=False)
            faint = find.faint_lines(ratio, view.text_h, ink, boxes, view.mrz_box)
            if faint:
                reader.keep |= cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0
                reader.shapes += order.shapes(ink, faint, view.text_h)
                first_faint = len(boxes)
                boxes.extend(faint)
                reader.words += reader.again(range(first_faint, len(boxes)))
            reader.words += second_reads(reader, missing, expected)
            found = match_fields(reader.words, expected)
        found = confirm(reader, expected, found, confirmed)
    return decide(found, need, view)


def _text_of(expected: Expected, name: str) -> str:
    value = getattr(expected, name)
    return value if isinstance(value, str) else ""


def _settled(words: list[Word], expected: Expected, need: set[str], missing: set[str]) -> bool:
    """Every field found as the MRZ value, or as another value read surely; the fields that
    were missing are found at all."""
    found = match_fields(words, expected)
    return all(n in found for n in missing) and all(
        n in found and (found[n].match or found[n].conf >= SURE) for n in need
    )


def second_reads(reader: Reader, missing: set[str], expected: Expected) -> list[Word]:
    """Reads for fields not yet found, while the budget lasts: lines holding a weakly read
    value shaped like a missing field again at another scale (:mod:`again`); dates glued
    to a mark cut out and read alone; the lines with digits again at another scale (dates
    and the number); the lines read poorly in Latin again in Cyrillic (names and month
    names)."""
    out: list[Word] = []
    by_line = match.by_line(reader.words)
    # Aimed at a value already half read: short, so not cut by the budget.
    name_lines = again.aimed_lines(reader.words, missing & {"surname", "given_names"}, expected)
    other_lines = again.aimed_lines(reader.words, missing - {"surname", "given_names"}, expected)
    out += reader.again(
        name_lines[:AIMED_LINES], budgeted=False, alphabet=check.NAME_ALPHABET, zoom=REREAD_ZOOM
    )
    out += reader.again(
        other_lines[:AIMED_LINES], budgeted=False, zoom=REREAD_ZOOM, small_print=True
    )
    if missing & {"birth_date", "expiry_date"}:
        crops = again.date_crops(reader.words, reader.boxes)
        first = len(reader.boxes)
        reader.boxes.extend(crops)
        out += reader.again(
            range(first, len(reader.boxes)),
            budgeted=False,
            alphabet=DATE_ALPHABET,
            zoom=REREAD_ZOOM,
        )
    digits = again.unique(
        i for (i, _), ws in by_line.items() if sum(c.isdigit() for w in ws for c in w.text) >= 4
    )
    if missing & {"document_number", "birth_date", "expiry_date"}:
        out += reader.again(digits[:SECOND_READ_LINES], alphabet=VALUE_ALPHABET, zoom=REREAD_ZOOM)
    poor = again.unique(
        i
        for (i, _), ws in by_line.items()
        if any(w.conf < 75 and re.search(r"[A-Z]{3}", w.text) for w in ws)
    )
    if missing & {"birth_date", "expiry_date"} and available(CYRILLIC):
        # Dates whose month name was not made out ("12 HOH 1954"): the name may be
        # Cyrillic. Aimed and short, so not cut by the budget.
        months = again.unknown_month_lines(reader.words)[:AIMED_LINES]
        out += reader.again(months, budgeted=False, lang=CYRILLIC)
        poor = [i for i in poor if i not in months]
    if missing & {"surname", "given_names", "birth_date", "expiry_date"} and available(CYRILLIC):
        out += reader.again(poor[:SECOND_READ_LINES], lang=CYRILLIC)
    return out


def confirm(
    reader: Reader,
    expected: Expected,
    found: dict[str, FieldRead],
    cache: dict[tuple[str, str, int], bool],
) -> dict[str, FieldRead]:
    """Keep an accusation only if one more read of its line (another scale, the alphabet
    of printed values) shows the same other value again and not the MRZ value
    (:mod:`confirm`). Never cut by the budget: an accusation is worth one more read."""
    out = dict(found)
    for name, read in found.items():
        if read.match:
            continue
        key = (name, read.printed, read.line)
        if key not in cache:
            # The value alone, cut from its line: whatever the line finder glued to it (a
            # portrait edge, a label) changes how the whole line is read, not the value.
            reader.boxes.append(again.value_box(read, reader.boxes))
            # A value read in Cyrillic (a month name) is read again in Cyrillic.
            cyrillic = bool(re.search("[\u0400-\u04ff]", read.printed)) and available(CYRILLIC)
            reread = reader.again(
                [len(reader.boxes) - 1],
                budgeted=False,
                alphabet="" if cyrillic else check.alphabet(name),
                lang=CYRILLIC if cyrillic else "eng",
                zoom=CONFIRM_ZOOM,
                small_print=name not in ("surname", "given_names"),
            )
            cache[key] = check.confirms(name, read, reread, expected)
        if not cache[key]:
            del out[name]
    return out


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
