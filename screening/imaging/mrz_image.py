"""Image -> MRZ text: locate, read with our OCR-B reader, fall back on Tesseract, fuse.

Fast path: when our own reader's read passes every check digit, Tesseract does not run
at all. Otherwise Tesseract reads
the same rectified line strips and :func:`screening.imaging.fuse.fuse` combines both.

A read is reported as MRZ text only when it is plausible as a whole (enough confident
characters, the format's structure); a band that looks like an MRZ but cannot be read
confidently is ``unreadable``; anything else is ``not_found``. No invented MRZ text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from screening.imaging import tesseract
from screening.imaging.fuse import FusedMrz, check_states, country_slip, fuse
from screening.imaging.illumination import KERNEL_FRACTIONS, flatten_light
from screening.imaging.read import (
    DOCUMENT_CODE_FIRST,
    MrzRead,
    count_checks,
    guess_format,
    read_mrz,
)
from screening.mrz.countries import lookup_country
from screening.mrz.formats import FieldKind, MrzFormat

# Plausibility gate for reporting text at all.
MIN_MEAN_CONFIDENCE = 0.8
LOW_CONFIDENCE = 0.5
# Below this MRZ character height (input pixels) OCR-B glyphs are no longer told apart
# reliably: such a read is refused, and the scan asks for a better image.
MIN_CHAR_PX = 6.5
CHECK_CHARS = frozenset("0123456789<")
SEX_CHARS = frozenset("MFX<")
UNSETTLED_BELOW = 0.3
CLEAR_READ = 0.6
MAX_LOW_CONFIDENCE_FRACTION = 0.1
UNREADABLE_MEAN_CONFIDENCE = 0.55


class MrzStatus(StrEnum):
    FOUND = "found"
    UNREADABLE = "unreadable"
    NOT_FOUND = "not_found"


@dataclass(slots=True)
class ImageMrz:
    status: MrzStatus
    lines: list[str] = field(default_factory=list)
    fused: FusedMrz | None = None
    read: MrzRead | None = None
    tesseract_ran: bool = False
    tesseract_lines: list[str] | None = None
    light_flattened: bool = False  # read on the glare-flattened copy (second attempt)

    @property
    def quad(self) -> list[list[float]] | None:
        return self.read.quad if self.read is not None else None

    @property
    def region(self) -> tuple[int, int, int, int] | None:
        return self.read.band.region() if self.read is not None else None

    @property
    def char_height_px(self) -> float | None:
        if self.read is None:
            return None
        return float(np.median([ln.cell_height for ln in self.read.lines]))

    def cell_region(self, line: int, index: int) -> tuple[int, int, int, int] | None:
        """Input-image box [x, y, w, h] around one character cell."""
        if self.read is None or line >= len(self.read.lines):
            return None
        lr = self.read.lines[line]
        x, y = lr.cell_points[index]
        h = lr.cell_height * 1.3
        return (round(x - h / 2), round(y - h / 2), round(h), round(h))


def _date_digits(lines: list[str]) -> int:
    """Digits among the birth and expiry date characters (12 when all are digits)."""
    fmt = guess_format(lines)
    if fmt is None:
        return 0
    count = 0
    for spec in fmt.fields:
        if spec.name in ("birth_date", "expiry_date"):
            count += sum(ch.isdigit() for ch in lines[spec.line][spec.start : spec.end])
    return count


def _structure_ok(lines: list[str]) -> bool:
    """The shape every MRZ has: a document code, a letter country code, digit dates."""
    if guess_format(lines) is None or lines[0][:1] not in DOCUMENT_CODE_FIRST:
        return False
    if not all(ch.isalpha() or ch == "<" for ch in lines[0][2:5]):
        return False
    fmt = guess_format(lines)
    assert fmt is not None
    if not all(lines[c.line][c.index] in CHECK_CHARS for c in fmt.checks):
        return False
    # Name components are separated by one or two fillers; letters after three or more
    # fillers are a line read past its end (or into something else), not a name.
    name = fmt.field("name")
    if re.search(r"<<<+[A-Z0-9]", lines[name.line][name.start : name.end]):
        return False
    return _date_digits(lines) >= 11


def impossible_values(lines: list[str], fmt: MrzFormat) -> list[str]:
    """Fields holding a value no document carries: a sex other than M/F/X/<, a country
    code that is no ICAO code (counted once when both codes are the same), a date off the
    calendar. A forger composes an MRZ that looks right, so one such value may be a
    forgery; two at once are a failed read (rescan)."""
    out: list[str] = []
    seen_codes: set[str] = set()
    for spec in fmt.fields:
        value = lines[spec.line][spec.start : spec.end]
        if spec.name not in _POSSIBLE or _POSSIBLE[spec.name](value):
            continue
        if spec.kind is FieldKind.COUNTRY:
            # The same unknown code twice is the document's own (old national cards print
            # e.g. 'SI<'), not two misreads.
            if value in seen_codes:
                continue
            seen_codes.add(value)
        out.append(spec.name)
    return out


def _calendar_date(yymmdd: str) -> bool:
    if not yymmdd.isdigit():
        return False
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    return 1 <= month <= 12 and 1 <= day <= 31


def _country_code(code: str) -> bool:
    return lookup_country(code) is not None


_POSSIBLE: dict[str, Callable[[str], bool]] = {
    "sex": SEX_CHARS.__contains__,
    "issuing_country": _country_code,
    "nationality": _country_code,
    "birth_date": _calendar_date,
    "expiry_date": _calendar_date,
}


def _plausible(fused: FusedMrz) -> bool:
    """Report text only for an MRZ-shaped, confident read with at most two failing checks.

    A forged page fails one check digit and the composite; a read failing more is too
    doubtful to report (MRZ_UNREADABLE: rescan) rather than risk an invented MRZ.
    """
    conf = np.concatenate(fused.confidence)
    fmt = guess_format(fused.lines)
    if fmt is None or not _structure_ok(fused.lines):
        return False
    states = check_states(fused.lines, fmt)
    if sum(states) < len(states) - 2:
        return False
    if len(impossible_values(fused.lines, fmt)) >= 2:
        return False
    if float(conf.mean()) < MIN_MEAN_CONFIDENCE:
        return False
    if float(np.mean(conf < LOW_CONFIDENCE)) > MAX_LOW_CONFIDENCE_FRACTION:
        return False
    corrected = {(c.line, c.index) for c in fused.corrections}
    # A character the reader could barely make out (and nothing settled) is a rescan.
    for li, line_conf in enumerate(fused.confidence):
        for i, value in enumerate(line_conf):
            if value < UNSETTLED_BELOW and (li, i) not in corrected:
                return False
    # A failing check digit is evidence of forgery only when everything it covers was
    # read clearly; over an uncertain read it is just as likely a misread: rescan.
    for check, ok in zip(fmt.checks, states, strict=True):
        if ok:
            continue
        # The composite spans the other fields, which have their own checks: for it
        # only its own digit counts.
        cells = [(check.line, check.index)]
        if check.name != "composite":
            cells += [(ln, i) for ln, a, b in check.spans for i in range(a, b)]
        if any(
            fused.confidence[ln][i] < CLEAR_READ and (ln, i) not in corrected for ln, i in cells
        ):
            return False
    return True


def _looks_like_mrz(read: MrzRead) -> bool:
    texts = read.texts
    conf = np.array([c.confidence for ln in read.lines for c in ln.chars])
    fillers = sum(t.count("<") for t in texts)
    shaped = texts[0][:1] in DOCUMENT_CODE_FIRST or read.checks_passed >= 2
    return (
        shaped
        and fillers >= 4
        and _date_digits(texts) >= 8
        and float(conf.mean()) >= UNREADABLE_MEAN_CONFIDENCE
    )


OTHER_COUNTRY_FIELD = {"nationality": "issuing_country", "issuing_country": "nationality"}


def country_misread(fields: dict[str, object], name: str) -> tuple[str, int] | None:
    """(the other code, index of the one differing character) when the country field
    ``name`` is no ICAO code but one character away from the other country field, which
    is one. No check digit covers these codes: read from an image, such a code is far more
    likely one misread character (BGD read as NGD) than a forger's choice."""
    read = str(fields.get(name) or "")
    other = str(fields.get(OTHER_COUNTRY_FIELD.get(name, "")) or "")
    slip = country_slip(read, other)
    return None if slip is None else (other, slip)


