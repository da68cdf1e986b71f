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
- **names**: the MRZ name printed in Latin letters or in Cyrillic; another value is a word
  one or two letters from it (a changed letter), or a whole other name found where the
  page says the field is: after or below a label naming the field (``data/viz_labels.toml``,
  any language), or beside the other name field (surname and given names are printed next
  to each other on every design: on one line, or on neighbouring lines in one column).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from screening.imaging.viz.ocr import Word
from screening.imaging.viz.values import (
    could_be_cyrillic,
    fold_digits,
    fold_letters,
    is_cyrillic,
    latin_letters,
    name_close,
    name_distance,
    parse_dates,
)

Box = tuple[float, float, float, float]
MIN_CONF = 80.0  # a read this confident may accuse on its own (a second read still checks)
NUMBER_MIN_CONF = 45.0
DATE_MIN_CONF = 40.0
NAME_MIN_CONF = 60.0
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


@cache
def labels() -> dict[str, frozenset[str]]:
    raw = resources.files("screening.data").joinpath("viz_labels.toml").read_text("utf-8")
    return {k: frozenset(fold_letters(w) for w in v) for k, v in tomllib.loads(raw).items()}


def is_label(text: str) -> bool:
    word = re.sub(r"[^A-ZА-Я]", "", fold_letters(text))
    return any(word in group for group in labels().values())


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
            return FieldRead("document_number", False, t, number, conf, union(run), run[0].line)
    if exact:
        run = max(exact, key=lambda r: min(w.conf for w in r))
        return FieldRead(
            "document_number",
            True,
            number,
            number,
            min(w.conf for w in run),
            union(run),
            run[0].line,
        )
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


