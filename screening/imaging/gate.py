"""The plausibility gate: is a read from an image good enough to report as MRZ text?

Reporting a misread as the document's MRZ is worse than reporting nothing: a misread
check digit becomes a forgery alert on a genuine page, a misread name passes every check
digit. So text is reported only for an MRZ-shaped, confident read, and

* a failing check digit, or a value no document carries (an unknown country code, an
  impossible date or sex), counts as evidence (of forgery) only on a sharp capture and
  over clearly read characters; on a smeared capture (motion blur measured on the band,
  or a band that had to be deconvolved), under glare or at low resolution, only a read
  passing every check digit with possible values is reported: anything else there is more
  likely a misread, so the scan asks for a rescan (``MRZ_UNREADABLE``) instead;
* characters no check digit covers (names, country codes, sex) need a clear read of their
  own: nothing else would catch them if they were wrong;
* a country code completed from look-alikes (8 -> B) must be a code some state uses;
* every date character is a digit (or ``<`` for an unknown part).

Everything else is refused: ``MRZ_UNREADABLE`` when the band looks like an MRZ, else
``MRZ_NOT_FOUND``. No invented MRZ text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import numpy as np

from screening.imaging.fuse import FusedMrz, check_states
from screening.imaging.read import DOCUMENT_CODE_FIRST, MrzRead, guess_format
from screening.mrz.countries import lookup_country
from screening.mrz.formats import CheckSpec, FieldKind, MrzFormat

MIN_MEAN_CONFIDENCE = 0.8
LOW_CONFIDENCE = 0.5
CHECK_CHARS = frozenset("0123456789<")
DATE_CHARS = frozenset("0123456789<")
SEX_CHARS = frozenset("MFX<")
UNSETTLED_BELOW = 0.3
CLEAR_READ = 0.6
# A character no check digit covers must be read at least this clearly among the
# characters its field allows.
UNCOVERED_CLEAR = 0.5
# On a smeared band a wrong letter in a name can be read at 0.6 (SPECIMEX for SPECIMEN
# at a 9 px smear) and no check digit covers it: there such a character needs a clear
# read, or the band is deblurred and read again (or the scan asks for a rescan).
SMEARED_UNCOVERED_CLEAR = 0.8
# On a band smeared as captured (not deconvolved) a failing check digit still counts as
# evidence of forgery when every character it covers was read at least this clearly and
# none was corrected: a forged page photographed with a slight smear (3-6 px) reads
# with confidence 1.0 over the failing field.
SMEARED_FAILING_CLEAR = 0.9
# A character read below this (or corrected) is doubtful; one check digit vouches for
# at most one doubtful character: two misreads under one 7-3-1 sum can cancel (two 0s
# read as O at weights 7 and 3 add 240, a multiple of 10).
DOUBTFUL_BELOW = 0.9
MAX_LOW_CONFIDENCE_FRACTION = 0.1
UNREADABLE_MEAN_CONFIDENCE = 0.55
DATE_FIELDS = ("birth_date", "expiry_date")
# OCR-B letters a blurred digit is taken for. A failing check whose field passes once
# these are read as digits (A32O2O1772 for A320201772) shows a misread, not a forgery.
DIGIT_LOOK_ALIKES = str.maketrans("ODQILSBZG", "000115826")


def _date_digits(lines: list[str]) -> int:
    """Digits among the birth and expiry date characters (12 when all are digits)."""
    fmt = guess_format(lines)
    if fmt is None:
        return 0
    count = 0
    for spec in fmt.fields:
        if spec.name in DATE_FIELDS:
            count += sum(ch.isdigit() for ch in lines[spec.line][spec.start : spec.end])
    return count


def structure_ok(lines: list[str]) -> bool:
    """The shape every MRZ has: a document code, a letter country code, digit dates."""
    fmt = guess_format(lines)
    if fmt is None or lines[0][:1] not in DOCUMENT_CODE_FIRST:
        return False
    if not all(ch.isalpha() or ch == "<" for ch in lines[0][2:5]):
        return False
    if not all(lines[c.line][c.index] in CHECK_CHARS for c in fmt.checks):
        return False
    # Name components are separated by one or two fillers; letters after three or more
    # fillers are a line read past its end (or into something else), not a name.
    name = fmt.field("name")
    if re.search(r"<<<+[A-Z0-9]", lines[name.line][name.start : name.end]):
        return False
    dates = "".join(
        lines[spec.line][spec.start : spec.end] for spec in fmt.fields if spec.name in DATE_FIELDS
    )
    return set(dates) <= DATE_CHARS and _date_digits(lines) >= 6


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


def _nationality(code: str) -> bool:
    """A nationality left blank ('<<<': some residence and non-permanent resident cards
    state none) is a statement, not a misread: three confident fillers are not three
    misread letters."""
    return code == "<<<" or _country_code(code)


_POSSIBLE: dict[str, Callable[[str], bool]] = {
    "sex": SEX_CHARS.__contains__,
    "issuing_country": _country_code,
    "nationality": _nationality,
    "birth_date": _calendar_date,
    "expiry_date": _calendar_date,
}


@cache
def uncovered_positions(fmt: MrzFormat) -> frozenset[tuple[int, int]]:
    """(line, index) of every character that no check digit covers."""
    covered = {(c.line, c.index) for c in fmt.checks}
    for check in fmt.checks:
        covered.update((ln, i) for ln, a, b in check.spans for i in range(a, b))
    return frozenset(
        (ln, i)
        for ln in range(fmt.line_count)
        for i in range(fmt.line_length)
        if (ln, i) not in covered
    )


def _field_confidence(fused: FusedMrz) -> list[np.ndarray]:
    return fused.field_confidence or fused.confidence


def doubtful_uncovered(fused: FusedMrz, fmt: MrzFormat, below: float) -> bool:
    """Is some character no check digit covers read below ``below`` (among the characters
    its field allows), and not settled by the other country code?"""
    settled = {(c.line, c.index) for c in fused.corrections if c.reason == "country_code"}
    confidence = _field_confidence(fused)
    return any(
        confidence[ln][i] < below and (ln, i) not in settled for ln, i in uncovered_positions(fmt)
    )


def _uncovered_clear(fused: FusedMrz, fmt: MrzFormat, smeared: bool) -> bool:
    """Names, country codes and sex were read clearly among the characters their field
    allows (a 0 read in a name competes with O, D and Q only); country codes completed
    from the other code are settled by it; a country code completed by look-alikes is
    real. On a smeared band the bar is higher (SMEARED_UNCOVERED_CLEAR), and a name
    letter the reader took for a digit (LIU read L0U on a deconvolved 10 px smear, the
    0 made a U and the I beside it misread as Z) is a failed read: nothing checks it."""
    bar = SMEARED_UNCOVERED_CLEAR if smeared else UNCOVERED_CLEAR
    if any(c.reason == "page_calibrated" for c in fused.corrections):
        # A capture whose look-alikes the page's own print had to settle is a weak one:
        # there a name letter is only trusted when read as clearly as a doubtful one is
        # not (a glared photo read a name letter wrong at 0.85, every check passing).
        bar = max(bar, DOUBTFUL_BELOW)
    if doubtful_uncovered(fused, fmt, bar):
        return False
    if smeared and any(c.reason == "field_type" and c.field == "name" for c in fused.corrections):
        return False
    for spec in fmt.fields:
        if spec.kind is not FieldKind.COUNTRY:
            continue
        guessed = any(
            c.reason == "field_type" and c.line == spec.line and spec.start <= c.index < spec.end
            for c in fused.corrections
        )
        if guessed and not _country_code(fused.lines[spec.line][spec.start : spec.end]):
            return False
    return True


def _checks_vouch(fused: FusedMrz, fmt: MrzFormat) -> bool:
    """No check digit has to vouch for more than one doubtful character: one read below
    DOUBTFUL_BELOW among the characters its field allows, or changed to pass a check.
    Look-alikes decided by the page's own print (``page_calibrated``, kept only where the
    check digits tell them apart from the read as printed) are not doubtful: the page's
    own digits and letters vouch for them, and reverting any of them fails a check."""
    doubtful = {(c.line, c.index) for c in fused.corrections if c.reason == "check_digit"}
    calibrated = {(c.line, c.index) for c in fused.corrections if c.reason == "page_calibrated"}
    for ln, line_conf in enumerate(_field_confidence(fused)):
        doubtful.update((ln, int(i)) for i in np.nonzero(line_conf < DOUBTFUL_BELOW)[0])
    guarded: set[tuple[int, int]] = set()
    # Field checks first; the composite then stands alone only for what no field check
    # covers (with the same weights over a field, it cancels where that field's check does).
    for check in sorted(fmt.checks, key=lambda c: c.name == "composite"):
        cells = {(ln, i) for ln, a, b in check.spans for i in range(a, b)} - guarded
        cells.add((check.line, check.index))
        if len((cells & doubtful) - calibrated) > 1:
            return False
        guarded |= cells
    return True


def plausible(fused: FusedMrz, *, sharp: bool = True, smeared: bool = False) -> bool:
    """Report text only for an MRZ-shaped, confident read with at most two failing checks
    and at most one impossible value. On a capture that is not ``sharp`` (deconvolved,
    glared, low resolution) a failing check or an impossible value is more likely a
    misread than a forgery: none is allowed there. On a ``smeared`` band (measured, read
    as captured) no impossible value is allowed, a failing check counts only over
    characters all read at SMEARED_FAILING_CLEAR and none corrected, and the characters
    no check digit covers need a clearer read.

    A forged page fails one check digit and the composite; a read failing more is too
    doubtful to report (MRZ_UNREADABLE: rescan) rather than risk an invented MRZ.
    """
    conf = np.concatenate(fused.confidence)
    fmt = guess_format(fused.lines)
    if fmt is None or fused.ambiguous or not structure_ok(fused.lines):
        return False
    states = check_states(fused.lines, fmt)
    failing = len(states) - sum(states)
    if failing > (2 if sharp else 0):
        return False
    if len(impossible_values(fused.lines, fmt)) > (1 if sharp and not smeared else 0):
        return False
    if float(conf.mean()) < MIN_MEAN_CONFIDENCE:
        return False
    if float(np.mean(conf < LOW_CONFIDENCE)) > MAX_LOW_CONFIDENCE_FRACTION:
        return False
    if not _uncovered_clear(fused, fmt, smeared) or not _checks_vouch(fused, fmt):
        return False
    corrected = {(c.line, c.index) for c in fused.corrections}
    return _no_barely_read(fused, corrected) and _failing_checks_clear(
        fused, fmt, states, corrected, smeared
    )


def _no_barely_read(fused: FusedMrz, corrected: set[tuple[int, int]]) -> bool:
    # A character the reader could barely make out (and nothing settled) is a rescan.
    for li, line_conf in enumerate(fused.confidence):
        for i, value in enumerate(line_conf):
            if value < UNSETTLED_BELOW and (li, i) not in corrected:
                return False
    return True


def _failing_checks_clear(
    fused: FusedMrz,
    fmt: MrzFormat,
    states: list[bool],
    corrected: set[tuple[int, int]],
    smeared: bool,
) -> bool:
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
        if _passes_read_as_digits(fused.lines, fmt, check):
            return False
        if any(
            (c.line, c.index) in cells for c in fused.corrections if c.reason == "page_calibrated"
        ):
            # The page's print decided a look-alike the check digit then rejects: a
            # misread as likely as a forgery.
            return False
        if smeared:
            # On a smeared band a corrected or less than clear character is a misread.
            if any(
                fused.confidence[ln][i] < SMEARED_FAILING_CLEAR or (ln, i) in corrected
                for ln, i in cells
            ):
                return False
        elif any(
            fused.confidence[ln][i] < CLEAR_READ and (ln, i) not in corrected for ln, i in cells
        ):
            return False
    return True


def looks_like_mrz(read: MrzRead) -> bool:
    """An MRZ-like band (reported as unreadable rather than not found)."""
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


def _passes_read_as_digits(lines: list[str], fmt: MrzFormat, check: CheckSpec) -> bool:
    """Does the failing ``check`` pass once the letters in its fields that look like
    digits are read as digits (all of them, or only the Os)?"""
    index = fmt.checks.index(check)
    for table in (DIGIT_LOOK_ALIKES, str.maketrans("O", "0")):
        folded = list(lines)
        for ln, a, b in check.spans:
            folded[ln] = folded[ln][:a] + folded[ln][a:b].translate(table) + folded[ln][b:]
        if folded != lines and check_states(folded, fmt)[index]:
            return True
    return False