def read_image_mrz(gray: np.ndarray, use_tesseract: bool = True) -> ImageMrz:
    """Read the page as captured; when that gives no MRZ text, once more with the light
    evened out (glare, a shadow), where only a read passing every check digit counts."""
    first = _read_gray(gray, use_tesseract)
    if first.status is MrzStatus.FOUND:
        return first
    for fraction in KERNEL_FRACTIONS:
        retry = _read_gray(flatten_light(gray, fraction), use_tesseract, under_glare=True)
        if retry.status is MrzStatus.FOUND:
            retry.light_flattened = True
            return retry
    return first


def _read_gray(gray: np.ndarray, use_tesseract: bool, under_glare: bool = False) -> ImageMrz:
    read = read_mrz(gray)
    if read is None:
        return ImageMrz(MrzStatus.NOT_FOUND)
    if under_glare and not _looks_like_mrz(read):
        # Flattening turns paper texture into faint "text"; nothing MRZ-like came of it,
        # and Tesseract on such noise is slow (seconds) for nothing.
        return ImageMrz(MrzStatus.NOT_FOUND)
    fmt = guess_format(read.texts)
    probas = [ln.proba for ln in read.lines]
    fused = fuse(probas, fmt)
    passed, total = count_checks(fused.lines, fmt)
    # Tesseract only where its evidence can change the outcome: a failing check digit
    # (misread or forgery?). A read passing every check digit needs no second opinion;
    # one with a character our reader could barely make out is refused by the gate.
    fast = passed == total
    result = ImageMrz(MrzStatus.NOT_FOUND, read=read, fused=fused)
    if not fast and use_tesseract:
        tess = tesseract.read_lines([ln.strip for ln in read.lines], len(read.lines))
        result.tesseract_ran = True
        result.tesseract_lines = tess
        if tess is not None:
            result.fused = fused = fuse(probas, fmt, tess)
    too_small = (result.char_height_px or 0.0) < MIN_CHAR_PX
    # Under glare a failing check digit is no evidence of forgery: the characters it
    # covers were faded. Only a read that passes every check is reported.
    passed, total = count_checks(fused.lines, fmt)
    if _plausible(fused) and not too_small and (passed == total or not under_glare):
        result.status = MrzStatus.FOUND
        result.lines = list(fused.lines)
    elif _looks_like_mrz(read):
        result.status = MrzStatus.UNREADABLE
    else:
        result.read = None  # nothing MRZ-like: do not report a region either
    return result