def printed_dates(words: Sequence[Word], near: date) -> list[PrintedDate]:
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
            group = [w for _, w in group]
            found.append(
                PrintedDate(
                    value,
                    text[d.start : d.end].strip(),
                    conf,
                    union(group),
                    line,
                    d.year_digits == 2,
                    d.partial,
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


def match_date(role: str, dates: Sequence[PrintedDate], mrz: date | None) -> FieldRead | None:
    """The role's date: the MRZ date printed, or the printed date that must be the role's
    (see the module docstring)."""
    if mrz is None:
        return None
    shown = mrz.strftime("%d.%m.%Y")
    birth = role == "birth_date"
    same = [d for d in dates if same_date(d, mrz, any_century=birth)]
    if same:
        d = max(same, key=lambda d: d.conf)
        return FieldRead(role, True, shown, shown, d.conf, d.box, d.line)
    # A year no document prints (1008, 2996) is a misread, never a candidate.
    plausible = [d for d in dates if PLAUSIBLE_YEARS[0] <= d.value.year <= PLAUSIBLE_YEARS[1]]
    sure = [d for d in plausible if d.conf >= DATE_MIN_CONF and not d.partial]
    if not sure:
        return _partial_date(role, plausible, mrz, shown)
    cand = min(sure, key=lambda d: d.value) if birth else max(sure, key=lambda d: d.value)
    distinct = {(d.value.year, d.value.month) for d in sure}
    # The MRZ gives a birth year without its century: before the earlier one it may be.
    earliest = mrz.replace(year=mrz.year - 100) if birth and mrz.year >= 2000 else mrz
    beyond = cand.value < earliest if birth else cand.value > mrz
    ok = beyond or len(distinct) >= 3
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


# --------------------------------------------------------------------------- names


def _name_words(line_words: Sequence[Word]) -> list[Word]:
    """The name-like words of a line: letters only, no label words; on a bilingual line
    ("ЖУМАБЕКОВ / ZHUMABEKOV") the words after the last slash."""
    slash = [i for i, w in enumerate(line_words) if "/" in w.text]
    tail = list(line_words[slash[-1] :]) if slash else list(line_words)
    out = []
    for w in tail:
        text = w.text.strip("/").strip()
        if re.fullmatch(r"[A-Z][A-Z'\-]+", text) and not is_label(text):
            out.append(Word(text, w.conf, w.line, w.box, (), w.read))
    return out


def name_present(
    words: Sequence[Word], name: str, exact: bool, latin_only: bool = False
) -> list[Word] | None:
    """The run of words spelling ``name`` (Latin letters, or Cyrillic unless
    ``latin_only``), if any; ``exact``: letter for letter."""
    target = latin_letters(name)
    if not target:
        return None
    best = None
    for run in runs_of(words):
        text = " ".join(w.text for w in run)
        if is_cyrillic(text):
            if latin_only:
                continue
            hit = name_distance(text, target) == 0 if exact else name_close(text, target)
        else:
            letters = latin_letters(text)
            hit = letters == target or (not exact and name_close(text, target))
            hit = hit or (len(letters) > len(target) >= 10 and letters.startswith(target))
        if hit and (best is None or min(w.conf for w in run) > min(w.conf for w in best)):
            best = run
    return best


def _near_name(words: Sequence[Word], name: str) -> list[Word] | None:
    """A confidently read Latin word one or two letters from ``name`` (a changed letter)."""
    target = latin_letters(name)
    best = None
    for run in runs_of(words, 3):
        text = " ".join(w.text for w in run)
        letters = latin_letters(text)
        if is_cyrillic(text) or not letters or min(w.conf for w in run) < MIN_CONF:
            continue
        if any(not latin_letters(w.text) for w in run):
            continue  # a slash or a mark: not part of a name
        if re.search(r"[0-9]", text) or len(letters) != len(target):
            continue  # a changed letter keeps the name's length
        if 1 <= name_distance(letters, target) <= (2 if len(target) >= 8 else 1) and (
            best is None or min(w.conf for w in run) > min(w.conf for w in best)
        ):
            best = run
    return best


def _label_value(words: Sequence[Word], field: str) -> list[Word]:
    """Name words printed after a label of ``field`` on its line, or on the line below."""
    lines = by_line(words)
    out = []
    for line_words in lines.values():
        for i, w in enumerate(line_words):
            parts = re.split(r"[/|]", fold_letters(w.text))
            if not any(re.sub(r"[^A-ZА-Я]", "", p) in labels()[field] for p in parts):
                continue
            after = _name_words(line_words[i + 1 :])
            if after:
                out.append(after)
                continue
            below = _line_below(lines, w)
            if below is not None:
                out.append(_name_words(lines[below]))
    return [o for o in out if o]


def _line_below(lines: dict[Key, list[Word]], w: Word) -> Key | None:
    """The nearest line starting below ``w`` within three of its heights, in its column."""
    x, y, _, h = w.box
    best = None
    for line, line_words in lines.items():
        lx, ly = line_words[0].box[0], min(v.box[1] for v in line_words)
        if y + 0.6 * h < ly < y + 4 * h and abs(lx - x) < 4 * h and (best is None or ly < best[0]):
            best = (ly, line)
    return None if best is None else best[1]


def _beside(words: Sequence[Word], partner: list[Word], below: bool) -> list[list[Word]]:
    """Name words next to the other name field: on its line (before it for the surname,
    after it for the given names) and on the nearest value line above (surname) or below
    (given names) in its column, label lines passed over."""
    lines = by_line(words)
    line = partner[0].line
    line_words = lines.get((line, partner[0].read), [])
    out = []
    if below:
        out.append(_name_words([w for w in line_words if w.box[0] > partner[-1].box[0]]))
    else:
        out.append(_name_words([w for w in line_words if w.box[0] < partner[0].box[0]]))
    _, y, _, h = union(partner)
    x = line_words[0].box[0] if line_words else partner[0].box[0]  # the line's column
    rows = []
    for other, ws in lines.items():
        if other[0] == line:
            continue
        ly = min(v.box[1] for v in ws)
        dy = (ly - y) if below else (y - ly)
        if 0.6 * h < dy < 3.8 * h and abs(ws[0].box[0] - x) < 3 * h:
            rows.append((dy, ws))
    for _, ws in sorted(rows, key=lambda r: r[0]):
        if all(is_label(v.text) or v.box[3] < 0.7 * h for v in ws):
            continue  # a label line, small print
        out.append(_name_words(ws))
        break
    return [o for o in out if o]


def _part_of(letters: str, target: str, parts: list[str]) -> bool:
    """Is a read name one of the MRZ name's parts (up to a third of its letters), or a run
    of the MRZ name's letters?"""
    if letters in target:
        return True
    return any(
        name_distance(letters, part) <= max(1, len(latin_letters(part)) // 3) for part in parts
    )


def match_name(words: Sequence[Word], field: str, name: str, partner: str) -> FieldRead | None:
    """``field``'s name: printed in Latin as in the MRZ; else a Latin read one or two
    letters from it, or another name where a label or the partner field says this one is
    printed (the Latin print is what the MRZ encodes: a local spelling that still matches
    does not clear it); else the name up to a slip, or in Cyrillic, or its first part."""
    name = name.replace("<", " ").strip()
    if not latin_letters(name):
        return None
    exact = name_present(words, name, exact=True, latin_only=True)
    if exact is not None:
        return _read(field, True, name, name, exact)
    near = _near_name(words, name)
    if near is not None:
        return _read(field, False, " ".join(w.text for w in near), name, near)
    parts = [p for p in name.split() if len(latin_letters(p)) >= 2]
    present = name_present(words, name, exact=False)
    if present is None and len(parts) > 1:
        # The first of several names printed (the others wrapped, or on another line).
        present = name_present(words, parts[0], exact=True)
    other = _another_name(words, field, name, partner, parts, sure=present is not None)
    if other is not None:
        return _read(field, False, " ".join(w.text for w in other), name, other)
    return None if present is None else _read(field, True, name, name, present)


def _read(field: str, same: bool, printed: str, name: str, run: Sequence[Word]) -> FieldRead:
    return FieldRead(field, same, printed, name, min(w.conf for w in run), union(run), run[0].line)


def _another_name(
    words: Sequence[Word], field: str, name: str, partner: str, parts: list[str], sure: bool
) -> list[Word] | None:
    """A whole other name where a label of ``field`` or the partner name field says this
    field is printed. When the name is found in another form (Cyrillic, or up to a slip),
    the other name must be read surely."""
    candidates = _label_value(words, field)
    anchor = name_present(words, partner, exact=False) if latin_letters(partner) else None
    if anchor is not None:
        candidates += _beside(words, anchor, below=field == "given_names")
    target = latin_letters(name)
    partner_letters = latin_letters(partner)
    floor = MIN_CONF if sure else NAME_MIN_CONF
    best = None
    for cand in candidates:
        letters = latin_letters(" ".join(w.text for w in cand))
        conf = min(w.conf for w in cand)
        if len(letters) < 3 or conf < floor or letters == partner_letters:
            continue
        if _part_of(letters, target, parts):
            continue  # one of the MRZ names, or part of them: printed in part, not another
        if could_be_cyrillic(letters):
            continue  # a Cyrillic word read in Latin look-alikes, as likely as a name
        distance = name_distance(letters, target)
        if (
            distance >= 3
            and distance >= max(len(letters), len(target)) / 3
            and (best is None or conf > best[0])
        ):
            best = (conf, cand)
    return None if best is None else best[1]
