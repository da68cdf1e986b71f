"""Match read words to the MRZ fields (pure): is the MRZ value printed, or another value
of the same field?

The MRZ says what to look for, so no layout is assumed:

- **number**: a token (or neighbours joined) equal to the MRZ number up to look-alike
  letters; another value is a token of its length and shape that differs in one or two
  digits (a digit for a digit: two different letters, or a letter for a digit, are doubts
  of the read, not evidence).
- **dates**: every date on the page, in any format (:mod:`values`); another value is the
  date that must hold the role by order (birth < issue < expiry on every document): a date
  before the MRZ birth date can only be a birth date, one after the MRZ expiry only an
  expiry date; with three distinct dates the earliest is the birth and the latest the
  expiry; a date with the MRZ day and month and another year is the role's date when it is
  the earliest (birth) or the latest (expiry) printed.
- **names**: :mod:`names`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from screening.imaging.viz.ocr import Word
from screening.imaging.viz.values import (
    QUOTES,
    fold_digits,
    parse_dates,
)

Box = tuple[float, float, float, float]
MIN_CONF = 80.0  # a read this confident may accuse on its own (a second read still checks)
NUMBER_MIN_CONF = 45.0
DATE_MIN_CONF = 40.0
PLAUSIBLE_YEARS = (1900, 2099)
PARTIAL_MIN_CONF = 60.0
MAX_YEARS_OFF = 15


@dataclass(frozen=True, slots=True)
class Expected:
    """What the MRZ says is printed (names as A-Z words, dates as calendar dates)."""

    document_number: str = ""
    surname: str = ""
    given_names: str = ""
    birth_date: date | None = None
    expiry_date: date | None = None


@dataclass(frozen=True, slots=True)
class FieldRead:
    """One field's outcome: the MRZ value found (``match``) or another value of the field
    (``printed``, read at ``conf``, at ``box`` on ``line``)."""

    name: str
    match: bool
    printed: str
    expected: str
    conf: float
    box: Box
    line: int


# --------------------------------------------------------------------------- helpers


Key = tuple[int, int]  # (line, read): each read of a line is a word sequence of its own


def by_line(words: Sequence[Word]) -> dict[Key, list[Word]]:
    out: dict[Key, list[Word]] = {}
    for w in words:
        out.setdefault((w.line, w.read), []).append(w)
    for line_words in out.values():
        line_words.sort(key=lambda w: w.box[0])
    return out


def union(group: Sequence[Word]) -> Box:
    x0 = min(w.box[0] for w in group)
    y0 = min(w.box[1] for w in group)
    x1 = max(w.box[0] + w.box[2] for w in group)
    y1 = max(w.box[1] + w.box[3] for w in group)
    return (x0, y0, x1 - x0, y1 - y0)


def runs_of(words: Sequence[Word], longest: int = 4) -> list[list[Word]]:
    """Every run of 1..``longest`` neighbouring words on one line."""
    out = []
    for line_words in by_line(words).values():
        for i in range(len(line_words)):
            for j in range(i + 1, min(i + longest, len(line_words)) + 1):
                out.append(line_words[i:j])
    return out


BILINGUAL = re.compile(r"[^\W\d_]{2,}(?:/[^\W\d_]{2,})+")


def split_slashes(words: Sequence[Word]) -> list[Word]:
    """Words of letters joined by slashes ("АННА/ANNA", "MAR/MAP") as separate words with
    the slashes between them: a bilingual value printed without spaces is two values."""
    out: list[Word] = []
    for w in words:
        if not BILINGUAL.fullmatch(w.text):
            out.append(w)
            continue
        x, y, width, h = w.box
        step = width / max(len(w.text), 1)
        start = 0
        for part in re.split(r"(/)", w.text):
            chars = w.chars[start : start + len(part)] if len(w.chars) == len(w.text) else ()
            conf = min(chars, default=w.conf)
            box = (x + step * start, y, step * len(part), h)
            out.append(Word(part, conf, w.line, box, tuple(chars), w.read))
            start += len(part)
    return out


# --------------------------------------------------------------------------- number


def _alnum(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def number_differences(read: str, mrz: str) -> int:
    """Positions where a token really differs from the number: a digit for another digit."""
    return sum(
        fold_digits(x) != fold_digits(y) and x.isdigit() and y.isdigit()
        for x, y in zip(read, mrz, strict=True)
    )


def number_tail(read: str, number: str) -> str:
    """What ``read`` is compared with: the whole number, or when the number opens with
    letters and the read is one or two shorter, the rest (a faint series letter read as
    punctuation), provided the read has the same run of letters and digits."""
    if len(read) == len(number):
        return number
    dropped = len(number) - len(read)
    if not (1 <= dropped <= 2 and number[:dropped].isalpha()):
        return ""
    tail = number[dropped:]
    same_shape = all(a.isdigit() == b.isdigit() for a, b in zip(read, tail, strict=True))
    return tail if same_shape else ""


def match_number(words: Sequence[Word], number: str) -> FieldRead | None:
    number = number.replace("<", "")
    if not number:
        return None
    folded = fold_digits(number)
    tokens = [(_alnum("".join(w.text for w in run)), run) for run in runs_of(words, 3)]
    # The number, or its digits with a faint series letter lost ("€V5127207").
    exact = [
        run
        for t, run in tokens
        if t
        and (
            fold_digits(t) == folded
            or (len(t) >= 5 and fold_digits(t) == fold_digits(number_tail(t, number)))
        )
    ]
    near = []
    for t, run in tokens:
        conf = min(w.conf for w in run)
        tail = number_tail(t, number) if t else ""
        if conf >= NUMBER_MIN_CONF and tail and fold_digits(t) != fold_digits(tail):
            same = sum(fold_digits(a) == fold_digits(b) for a, b in zip(t, tail, strict=True))
            # Another value of the number: every other character as in the MRZ.
            if (
                1 <= number_differences(t, tail) <= 2
                and same == len(tail) - number_differences(t, tail)
                and len(t) >= 5
            ):
                near.append((conf, t, run))
    if exact:
        # A second copy (the number is often printed twice) must be read surely to count.
        near = [n for n in near if n[0] >= MIN_CONF]
    if near:
        conf, t, run = max(near, key=lambda n: n[0])
        # Reads of one copy that disagree with each other show a digit the read cannot make
        # out, not a reprint.
        rivals = {
            fold_digits(number[: len(number) - len(x)] + x)
            for _, x, r in near
            if r[0].line == run[0].line
        }
        if len(rivals) == 1:
            return field_read("document_number", False, t, number, run)
    if exact:
        run = max(exact, key=lambda r: min(w.conf for w in r))
        return field_read("document_number", True, number, number, run)
    return None


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True, slots=True)
class PrintedDate:
    value: date
    text: str
    conf: float
    box: Box
    line: int
    two_digit_year: bool
    partial: bool = False  # month and year only
    day_conf: float = 0.0  # the lowest confidence of the day's own digits
    lookalike_month: bool = False  # see values.DateRead


def printed_dates(words: Sequence[Word], near: date | Sequence[date]) -> list[PrintedDate]:
    """Every date read on the page, with the lowest confidence of the words it spans."""
    found = []
    for (line, _), line_words in by_line(words).items():
        text, spans = "", []
        for w in line_words:
            start = len(text) + (1 if text else 0)
            text = f"{text} {w.text}" if text else w.text
            spans.append((start, len(text), w))
        for d in parse_dates(text):
            group = [(a, w) for a, b, w in spans if a < d.end and b > d.start]
            value = d.value(near)
            if value is None or not group:
                continue
            # The date's own characters, not the marks glued to it.
            conf = min(w.span_conf(d.start - a, d.end - a) for a, w in group)
            day = [
                w.span_conf(d.day_start - a, d.day_end - a)
                for a, w in group
                if d.day_start >= 0 and a < d.day_end and a + len(w.text) > d.day_start
            ]
            group = [w for _, w in group]
            found.append(
                PrintedDate(
                    value,
                    QUOTES.sub("", text[d.start : d.end]).strip(),
                    conf,
                    union(group),
                    line,
                    d.year_digits == 2,
                    d.partial,
                    min(day, default=conf),
                    d.lookalike_month,
                )
            )
    return found


def same_date(d: PrintedDate, mrz: date, any_century: bool = False) -> bool:
    """The MRZ date, as far as printed (a two-digit year as its last two digits; with
    ``any_century``, every year compared so: the MRZ gives no century)."""
    if d.partial:
        return False
    if d.two_digit_year or any_century:
        return (d.value.year % 100, d.value.month, d.value.day) == (
            mrz.year % 100,
            mrz.month,
            mrz.day,
        )
    return d.value == mrz


def match_date(
    role: str, dates: Sequence[PrintedDate], mrz: date | None, other: date | None = None
) -> FieldRead | None:
    """The role's date: the MRZ date printed, or the printed date that must be the role's
    (see the module docstring). A date that is the ``other`` role's MRZ date is that
    role's, never a candidate for this one."""
    if mrz is None:
        return None
    shown = mrz.strftime("%d.%m.%Y")
    birth = role == "birth_date"
    same = [d for d in dates if same_date(d, mrz, any_century=birth)]
    if same:
        d = max(same, key=lambda d: d.conf)
        return FieldRead(role, True, shown, shown, d.conf, d.box, d.line)
    # A year no document prints (1008, 2996) is a misread, never a candidate.
    plausible = [
        d
        for d in dates
        if PLAUSIBLE_YEARS[0] <= d.value.year <= PLAUSIBLE_YEARS[1]
        and not (other is not None and same_date(d, other, any_century=not birth))
        and not (d.lookalike_month and d.value.month != mrz.month)
    ]
    sure = [d for d in plausible if d.conf >= DATE_MIN_CONF and not d.partial]
    # One printed date read as two months or years (02.07.2001 and 01.07.2003 from one
    # line and its crop) is a date the reads cannot make out: neither a candidate nor a
    # date of its own when counting.
    sure = [d for d in sure if not _reads_disagree(d, plausible)]
    if not sure:
        return _partial_date(role, plausible, mrz, shown)
    cand = min(sure, key=lambda d: d.value) if birth else max(sure, key=lambda d: d.value)
    distinct = {(d.value.year, d.value.month) for d in sure}
    # The MRZ gives a birth year without its century: before the earlier one it may be.
    earliest = mrz.replace(year=mrz.year - 100) if birth and mrz.year >= 2000 else mrz
    beyond = cand.value < earliest if birth else cand.value > mrz
    # The MRZ month and year with another day: no other date of the document falls in
    # them (an issue date is years before the expiry, months after the birth at least).
    same_month = (cand.value.year, cand.value.month) == (mrz.year, mrz.month)
    ok = beyond or len(distinct) >= 3 or same_month
    if not ok and (cand.value.month, cand.value.day) == (mrz.month, mrz.day):
        # Another year with the MRZ day and month: a forger's favourite; for the expiry an
        # issue date 5 or 10 years before may share them, so 1-4 years off only.
        ok = birth or 1 <= mrz.year - cand.value.year <= 4
    # A forger moves a date by a few years; a year far from the MRZ's is a misread (the
    # MRZ birth year may be in either century).
    off = abs(cand.value.year - mrz.year)
    if birth:
        off = min(off, abs(cand.value.year - (mrz.year - 100)))
    if not ok or off > MAX_YEARS_OFF:
        return _partial_date(role, plausible, mrz, shown)
    if (cand.value.year, cand.value.month) == (mrz.year, mrz.month) and cand.conf < MIN_CONF:
        return None  # only the day differs: the day is where reads slip most
    return FieldRead(role, False, cand.text, shown, cand.conf, cand.box, cand.line)


def _same_place(a: Box, b: Box) -> bool:
    """Do two boxes cover one printed value (a line and a crop of it, two reads)?"""
    overlap = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = abs((a[1] + a[3] / 2) - (b[1] + b[3] / 2))
    return overlap >= 0.5 * min(a[2], b[2]) and dy < 0.6 * max(a[3], b[3])


def _reads_disagree(d: PrintedDate, dates: Sequence[PrintedDate]) -> bool:
    """Another read of the same printed date gives another month or year."""
    return any(
        not o.partial
        and o.text != d.text  # one text read as two months: the look-alike alternatives
        and _same_place(o.box, d.box)
        and (o.value.year, o.value.month) != (d.value.year, d.value.month)
        for o in dates
    )


def _inside(a: Box, b: Box) -> bool:
    """Does box ``a`` lie (mostly) within box ``b``?"""
    x0, x1 = max(a[0], b[0]), min(a[0] + a[2], b[0] + b[2])
    return x1 - x0 >= 0.6 * a[2]


def _partial_date(
    role: str, dates: Sequence[PrintedDate], mrz: date, shown: str
) -> FieldRead | None:
    """A month and year read without their day that can only be this role's date: after
    the MRZ expiry month (nothing printed comes later) or before the MRZ birth month."""
    if role == "birth_date" and mrz.year >= 2000:
        mrz = mrz.replace(year=mrz.year - 100)  # the earlier century the MRZ allows
    mrz_ym = (mrz.year, mrz.month)
    # The month and year of a date read whole are that date's, not a date of their own.
    whole = [d for d in dates if not d.partial and d.conf >= DATE_MIN_CONF]
    fits = [
        d
        for d in dates
        if d.partial
        and d.conf >= PARTIAL_MIN_CONF
        and abs(d.value.year - mrz.year) <= MAX_YEARS_OFF
        and not any(w.line == d.line and _inside(d.box, w.box) for w in whole)
        and (
            (d.value.year, d.value.month) > mrz_ym
            if role == "expiry_date"
            else (d.value.year, d.value.month) < mrz_ym
        )
    ]
    if not fits:
        return None
    d = max(fits, key=lambda d: d.conf)
    return FieldRead(role, False, d.text, shown, d.conf, d.box, d.line)


def field_read(
    field: str, same: bool, printed: str, expected: str, run: Sequence[Word]
) -> FieldRead:
    """The outcome for ``field`` resting on the words of ``run``."""
    return FieldRead(
        field, same, printed, expected, min(w.conf for w in run), union(run), run[0].line
    )
